// Every entry of mqtt-packet 9.0.2's fixtures (test/fixtures/conformance/mqtt-packet-fixtures.json)
// against our client: packets a client receives decode to what mqtt-packet parses (unless the
// specification says otherwise: test/vectors/mqtt-packet-fixture-notes.json), packets it sends
// encode to the fixture's bytes, parse errors are rejected with a reason code, and commands the
// specification forbids are refused. Entries with no client behaviour say why (counted apart).
import { describe, expect, test } from "vitest";
import { Firmware } from "../../host/firmware.ts";
import { Status } from "../../host/abi.ts";
import { clientEmits, clientOutcome, connectedSession, NotExpressible } from "../support/codec-drive.ts";
import { comparable, decodeRx, hexBytes, mqttGenerate, mqttParse, spacedHex, toJson, type Packet } from "../support/codec-packets.ts";
import { mqtt31AsMqtt311, withoutConnectProperties } from "../support/codec-rewrite.ts";
import { code } from "../support/codec-vectors.ts";
import { loadPlans, NOTES, notesUsed, type Plan } from "./fixture-plan.ts";

const PLANS = loadPlans();
const PROPERTY_IDS: Record<string, number> = { receiveMaximum: 0x21, topicAliasMaximum: 0x22 };

/** Profile whose buffers hold the packet (the 2 KB fixture needs "large"). */
const profileFor = (n: number) => (n > 1024 ? "large" : "default");
const codesOf = (e: { reason?: string; reasonAnyOf?: string[] }) => (e.reason ? [e.reason] : e.reasonAnyOf ?? []).map(code);

/** An MQTT 3.1 CONNECT expressed as the MQTT 3.1.1 CONNECT with the same fields (our client speaks 3.1.1 and 5.0). */
const asMqtt311 = (p: Packet): Packet => ({ ...p, protocolId: "MQTT", protocolVersion: 4 });

function label(p: Plan): string {
  return `#${p.index} ${p.kind} "${p.name}" (v${p.version === 5 ? "5.0" : "3.1.1"})`;
}

function decodeTests(p: Plan): void {
  const d = p.decode!;
  if (d.stream) {
    test(`${label(p)}: a client receives the ${p.bigLength}-byte PUBLISH in chunks through the session, as mqtt-packet parses it`, () => {
      const h = connectedSession({ version: p.version, profile: "large" });
      const total = ((p.packet as Packet).payload as { $big_len: number }).$big_len;
      // 30: PUBLISH QoS 0 | ff ff ff 7f: Remaining Length 268,435,455 (the largest) | 00 04 "test"
      const head = hexBytes("30 ff ff ff 7f 00 04 74 65 73 74");
      const zeros = Buffer.alloc(1 << 20);
      const got = { first: undefined as unknown, bytes: 0, nonZero: 0, last: 0, contiguous: true, other: [] as string[] };
      const take = (events: ReturnType<typeof h.send>) => {
        for (const e of events) {
          if (!e.payload) { got.other.push(`${e.name} 0x${e.reason.toString(16)}`); continue; }
          if (e.first) got.first = { topic: e.topic, qos: e.qos, retain: e.retain, dup: e.dup, total: e.total };
          if (e.offset !== got.bytes) got.contiguous = false;
          got.bytes += e.payload!.length;
          if (e.payload!.compare(zeros, 0, e.payload!.length) !== 0) got.nonZero++;
          if (e.last) got.last++;
        }
        h.events.length = 0; // the harness keeps every event; 256 MiB of chunks must not stay alive
      };
      take(h.send(head));
      for (let left = total; left > 0 && got.other.length === 0; left -= zeros.length) take(h.send(zeros.subarray(0, Math.min(left, zeros.length))));
      expect({ wire: head.length + total, ...got }).toEqual({
        wire: p.bigLength, first: { topic: "test", qos: 0, retain: false, dup: false, total }, bytes: total, nonZero: 0, last: 1, contiguous: true, other: [],
      });
    }, 60_000);
    return;
  }
  const fw = new Firmware(profileFor(p.bytes!.length));
  if (d.reject) {
    test(`${label(p)}: the specification makes a client reject it (${d.reject.rule}: ${d.reject.why})`, () => {
      expect(codesOf(d.reject!)).toContain(decodeRx(fw, p.bytes!, p.version).rc);
    });
    return;
  }
  const what = d.instead ? `decodes to ${JSON.stringify(d.expect)} (${d.instead.rule}: ${d.instead.why})` : "decodes to what mqtt-packet parses";
  test(`${label(p)}: ${what}`, () => {
    const got = decodeRx(fw, p.bytes!, p.version);
    expect({ rc: got.rc, packet: got.packet && toJson(got.packet) }).toEqual({ rc: 0, packet: comparable(d.expect!, p.version) });
  });
}

