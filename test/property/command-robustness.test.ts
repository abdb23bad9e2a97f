// Commands with random arguments (random topic bytes, QoS 0-3, lengths beyond SCRATCH, offsets
// anywhere, random properties) never trap, never grow memory, never write SCRATCH, and return
// either success or a negative Status; what they accept reaches the wire unchanged and valid.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Status } from "../../host/abi.ts";
import type { Harness } from "../support/harness.ts";
import { ack, connectedWith, noProperties, parse, type Packet, type Version } from "../support/session-tools.ts";
import { runs } from "./fc-settings.ts";

const CASES: [Version, string][] = [[4, "default"], [5, "default"], [4, "tiny"], [5, "large"]];
const STATUSES = new Set(Object.values(Status).filter((v): v is number => typeof v === "number" && v > 0).map((v) => -v));
const int = fc.oneof(fc.integer({ min: -5, max: 2100 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));

/** Topic bytes: valid names, arbitrary bytes, or names with wildcards / NUL / bad UTF-8 spliced in. */
const topicBytes = fc.oneof(
  fc.stringMatching(/^[a-z0-9/]{1,20}$/).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.stringMatching(/^[a-z/]{0,8}$/), fc.constantFrom("+", "#", "\u0000", "\udc00", "é", "€"), fc.stringMatching(/^[a-z/]{0,8}$/))
    .map(([a, b, c]) => (b === "\udc00" ? Buffer.concat([Buffer.from(a), Buffer.from([0xed, 0xb0, 0x80]), Buffer.from(c)]) : Buffer.from(a + b + c))),
);

/** A topic name the specification allows: 1+ bytes of strict UTF-8, no U+0000, no wildcards. */
function validTopic(b: Buffer): boolean {
  if (b.length === 0) return false;
  let s: string;
  try { s = new TextDecoder("utf-8", { fatal: true }).decode(b); } catch { return false; }
  return !/[\u0000+#]/.test(s);
}

type Cmd =
  | { k: "publish"; topic: Buffer; payload: number; qos: number; retain: number }
  | { k: "raw-publish"; a: number[] }
  | { k: "write"; off: number; len: number }
  | { k: "request"; type: number; bytes: Buffer; len: number }
  | { k: "props"; bytes: Buffer }
  | { k: "option"; id: number; value: number }
  | { k: "disconnect"; reason: number }
  | { k: "auth"; reason: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant("publish" as const), topic: topicBytes, payload: fc.oneof(fc.nat(300), fc.nat(40_000)),
    qos: fc.integer({ min: 0, max: 3 }), retain: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("raw-publish" as const), a: fc.array(int, { minLength: 5, maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("write" as const), off: int, len: int }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("request" as const), type: fc.constantFrom(8, 10, 3, 0, 12), bytes: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), len: int }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("props" as const), bytes: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("option" as const), id: fc.integer({ min: -1, max: 10 }), value: int }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("disconnect" as const), reason: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("auth" as const), reason: fc.integer({ min: 0, max: 300 }) }) },
);

/** Streams a publish the way a host does: publishBegin, then the payload through SCRATCH (bytes 0x5a). */
function streamed(h: Harness, topic: Buffer, payload: number, qos: number, retain: number): number {
  const fw = h.fw;
  noProperties(fw);
  const t = fw.scratchWrite(0, topic);
  const id = fw.exports.publishBegin(0, t, payload, qos, retain);
  if (id < 0) return id;
  for (let left = payload; left > 0;) {
    const n = Math.min(left, fw.scratchSize);
    fw.memory.fill(0x5a, fw.scratch, fw.scratch + n);
    const r = fw.exports.publishWrite(0, n);
    if (r < 0) return r;
    left -= n;
  }
  return id;
}

