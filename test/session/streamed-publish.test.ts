// A PUBLISH whose payload is larger than SCRATCH (and TX) is streamed in by the host with
// publishBegin / publishWrite and streamed out through TX; the bytes on the wire are exactly
// one PUBLISH, never interleaved with other packets.
import { describe, expect, it } from "vitest";
import { publish } from "../../host/commands.ts";
import { Status } from "../../host/abi.ts";
import type { Harness } from "../support/harness.ts";
import {
  brokerPublish, cmds, connectedWith, noProperties, parse, settle, streamPublish, type Version,
} from "../support/session-tools.ts";

const CASES: [Version, string][] = [[4, "default"], [5, "default"], [4, "tiny"], [5, "large"]];

/** A payload larger than SCRATCH and TX: the largest the outbox holds, or (`small`) just larger. */
function bigPayload(h: Harness, topic: string, small = false): Buffer {
  const size = small ? Math.max(h.fw.budget("SCRATCH_BYTES"), h.fw.budget("TX_BUFFER_BYTES")) + 100
    : h.fw.budget("OUTBOX_BYTES") - 64 - topic.length;
  expect(size).toBeGreaterThan(h.fw.budget("SCRATCH_BYTES"));
  expect(size).toBeGreaterThan(h.fw.budget("TX_BUFFER_BYTES"));
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 13 + 5) & 0xff));
}

describe.each(CASES)("streamed publish, MQTT version %i, profile %s", (version, profile) => {
  const connected = () => connectedWith(version, { keepalive: 0 }, undefined, profile);
  const piece = (h: Harness) => h.fw.budget("SCRATCH_BYTES");

  it.each([0, 1, 2])("puts exactly one QoS %i PUBLISH with the whole payload on the wire", (qos) => {
    const h = connected();
    const payload = bigPayload(h, "st/big");
    const { id, left } = streamPublish(h.fw, "st/big", payload, qos, piece(h));
    expect(id).toBeGreaterThanOrEqual(0);
    expect(left.at(-1)).toBe(0);
    const out = parse(h.transmit(), version);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ cmd: "publish", topic: "st/big", qos, dup: false });
    if (qos > 0) expect(out[0].messageId).toBe(id);
    expect(Buffer.compare(out[0].payload, payload)).toBe(0);
  });

  it("reports the bytes still expected after each publishWrite", () => {
    const h = connected();
    const payload = bigPayload(h, "st/left");
    const p = piece(h);
    const { left } = streamPublish(h.fw, "st/left", payload, 1, p);
    const want = left.map((_, i) => Math.max(0, payload.length - (i + 1) * p));
    expect(left).toEqual(want);
  });

  it("sends nothing of the message until its last byte is written", () => {
    const h = connected();
    const payload = bigPayload(h, "st/wait");
    noProperties(h.fw);
    const t = h.fw.scratchWrite(0, Buffer.from("st/wait"));
    expect(h.fw.exports.publishBegin(0, t, payload.length, 1, 0)).toBeGreaterThan(0);
    h.fw.scratchWrite(0, payload.subarray(0, 10));
    expect(h.fw.exports.publishWrite(0, 10)).toBe(payload.length - 10);
    expect(h.transmit()).toHaveLength(0);
  });

  it("refuses other publishes while a streamed one is open (-InvalidState)", () => {
    const h = connected();
    noProperties(h.fw);
    const t = h.fw.scratchWrite(0, Buffer.from("st/open"));
    expect(h.fw.exports.publishBegin(0, t, 100, 0, 0)).toBe(0);
    expect(publish(h.fw, "st/other", "x", 0)).toBe(-Status.InvalidState);
    expect(h.fw.exports.publishBegin(0, t, 10, 0, 0)).toBe(-Status.InvalidState);
  });

  it("refuses a publishWrite beyond the announced length (-BadArgument) and one without publishBegin (-InvalidState)", () => {
    const h = connected();
    expect(h.fw.exports.publishWrite(0, 1)).toBe(-Status.InvalidState);
    noProperties(h.fw);
    const t = h.fw.scratchWrite(0, Buffer.from("st/over"));
    h.fw.exports.publishBegin(0, t, 4, 0, 0);
    expect(h.fw.exports.publishWrite(0, 5)).toBe(-Status.BadArgument);
  });

  it("keeps the order of messages queued before and after the streamed one", () => {
    const h = connected();
    expect(publish(h.fw, "st/before", "b", 1)).toBeGreaterThan(0);
    streamPublish(h.fw, "st/big", bigPayload(h, "st/big", true), 1, piece(h));
    expect(publish(h.fw, "st/after", "a", 1)).toBeGreaterThan(0);
    expect(parse(h.transmit(), version).map((p) => p.topic)).toEqual(["st/before", "st/big", "st/after"]);
  });

  it("never interleaves an acknowledgement into a PUBLISH larger than TX", () => {
    const h = connected();
    const payload = bigPayload(h, "st/big");
    streamPublish(h.fw, "st/big", payload, 1, piece(h));
    // Take only the first TX-full of the PUBLISH; then the broker sends a QoS 1 message.
    const first = h.fw.exports.pollTransmit(h.now);
    expect(first).toBe(h.fw.budget("TX_BUFFER_BYTES"));
    const head = Buffer.from(h.fw.memory.subarray(h.fw.tx, h.fw.tx + first));
    h.send(brokerPublish(version, "in/q1", "x", 1, 77));
    const { bytes } = settle(h);
    const out = parse(Buffer.concat([head, bytes]), version);
    expect(cmds(out)).toEqual(["publish", "puback"]);
    expect(Buffer.compare(out[0].payload, payload)).toBe(0);
    expect(out[1].messageId).toBe(77);
    expect(h.events.filter((e) => e.name === "Message")).toHaveLength(1);
  });
});

describe("streamed publish with topic aliases (MQTT 5)", () => {
  it("sends the second streamed PUBLISH to a topic with the alias and an empty topic, payload intact", () => {
    const h = connectedWith(5, { keepalive: 0 }, { topicAliasMaximum: 4 });
    const payload = bigPayload(h, "st/alias").subarray(0, 2000);
    const out = [1, 2].flatMap(() => {
      streamPublish(h.fw, "st/alias", payload, 0, h.fw.budget("SCRATCH_BYTES"));
      return parse(h.transmit(), 5);
    });
    expect(out.map((p) => p.topic)).toEqual(["st/alias", ""]);
    expect(out[1].properties?.topicAlias).toBe(out[0].properties?.topicAlias);
    for (const p of out) expect(Buffer.compare(p.payload, payload)).toBe(0);
  });
});
