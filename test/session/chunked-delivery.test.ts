// A PUBLISH larger than RX arrives as Message events (offset, total, first/last) that reassemble
// exactly, however the bytes are split; QoS 1/2 is acknowledged only after the last chunk, and
// the packet after it is decoded normally (the stream never loses sync).
import { describe, expect, it } from "vitest";
import { Reason } from "../../host/abi.ts";
import type { FirmwareEvent } from "../../host/events.ts";
import type { Harness } from "../support/harness.ts";
import { ack, brokerPublish, connectedWith, parse, type Version } from "../support/session-tools.ts";

type Split = "whole" | "byte at a time" | "97-byte pieces";
const SPLITS: Split[] = ["whole", "byte at a time", "97-byte pieces"];
const CASES: [Version, string][] = [[4, "default"], [5, "default"], [4, "tiny"], [5, "large"]];

/** Feeds bytes split as asked; returns the events and, per piece, whether the client had bytes to send. */
function deliver(h: Harness, bytes: Buffer, split: Split): { events: FirmwareEvent[]; txAt: number[] } {
  const size = split === "whole" ? bytes.length : split === "byte at a time" ? 1 : 97;
  const events: FirmwareEvent[] = [];
  const txAt: number[] = [];
  for (let off = 0; off < bytes.length; off += size) {
    events.push(...h.send(bytes.subarray(off, off + size)));
    if (h.transmit().length > 0) txAt.push(Math.min(off + size, bytes.length));
  }
  return { events, txAt };
}

function payloadOf(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
}

/** Checks the chunk sequence of one message and returns its reassembled payload. */
function reassemble(chunks: FirmwareEvent[], total: number): Buffer {
  expect(chunks.length).toBeGreaterThan(1);
  // Collect every deviation first: one expect per chunk is too slow for byte-at-a-time runs.
  const wrong: string[] = [];
  let offset = 0;
  chunks.forEach((c, i) => {
    const want = { name: "Message", offset, total, first: i === 0, last: i === chunks.length - 1 };
    const got = { name: c.name, offset: c.offset, total: c.total, first: c.first, last: c.last };
    if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`chunk ${i}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    offset += c.payload!.length;
  });
  expect(wrong.slice(0, 5)).toEqual([]);
  expect(offset).toBe(total);
  return Buffer.concat(chunks.map((c) => c.payload!));
}

describe.each(CASES)("chunked delivery, MQTT version %i, profile %s", (version, profile) => {
  const big = (h: Harness) => payloadOf(3 * h.fw.budget("RX_BUFFER_BYTES") + 17);

  describe.each(SPLITS)("fed %s", (split) => {
    it.each([0, 1, 2])("reassembles a QoS %i PUBLISH larger than RX exactly", (qos) => {
      const h = connectedWith(version, {}, undefined, profile);
      const payload = big(h);
      const { events } = deliver(h, brokerPublish(version, "big/t", payload, qos, 42), split);
      expect(events[0]).toMatchObject({ topic: "big/t", qos, packetId: qos > 0 ? 42 : 0 });
      expect(reassemble(events, payload.length).equals(payload)).toBe(true);
    });

    it.each([[1, "puback"], [2, "pubrec"]])("acknowledges QoS %i only after the last chunk (%s)", (qos, cmd) => {
      const h = connectedWith(version, {}, undefined, profile);
      const bytes = brokerPublish(version, "big/t", big(h), qos, 42);
      const { txAt } = deliver(h, bytes, split);
      expect(txAt).toEqual([bytes.length]);
      // The acknowledgement itself went out with the last piece; check its content on a replay.
      const h2 = connectedWith(version, {}, undefined, profile);
      h2.send(bytes);
      expect(parse(h2.transmit(), version)).toMatchObject([{ cmd, messageId: 42 }]);
    });

    it("decodes the packet after a chunked PUBLISH normally", () => {
      const h = connectedWith(version, {}, undefined, profile);
      const payload = big(h);
      const bytes = Buffer.concat([
        brokerPublish(version, "big/t", payload, 1, 42),
        brokerPublish(version, "small/t", "after", 1, 43),
      ]);
      const { events } = deliver(h, bytes, split);
      const last = events.pop()!;
      expect(reassemble(events, payload.length).equals(payload)).toBe(true);
      expect(last).toMatchObject({ name: "Message", topic: "small/t", packetId: 43, first: true, last: true });
      expect(last.payload!.toString()).toBe("after");
    });
  });

  it("does not deliver a resent chunked QoS 2 PUBLISH again before PUBREL, but answers PUBREC", () => {
    const h = connectedWith(version, {}, undefined, profile);
    const payload = big(h);
    h.send(brokerPublish(version, "big/t", payload, 2, 9));
    h.transmit();
    expect(h.send(brokerPublish(version, "big/t", payload, 2, 9, { dup: true }))).toEqual([]);
    expect(parse(h.transmit(), version)).toMatchObject([{ cmd: "pubrec", messageId: 9 }]);
    h.send(ack(version, "pubrel", 9));
    expect(parse(h.transmit(), version)).toMatchObject([{ cmd: "pubcomp", messageId: 9 }]);
  });

  it("reports Packet too large (0x95) when even the PUBLISH header does not fit RX", () => {
    const h = connectedWith(version, {}, undefined, profile);
    const topic = "t".repeat(h.fw.budget("RX_BUFFER_BYTES"));
    const ev = h.send(brokerPublish(version, topic, "x", 0));
    expect(ev).toMatchObject([{ name: "ProtocolViolation", reason: Reason.PacketTooLarge }]);
  });
});

describe("chunked delivery with MQTT 5 properties", () => {
  it("delivers the PUBLISH properties with the first chunk", () => {
    const h = connectedWith(5);
    const payload = payloadOf(2 * h.fw.budget("RX_BUFFER_BYTES"));
    const props = { contentType: "application/octet-stream", userProperties: { part: "1" } };
    const { events } = deliver(h, brokerPublish(5, "big/p", payload, 1, 5, { properties: props }), "whole");
    expect(events[0].properties).toEqual(props);
    expect(reassemble(events, payload.length).equals(payload)).toBe(true);
  });
});