/** Writes what the host writes for a single-call command and returns the call into the firmware. */
function prepare(h: Harness, c: Exclude<Cmd, { k: "publish" }>): () => number {
  const fw = h.fw;
  const e = fw.exports;
  switch (c.k) {
    case "raw-publish": return () => e.publishBegin(c.a[0], c.a[1], c.a[2], c.a[3] >>> 0, c.a[4] >>> 0);
    case "write": return () => e.publishWrite(c.off, c.len);
    case "request": fw.scratchWrite(0, c.bytes); return () => e.request(c.type, 0, c.len < 0 || c.len > 2100 ? c.len : c.bytes.length);
    case "props":
      if (fw.budget("MQTT5_ENABLED")) fw.memory.set(c.bytes.subarray(0, fw.propsSize), fw.props);
      return () => e.propsSet(c.bytes.length);
    case "option": return () => e.setOption(c.id, c.value >>> 0);
    case "disconnect": return () => e.disconnect(c.reason);
    case "auth": return () => e.auth(c.reason);
  }
}

/** Acknowledges everything the client sends until it is quiet; returns its PUBLISH packets. */
function drain(h: Harness, version: Version): Packet[] {
  const published: Packet[] = [];
  for (let round = 0; round < 200; round++) {
    const out = parse(h.transmit(), version);
    if (out.length === 0) break;
    for (const p of out) {
      if (p.cmd === "publish") {
        published.push(p);
        if (p.qos === 1) h.send(ack(version, "puback", p.messageId));
        if (p.qos === 2) h.send(ack(version, "pubrec", p.messageId));
      } else if (p.cmd === "pubrel") h.send(ack(version, "pubcomp", p.messageId));
    }
  }
  return published;
}

describe.each(CASES)("command robustness, MQTT version %i, profile %s", (version, profile) => {
  it("never traps, never grows memory, never writes SCRATCH, and answers >= 0 or -Status", () => {
    fc.assert(fc.property(fc.array(cmd, { minLength: 1, maxLength: 12 }), (cmds) => {
      const h = connectedWith(version, { keepalive: 0 }, undefined, profile);
      const size = h.fw.exports.memory.buffer.byteLength;
      const scratch = () => Buffer.from(h.fw.memory.subarray(h.fw.scratch, h.fw.scratch + h.fw.scratchSize));
      for (const c of cmds) {
        let rc: number;
        if (c.k === "publish") {
          rc = streamed(h, c.topic, c.payload, c.qos, c.retain);
          // -InvalidState first when an earlier raw publishBegin left a streamed publish open.
          if (c.qos > 2 || !validTopic(c.topic)) expect([-Status.BadArgument, -Status.InvalidState], "invalid QoS or topic name").toContain(rc);
          if (rc >= 0) expect(rc === 0, "packet id 0 exactly for QoS 0").toBe(c.qos === 0);
        } else {
          const call = prepare(h, c);
          // What the host put in SCRATCH is the host's: the command may read it, never change it.
          const before = scratch();
          rc = call();
          expect(scratch().equals(before), `${c.k} wrote SCRATCH`).toBe(true);
        }
        expect(rc >= 0 || STATUSES.has(rc), `${c.k} returned ${rc}`).toBe(true);
        parse(h.transmit(), version); // whatever the client sends is valid MQTT
      }
      expect(h.fw.exports.memory.buffer.byteLength).toBe(size);
    }), runs(400));
  });

  it("puts every publish it accepts on the wire, in order, with its topic, QoS and payload length", () => {
    const publishes = fc.array(fc.record({ topic: topicBytes, payload: fc.nat(2000), qos: fc.integer({ min: 0, max: 2 }) }), { minLength: 1, maxLength: 10 });
    fc.assert(fc.property(publishes, (list) => {
      const h = connectedWith(version, { keepalive: 0 }, undefined, profile);
      const accepted: { topic: string; qos: number; length: number }[] = [];
      const sent: Packet[] = [];
      for (const p of list) {
        const rc = streamed(h, p.topic, p.payload, p.qos, 0);
        if (rc >= 0) accepted.push({ topic: p.topic.toString("utf8"), qos: p.qos, length: p.payload });
        sent.push(...drain(h, version));
      }
      expect(sent.map((p) => ({ topic: p.topic, qos: p.qos, length: p.payload.length }))).toEqual(accepted);
      for (const p of sent) expect(Buffer.from(p.payload).every((b) => b === 0x5a)).toBe(true);
    }), runs(300));
  });
});
