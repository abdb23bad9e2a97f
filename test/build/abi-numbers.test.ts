// One source of truth for the numbers that cross the ABI: host/abi.ts re-exports the firmware's
// own definitions (plain TypeScript both compilers accept) instead of restating them, and every
// built module answers info() with exactly those numbers.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as firmware from "../../firmware/abi-numbers.ts";
import { State } from "../../firmware/session/state-table.ts";
import { Prop } from "../../firmware/prop.ts";
import * as abi from "../../host/abi.ts";
import { PROPERTY_TABLE } from "../../host/properties.ts";
import { Firmware } from "../../host/firmware.ts";

const profiles = JSON.parse(readFileSync(new URL("../../build/firmware/profiles.json", import.meta.url), "utf8")) as string[];

describe("host/abi.ts restates no firmware number", () => {
  it.each(["ABI_VERSION", "Info", "Control", "Region", "PacketType", "Counter", "Option", "Overflow", "EventType",
    "FLAG_FIRST_CHUNK", "FLAG_LAST_CHUNK"] as const)("%s is the firmware's own", (name) => {
    expect(abi[name]).toBe(firmware[name]);
  });

  it("SessionState is the firmware's State", () => {
    expect(abi.SessionState).toBe(State);
  });

  it("EV names the firmware's EV_* word indexes, each one", () => {
    const words = Object.entries(firmware).filter(([k]) => k.startsWith("EV_")).map(([k, v]) => [k.slice(3), v]);
    expect(Object.entries(abi.EV).sort()).toEqual(words.sort());
  });

  it("region, counter and budget names come from the firmware's enums, in id order", () => {
    expect(abi.REGION_NAMES).toEqual(["rx", "tx", "scratch", "props", "connect", "outbox", "event", "requests", "inboundQos2",
      "aliasOut", "aliasIn", "propValues", "counters", "timers", "options"]);
    expect(abi.COUNTER_NAMES.length).toBe(firmware.Counter.Count);
    abi.COUNTER_NAMES.forEach((n, id) => expect(firmware.Counter[id].toLowerCase()).toBe(n.toLowerCase()));
    abi.BUDGET_NAMES.forEach((n, id) => expect(firmware.Budget[n]).toBe(id));
  });

  it("the host's property table uses the firmware's property ids", () => {
    for (const p of PROPERTY_TABLE) {
      const name = Prop[p.id];
      expect(name, `id 0x${p.id.toString(16)}`).toBeDefined();
    }
    expect(PROPERTY_TABLE.length).toBe(Object.values(Prop).filter((v) => typeof v === "number").length - 1); // all but Limit
  });

  it("host/abi.ts declares no enum of its own", () => {
    const source = readFileSync(new URL("../../host/abi.ts", import.meta.url), "utf8");
    expect(source.match(/^\s*(export\s+)?(const\s+)?enum\s+\w+/gm) ?? []).toEqual([]);
  });
});

describe.each(profiles)("firmware profile %s answers info() with the shared numbers", (profile) => {
  const fw = new Firmware(profile);
  const x = fw.exports;

  it("ABI version and region count", () => {
    expect(x.abiVersion()).toBe(firmware.ABI_VERSION);
    expect(x.regionCount()).toBe(firmware.Region.Count);
  });

  it("one counter word per Counter, one option word per Option id", () => {
    expect(x.regionSize(firmware.Region.Counters)).toBe(firmware.Counter.Count * 4);
    expect(x.regionSize(firmware.Region.Options)).toBe(firmware.Option.Count * 4);
    expect(x.counter(firmware.Counter.Count)).toBe(0);
  });

  it("one budget per Budget id, and none past them", () => {
    expect(x.budget(firmware.Budget.Count)).toBe(-1);
    expect(x.budget(firmware.Budget.RX_BUFFER_BYTES)).toBe(x.regionSize(firmware.Region.Rx));
  });

  it("starts Idle", () => {
    expect(x.sessionState()).toBe(State.Idle);
  });

  it("the event record holds every EV_* word", () => {
    const words = Object.entries(firmware).filter(([k]) => k.startsWith("EV_")).map(([, v]) => v as number);
    expect(x.regionSize(firmware.Region.Event)).toBeGreaterThan(Math.max(...words) * 4);
  });
});
