// Whatever a broker sends, a connected session never traps, never grows memory, never writes
// outside the regions it declares (nor into SCRATCH, PROPS or CONNECT), only ever sends valid
// client packets, and either processes the input or ends in one ProtocolViolation with a reason
// code >= 0x80 (sent in a DISCONNECT in MQTT 5, never sent in 3.1.1). Split reads change nothing.
// The bytes go through the real host loop, which closes a connection that is over; the client
// does not reconnect here (AutoReconnect off), so whatever follows an ending is the firmware's.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Option, SessionState } from "../../host/abi.ts";
import { publish, subscribe, unsubscribe } from "../../host/commands.ts";
import type { FirmwareEvent } from "../../host/events.ts";
import {
  changedRange, connectedWith, frozenOnInput, parse, snapshot, type Packet, type Version,
} from "../support/session-tools.ts";
import { runs } from "./fc-settings.ts";
import { brokerBytes, pieces, splits } from "./input-arbitraries.ts";

const CASES: [Version, string][] = [[4, "default"], [5, "default"], [4, "tiny"], [5, "large"]];
const CLIENT_PACKETS = new Set(["publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "unsubscribe", "pingreq", "disconnect"]);
const ENDINGS = new Set(["ProtocolViolation", "ServerDisconnect"]);
/** Events after which the host loop closes the connection (host/link.ts). */
const OVER = new Set([...ENDINGS, "Timeout", "ConnectRefused"]);

/**
 * A connected client, with packets of its own in flight when `own` (QoS 1 and 2 PUBLISH,
 * SUBSCRIBE, UNSUBSCRIBE: packet ids 1-8), fed the reads; collects events and client packets.
 */
function run(version: Version, profile: string, reads: Buffer[], keepalive = 0, own = true) {
  const h = connectedWith(version, { keepalive }, undefined, profile);
  expect(h.fw.exports.setOption(Option.AutoReconnect, 0)).toBe(0);
  for (let i = 0; i < (own ? 3 : 0); i++) {
    expect(publish(h.fw, `own/${i}`, "x", 1)).toBeGreaterThan(0);
    expect(publish(h.fw, `own/q2/${i}`, "y", 2)).toBeGreaterThan(0);
  }
  if (own) {
    expect(subscribe(h.fw, [{ topic: "sub/+", qos: 2 }])).toBeGreaterThan(0);
    expect(unsubscribe(h.fw, ["old/#"])).toBeGreaterThan(0);
  }
  parse(h.transmit(), version);
  const frozen = frozenOnInput(h.fw);
  const before = snapshot(h.fw, frozen);
  const size = h.fw.exports.memory.buffer.byteLength;
  const events: FirmwareEvent[] = [];
  const out: Packet[] = [];
  for (const r of reads) {
    events.push(...h.send(r));
    out.push(...parse(h.transmit(), version));
  }
  // Read before time passes: the close of a connection that is over is due at once.
  const stateAfterReads = h.fw.exports.sessionState();
  events.push(...h.advance(3 * 60_000));
  out.push(...parse(h.transmit(), version));
  return { h, events, out, grew: h.fw.exports.memory.buffer.byteLength !== size, changed: changedRange(h.fw, frozen, before), frozen,
    stateAfterReads };
}

/** Events with chunked Message payloads merged, so that different read sizes compare equal. */
function canonical(events: FirmwareEvent[]) {
  const out: unknown[] = [];
  let msg: { topic?: string; packetId: number; payload: string } | undefined;
  for (const e of events) {
    if (e.name === "Message") {
      if (e.first) msg = { topic: e.topic, packetId: e.packetId, payload: "" };
      msg!.payload += e.payload!.toString("hex");
      if (e.last) { out.push(msg); msg = undefined; }
    } else out.push({ name: e.name, reason: e.reason, packetId: e.packetId });
  }
  return out;
}

describe.each(CASES)("session robustness, MQTT version %i, profile %s", (version, profile) => {
  it("survives any broker bytes, split anywhere, within its declared memory", () => {
    fc.assert(fc.property(brokerBytes(version), splits, (bytes, sizes) => {
      const { h, events, out, grew, changed, frozen, stateAfterReads } = run(version, profile, pieces(bytes, sizes), 30);
      expect(grew).toBe(false);
      expect(changed, `write into frozen range ${JSON.stringify(frozen[changed])}`).toBe(-1);
      for (const p of out) expect(CLIENT_PACKETS.has(p.cmd), `client sent ${p.cmd}`).toBe(true);
      const end = events.findIndex((e) => ENDINGS.has(e.name));
      if (end >= 0) expect(events.slice(end + 1).map((e) => e.name)).toEqual([]);
      const violations = events.filter((e) => e.name === "ProtocolViolation");
      expect(violations.length).toBeLessThanOrEqual(1);
      for (const v of violations) expect(v.reason).toBeGreaterThanOrEqual(0x80);
      const disconnects = out.filter((p) => p.cmd === "disconnect");
      if (version === 4) expect(disconnects).toEqual([]);
      else if (violations.length) expect(disconnects.map((d) => d.reasonCode)).toEqual([violations[0].reason]);
      else expect(disconnects).toEqual([]);
      if (end >= 0) expect(stateAfterReads).toBe(SessionState.Closing);
      else expect([SessionState.Connected, SessionState.Closing]).toContain(stateAfterReads);
      // After three minutes the connection is closed exactly when it was over (an ending, or the
      // PINGRESP timeout of Keep Alive 30), and the firmware is Idle then.
      const over = events.some((e) => OVER.has(e.name));
      expect(h.connection!.destroyed).toBe(over);
      expect(h.fw.exports.sessionState()).toBe(over ? SessionState.Idle : SessionState.Connected);
    }), runs(500));
  });

  // Without packets of its own in flight, what the client sent between two reads cannot change
  // how it reads the next one (an acknowledgement of its own PUBREL can, for instance).
  it("gives the same events for the same bytes, whole or split at random points", () => {
    fc.assert(fc.property(brokerBytes(version), splits.filter((s) => s.length > 0), (bytes, sizes) => {
      const whole = run(version, profile, [bytes], 0, false);
      const split = run(version, profile, pieces(bytes, sizes), 0, false);
      expect(canonical(split.events)).toEqual(canonical(whole.events));
      // Same packets, and per packet type in the same order (MQTT orders acks of one kind only, 4.6).
      const byType = (ps: Packet[]) => [...ps].sort((a, b) => (a.cmd < b.cmd ? -1 : a.cmd > b.cmd ? 1 : 0));
      if (!whole.events.some((e) => ENDINGS.has(e.name))) expect(byType(split.out)).toEqual(byType(whole.out));
    }), runs(300));
  });
});