function encodeTests(p: Plan): void {
  const { input, note, mqtt31 } = p.encode!;
  const o = { version: (input.protocolVersion === 5 ? 5 : p.version) as 4 | 5, profile: profileFor(p.bytes!.length) };
  if (note?.dropProperties) {
    const ids = note.dropProperties.map((n) => PROPERTY_IDS[n]);
    test(`${label(p)}: encodes to the fixture's bytes once ${note.dropProperties.join(" and ")} are removed from both (${note.why})`, () => {
      const props = { ...(input.properties as object) } as Record<string, unknown>;
      for (const n of note.dropProperties!) delete props[n];
      const ours = clientEmits({ ...input, properties: props }, o);
      expect(spacedHex(withoutConnectProperties(ours, ids))).toBe(spacedHex(withoutConnectProperties(p.bytes!, ids)));
    });
    return;
  }
  if (note?.equivalentHex) {
    test(`${label(p)}: encodes to the equivalent ${note.equivalentHex} that mqtt-packet parses to the fixture's packet (${note.rule}: ${note.why})`, () => {
      const ours = clientEmits(input, o);
      const parsed = mqttParse(ours, p.version);
      expect({ hex: spacedHex(ours), packets: parsed.packets.map((x) => comparable(x, p.version)) })
        .toEqual({ hex: spacedHex(hexBytes(note.equivalentHex!)), packets: [comparable(input, p.version)] });
    });
    return;
  }
  if (mqtt31) {
    test(`${label(p)}: as MQTT 3.1.1 (protocol name "MQTT", level 4), encodes to the fixture's bytes with that name and level`, () => {
      expect(spacedHex(clientEmits(asMqtt311(input), o))).toBe(spacedHex(mqtt31AsMqtt311(p.bytes!)));
    });
    return;
  }
  test(`${label(p)}: our client emits the fixture's bytes`, () => {
    expect(spacedHex(clientEmits(input, o))).toBe(spacedHex(p.bytes!));
  });
}

/** A PUBLISH too large to hold in memory: only its header is given to the firmware (publishBegin). */
function bigPublishOutcome(p: Plan, input: Packet): string {
  const h = connectedSession({ version: p.version });
  const topic = Buffer.from(String(input.topic));
  h.fw.scratchWrite(0, topic);
  const payloadLength = (input.payload as { $big_len: number }).$big_len;
  const rc = h.fw.exports.publishBegin(0, topic.length, payloadLength, (input.qos ?? 0) as number, input.retain ? 1 : 0);
  return rc < 0 ? Status[-rc] : "accepted";
}

function refuseTests(p: Plan): void {
  const { input, note, mqtt31 } = p.refuse!;
  const allowed = Array.isArray(note.refused) ? note.refused : [note.refused!];
  test(`${label(p)}: our client refuses it (${allowed.join(" or ")}; ${note.rule}: ${note.why})`, () => {
    // Our API has no protocol name: a 3.1 CONNECT is tried as 3.1.1, any other level as itself.
    const cmd = mqtt31 ? asMqtt311(input) : input.cmd === "connect" ? { ...input, protocolId: "MQTT" } : input;
    const big = (input.payload as { $big_len?: number } | undefined)?.$big_len !== undefined;
    const outcome = big ? bigPublishOutcome(p, cmd) : clientOutcome(cmd, { version: p.version });
    expect(allowed).toContain(outcome);
  });
}

function parseErrorTests(p: Plan): void {
  const e = p.parseError!;
  const what = e.serverOnly ? "a client rejects a packet only a server receives" : `rejected (${e.rule}: ${e.why})`;
  test(`${label(p)}: ${what}, with ${codesOf(e).map((c) => "0x" + c.toString(16)).join(" or ")}`, () => {
    expect(codesOf(e)).toContain(decodeRx(new Firmware(profileFor(p.bytes!.length)), p.bytes!, p.version).rc);
  });
}

function notApplicableTest(p: Plan): void {
  test(`${label(p)}: does not apply to our client: ${p.notApplicable}`, () => {
    // What we can still check: the entry is what the note says it is.
    if (p.generateArgs) {
      for (const cmd of p.generateArgs.cmds) {
        expect(() => mqttGenerate({ ...p.generateArgs!.packet, cmd }, p.generateArgs!.version), cmd).toThrow();
      }
    } else {
      expect(() => clientEmits(p.packet!, { version: p.version })).toThrow(NotExpressible);
    }
  });
}

describe("mqtt-packet fixtures", () => {
  for (const p of PLANS) {
    describe(label(p), () => {
      if (p.notApplicable) notApplicableTest(p);
      if (p.decode) decodeTests(p);
      if (p.encode) encodeTests(p);
      if (p.refuse) refuseTests(p);
      if (p.parseError) parseErrorTests(p);
    });
  }
});

describe("mqtt-packet fixture plan", () => {
  test("there are 160 entries and each gets at least one test", () => {
    const untested = PLANS.filter((p) => !(p.notApplicable || p.decode || p.encode || p.refuse || p.parseError)).map((p) => p.index);
    expect({ entries: PLANS.length, untested }).toEqual({ entries: 160, untested: [] });
  });
  test("not-applicable entries stay few (at most 20 of 160)", () => {
    expect(PLANS.filter((p) => p.notApplicable).length).toBeLessThanOrEqual(20);
  });
  test("every note in mqtt-packet-fixture-notes.json is used by its entry", () => {
    const used = new Set(PLANS.flatMap(notesUsed));
    const all = [
      ...Object.keys(NOTES.decode).map((k) => `decode.${k}`),
      ...Object.keys(NOTES.encode).map((k) => `encode.${k}`),
      ...Object.keys(NOTES.notApplicable).map((k) => `notApplicable.${k}`),
    ];
    expect(all.filter((n) => !used.has(n))).toEqual([]);
  });
});
