// What the client does when the server breaks the protocol. MQTT 5: it sends DISCONNECT with the
// reason code (4.13) and processes no more input. MQTT 3.1.1: it sends nothing (a 3.1.1
// DISCONNECT would discard the will, [MQTT-3.14.4-3]) and only reports ProtocolViolation.
import { describe, expect, it } from "vitest";
import { EventType, Option, Reason, SessionState } from "../../host/abi.ts";
import { drainEvents } from "../../host/events.ts";
import { hex } from "../support/harness.ts";
import { brokerPublish, connectedWith, fixture, parse, type Version } from "../support/session-tools.ts";

interface Case { version: Version; name: string; hex: string; reason: number; rule: string }
const { cases } = fixture<{ cases: Case[] }>("session/protocol-violations.json");

describe.each(cases)("MQTT $version: $name ($rule)", (c) => {
  it(`reports ProtocolViolation with reason 0x${c.reason.toString(16)}`, () => {
    const h = connectedWith(c.version);
    const ev = h.send(hex(c.hex));
    expect(ev.map((e) => [e.name, e.reason])).toEqual([["ProtocolViolation", c.reason]]);
    expect(h.fw.counters().protocolViolations).toBe(1);
    expect(h.fw.exports.sessionState()).toBe(SessionState.Closing);
  });

  it(c.version === 5 ? "sends DISCONNECT with that reason code" : "sends nothing", () => {
    const h = connectedWith(c.version);
    h.send(hex(c.hex));
    const out = parse(h.transmit(), c.version);
    if (c.version === 5) expect(out).toEqual([expect.objectContaining({ cmd: "disconnect", reasonCode: c.reason })]);
    else expect(out).toEqual([]);
  });
});

describe.each([4, 5] as Version[])("after a violation, MQTT version %i", (version) => {
  const broken = () => {
    const h = connectedWith(version);
    h.send("00 00");
    h.transmit();
    return h;
  };

  it("processes no more input: a valid PUBLISH is neither delivered nor acknowledged", () => {
    const h = broken();
    expect(h.send(brokerPublish(version, "late", "x", 1, 3))).toEqual([]);
    expect(h.transmit()).toHaveLength(0);
    // The host loop stops reading a connection that is over; the firmware refuses such input
    // by itself too (its own contract, checked by feeding it directly).
    h.fw.feed(brokerPublish(version, "late", "x", 1, 4));
    expect(drainEvents(h.fw, h.now)).toEqual([]);
    expect(h.fw.transmit(h.now)).toHaveLength(0);
  });

  it("reports the violation once, even when the bad bytes and more follow in one read", () => {
    const h = connectedWith(version);
    const ev = h.send(Buffer.concat([hex("00 00"), hex("00 00"), brokerPublish(version, "late", "x")]));
    expect(ev.map((e) => e.type)).toEqual([EventType.ProtocolViolation]);
  });

  it("stops its timers: no PINGREQ and no Timeout afterwards", () => {
    const h = broken();
    // The host loop closes the connection after the violation (the broker's close is due now);
    // without AutoReconnect nothing follows that close, so an hour of silence is the firmware's.
    expect(h.fw.exports.setOption(Option.AutoReconnect, 0)).toBe(0);
    expect(h.fw.exports.pollDelayMs(h.now)).toBe(-1); // no timer while Closing (the firmware's own contract)
    expect(h.advance(3600_000)).toEqual([]);
    expect(h.transmit()).toHaveLength(0);
  });

  it("delivers everything that came before the bad packet", () => {
    const h = connectedWith(version);
    const ev = h.send(Buffer.concat([brokerPublish(version, "ok/1", "a"), brokerPublish(version, "ok/2", "b"), hex("00 00")]));
    expect(ev.map((e) => e.topic ?? e.name)).toEqual(["ok/1", "ok/2", "ProtocolViolation"]);
  });
});

describe("server DISCONNECT (MQTT 5)", () => {
  it("reports ServerDisconnect with the reason and properties and sends nothing back", () => {
    const h = connectedWith(5);
    const ev = h.send("e0 0a 8b 08 1f 0005 62 79 65 21 21");
    expect(ev).toMatchObject([{ name: "ServerDisconnect", reason: Reason.ServerShuttingDown, properties: { reasonString: "bye!!" } }]);
    expect(h.transmit()).toHaveLength(0);
    expect(h.fw.exports.sessionState()).toBe(SessionState.Closing);
  });
});
