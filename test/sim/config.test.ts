// The simulator's flags and config file: one FleetConfig, every bad value refused with one line.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseFleetConfig } from "../../sim/config.ts";
import { splitByWeight } from "../../sim/weights.ts";
import { parseDuration, shardRange } from "../../sim/units.ts";
import errors from "../fixtures/sim/config-errors.json" with { type: "json" };

const dir = mkdtempSync(join(tmpdir(), "mote-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof data === "string" ? data : JSON.stringify(data));
  return p;
};

describe("flags", () => {
  it("default to 200 temperature sensors at QoS 1, MQTT 3.1.1, on the embedded broker", () => {
    const c = parseFleetConfig([]);
    expect(c.sensors).toBe(200);
    expect(c.broker).toBeUndefined();
    expect(c.version).toBe(4);
    expect(c.groups).toHaveLength(1);
    expect(c.groups[0]).toMatchObject({ name: "temperature", count: 200, model: "temperature", payload: "json", qos: 1, intervalMs: 1000 });
  });

  it("read durations with units, bare durations in seconds and bare intervals in ms", () => {
    const c = parseFleetConfig(["--duration", "2m", "--interval", "250", "--jitter", "1s", "--drain", "5"]);
    expect(c.durationS).toBe(120);
    expect(c.groups[0].intervalMs).toBe(250);
    expect(c.groups[0].jitterMs).toBe(249); // jitter is capped below the interval so no interval is <= 0
    expect(c.drainS).toBe(5);
  });

  it("accept --flag=value as well as --flag value", () => {
    expect(parseFleetConfig(["--sensors=12", "--qos=2"]).groups[0]).toMatchObject({ count: 12, qos: 2 });
  });

  it("make one group per model of a --model list, splitting the sensors evenly", () => {
    const c = parseFleetConfig(["--sensors", "10", "--model", "temperature,gps,counter"]);
    expect(c.groups.map((g) => [g.name, g.count])).toEqual([["temperature", 4], ["gps", 3], ["counter", 3]]);
  });

  it("parse a link model and a modem", () => {
    const c = parseFleetConfig(["--sensors", "4", "--link", "latency=100ms,loss=1%", "--modem", "bg96@9600"]);
    expect(c.groups[0].link.latencyMs).toBe(100);
    expect(c.groups[0].link.loss).toBeCloseTo(0.01);
    expect(c.groups[0].modem).toEqual({ dialect: "bg96", baud: 9600 });
  });

  for (const e of errors) {
    it(`refuse ${e.args.join(" ")}`, () => {
      expect(() => parseFleetConfig(e.args)).toThrow(expect.objectContaining({ kind: "usage", message: e.error }));
    });
  }
});

describe("the config file", () => {
  it("gives the same configuration as the equivalent flags", () => {
    const p = file("same.json", { sensors: 40, duration: "30s", interval: "2s", qos: 2, version: "5", model: "gps", payload: "binary", seed: 9, shard: "2/3" });
    const fromFile = parseFleetConfig(["--config", p]);
    const fromFlags = parseFleetConfig(["--sensors", "40", "--duration", "30s", "--interval", "2s", "--qos", "2", "-V", "5", "--model", "gps",
      "--payload", "binary", "--seed", "9", "--shard", "2/3"]);
    expect(fromFile).toEqual(fromFlags);
  });

  it("is overridden by flags, for the fleet and every group", () => {
    const p = file("override.json", { sensors: 10, qos: 0, groups: [{ name: "a", qos: 1 }, { name: "b" }] });
    const c = parseFleetConfig(["--config", p, "--qos", "2", "--sensors", "20"]);
    expect(c.sensors).toBe(20);
    expect(c.groups.map((g) => g.qos)).toEqual([2, 2]);
  });

  it("splits sensors between groups: fixed counts first, the rest by weight", () => {
    const p = file("groups.json", { sensors: 100, groups: [{ name: "a", count: 10 }, { name: "b", weight: 2 }, { name: "c", weight: 1 }] });
    expect(parseFleetConfig(["--config", p]).groups.map((g) => g.count)).toEqual([10, 60, 30]);
  });

  it("lets a group set its own model, payload, interval, link and modem", () => {
    const p = file("own.json", { groups: [{ name: "trucks", count: 4, model: "gps", payload: "text", interval: "5s", link: "latency=1s", modem: { dialect: "esp-at", baud: 9600 } }] });
    const g = parseFleetConfig(["--config", p]).groups[0];
    expect(g).toMatchObject({ name: "trucks", model: "gps", payload: "text", intervalMs: 5000, modem: { dialect: "esp-at", baud: 9600 } });
    expect(g.link.latencyMs).toBe(1000);
  });

  it("names the file and the key at fault", () => {
    expect(() => parseFleetConfig(["--config", file("bad-key.json", { sensor: 3 })])).toThrow(/unknown key 'sensor'/);
    expect(() => parseFleetConfig(["--config", file("bad-json.json", "{ sensors: 3 ")])).toThrow(/is not valid JSON/);
    expect(() => parseFleetConfig(["--config", join(dir, "missing.json")])).toThrow(/cannot read .*missing\.json.*ENOENT/);
    expect(() => parseFleetConfig(["--config", file("bad-group.json", { groups: [{ name: "a", colour: "red" }] })])).toThrow(/unknown key 'colour' in groups\[0\]/);
    expect(() => parseFleetConfig(["--config", file("bad-qos.json", { groups: [{ qos: 5 }] })])).toThrow("--config: groups[0].qos must be an integer from 0 to 2, got '5'");
    expect(() => parseFleetConfig(["--config", file("both.json", { groups: [{ count: 1, weight: 1 }] })])).toThrow(/both count and weight/);
    expect(() => parseFleetConfig(["--config", file("opt.json", { groups: [{ optional: "yes" }] })])).toThrow("--config: groups[0].optional must be true or false");
    expect(() => parseFleetConfig(["--config", file("dup.json", { groups: [{ name: "x" }, { name: "x" }] })])).toThrow(/two groups are named 'x'/);
    expect(() => parseFleetConfig(["--config", file("over.json", { sensors: 5, groups: [{ count: 6 }] })])).toThrow(/add up to 6, more than the fleet's 5/);
  });

  it("may be YAML (.yaml), giving the same fleet as the same settings in JSON", () => {
    expect(parseFleetConfig(["--config", "test/fixtures/sim/demo.yaml"])).toEqual(parseFleetConfig(["--config", "sim/demo.json"]));
  });

  it("names a YAML file's first syntax error", () => {
    expect(() => parseFleetConfig(["--config", file("bad.yml", "sensors: [3\n")])).toThrow(/--config: '.*bad\.yml' is not valid YAML: /);
  });

  it("runs the demo fleet as shipped", () => {
    const c = parseFleetConfig(["--config", "sim/demo.json"]);
    expect(c.groups.reduce((n, g) => n + g.count, 0)).toBe(c.sensors);
    expect(new Set(c.groups.map((g) => g.model)).size).toBeGreaterThanOrEqual(4);
    expect(c.groups.some((g) => g.link.outages.length > 0 || g.link.latencyMs > 0)).toBe(true);
    expect(c.groups.some((g) => g.modem !== undefined)).toBe(true);
  });
});

describe("units", () => {
  it("splitByWeight hands out exactly the total, largest remainders first", () => {
    expect(splitByWeight(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitByWeight(7, [0, 1])).toEqual([0, 7]);
    for (let total = 0; total < 50; total++) expect(splitByWeight(total, [3, 1, 2, 5]).reduce((a, b) => a + b, 0)).toBe(total);
  });

  it("parseDuration reads ms, s, m, h and d", () => {
    expect([parseDuration("500ms", "s"), parseDuration("1.5s", "ms"), parseDuration("2m", "s"), parseDuration("1h", "s"), parseDuration("7", "s")])
      .toEqual([500, 1500, 120000, 3600000, 7000]);
    expect(parseDuration("30d", "s")).toBe(30 * 86_400_000);
  });

  it("--time virtual refuses what cannot run on one simulated clock, with one line", () => {
    expect(() => parseFleetConfig(["--time", "virtual", "--broker", "mqtt://127.0.0.1:1883"])).toThrow(/^--time virtual .*\(drop --broker;/);
    expect(() => parseFleetConfig(["--time", "virtual", "--modem", "bg96", "--sensors", "2"])).toThrow(/group '.*' has emulated modems/);
    expect(() => parseFleetConfig(["--time", "sometimes"])).toThrow("--time must be real or virtual, got 'sometimes'");
    expect(parseFleetConfig(["--time", "virtual", "--duration", "30d", "--interval", "1m"])).toMatchObject({ time: "virtual", durationS: 30 * 86_400 });
  });

  it("--workers takes a count or auto (one per core)", () => {
    expect(parseFleetConfig(["--workers", "3"]).workers).toBe(3);
    expect(parseFleetConfig(["--workers", "auto"]).workers).toBe(availableParallelism());
    expect(parseFleetConfig([]).workers).toBe(1);
    expect(() => parseFleetConfig(["--workers", "0"])).toThrow("--workers must be an integer from 1 to 256, got '0'");
  });

  it("shards are disjoint and together cover every sensor id, for any fleet and shard count", () => {
    for (const total of [1, 2, 7, 50, 101, 1000]) {
      for (let n = 1; n <= 9; n++) {
        const seen = new Array<number>(total).fill(0);
        for (let k = 1; k <= n; k++) {
          const r = shardRange(total, { k, n });
          for (let id = r.first; id < r.end; id++) seen[id]++;
        }
        expect(seen.every((c) => c === 1), `${total} sensors in ${n} shards`).toBe(true);
      }
    }
  });
});
