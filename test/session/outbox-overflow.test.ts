// The outbox is a fixed ring (OUTBOX_BYTES). When a new message does not fit, the overflow
// policy decides: RejectNew refuses it (-Status.OutboxFull, counter outboxRejected);
// DropOldestQos0 evicts the oldest unsent QoS 0 messages (MessageDropped event with the count,
// counter outboxDropped) and never a QoS 1/2 message. Messages queued while offline go out
// after CONNACK, in order.
import { describe, expect, it } from "vitest";
import { publish } from "../../host/commands.ts";
import { Option, Overflow, Status } from "../../host/abi.ts";
import { Harness } from "../support/harness.ts";
import { ack, cmds, connack, connectedWith, names, parse, type Version } from "../support/session-tools.ts";

const PAYLOAD = "p".repeat(100);

/** A client that was connected once and lost its connection (waiting to reconnect). */
function offline(version: Version, policy: Overflow): Harness {
  const h = connectedWith(version, { clientId: "ob", keepalive: 0 });
  expect(h.fw.exports.setOption(Option.OverflowPolicy, policy)).toBe(0);
  h.close();
  return h;
}

/** A configured client that has never connected. */
function neverConnected(version: Version): Harness {
  return new Harness().configure({ clientId: "ob", version, keepalive: 0 });
}

/** Publishes `topic-i` until the outbox refuses; returns the accepted indexes and the refusal. */
function fill(h: Harness, qos: number, prefix: string): { accepted: number[]; refusal: number } {
  const accepted: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const rc = publish(h.fw, `${prefix}/${i}`, PAYLOAD, qos);
    if (rc < 0) return { accepted, refusal: rc };
    accepted.push(i);
  }
  throw new Error("the outbox never filled");
}

/**
 * Lets the Link connect (at once, or at the next ReconnectDue when offline) and acknowledges
 * everything; returns the topics of every PUBLISH sent, in order.
 */
function connectAndDrain(h: Harness, version: Version): string[] {
  h.open();
  h.send(connack(version));
  const topics: string[] = [];
  for (let round = 0; round < 1000; round++) {
    const out = parse(h.transmit(), version);
    if (out.length === 0) break;
    for (const p of out) {
      topics.push(p.topic);
      if (p.qos === 1) h.send(ack(version, "puback", p.messageId));
    }
  }
  return topics;
}

describe.each([4, 5] as Version[])("outbox overflow, MQTT version %i", (version) => {
  it("RejectNew refuses the message that does not fit with -OutboxFull and counts it", () => {
    const h = offline(version, Overflow.RejectNew);
    const { accepted, refusal } = fill(h, 0, "rj");
    expect(accepted.length).toBeGreaterThan(1);
    expect(refusal).toBe(-Status.OutboxFull);
    expect(h.fw.counters().outboxRejected).toBe(1);
    expect(publish(h.fw, "rj/again", PAYLOAD, 0)).toBe(-Status.OutboxFull);
    expect(h.fw.counters().outboxRejected).toBe(2);
  });

  it("RejectNew keeps every message it accepted and sends them after CONNACK in order", () => {
    const h = offline(version, Overflow.RejectNew);
    const { accepted } = fill(h, 0, "rj");
    expect(connectAndDrain(h, version)).toEqual(accepted.map((i) => `rj/${i}`));
  });

  it("RejectNew refuses QoS 1 messages too when the outbox is full of unacknowledged ones", () => {
    const h = offline(version, Overflow.RejectNew);
    const { refusal } = fill(h, 1, "rj1");
    expect(refusal).toBe(-Status.OutboxFull);
  });

  it("DropOldestQos0 evicts the oldest QoS 0 messages and keeps the newest, in order", () => {
    const h = offline(version, Overflow.DropOldestQos0);
    const rc: number[] = [];
    const n = 3 * Math.ceil(h.fw.budget("OUTBOX_BYTES") / (PAYLOAD.length + 12));
    for (let i = 0; i < n; i++) rc.push(publish(h.fw, `dr/${i}`, PAYLOAD, 0));
    expect(rc.every((r) => r === 0)).toBe(true);
    const dropped = h.service();
    expect(names(dropped)).toEqual(["MessageDropped"]);
    const evicted = dropped[0].value!;
    expect(evicted).toBeGreaterThan(0);
    expect(h.fw.counters().outboxDropped).toBe(evicted);
    const kept = Array.from({ length: n - evicted }, (_, i) => `dr/${evicted + i}`);
    expect(connectAndDrain(h, version)).toEqual(kept);
  });

  it("DropOldestQos0 never evicts QoS 1 messages: a QoS 0 message is refused instead", () => {
    const h = offline(version, Overflow.DropOldestQos0);
    const { accepted, refusal } = fill(h, 1, "keep");
    expect(refusal).toBe(-Status.OutboxFull);
    expect(publish(h.fw, "late/qos0", PAYLOAD, 0)).toBe(-Status.OutboxFull);
    expect(h.service()).toEqual([]);
    expect(h.fw.counters().outboxDropped).toBe(0);
    expect(connectAndDrain(h, version)).toEqual(accepted.map((i) => `keep/${i}`));
  });

  it("DropOldestQos0 evicts only QoS 0 messages from a mixed outbox", () => {
    const h = offline(version, Overflow.DropOldestQos0);
    const topics: string[] = [];
    for (let i = 0; i < 200; i++) {
      const qos = i % 2;
      const rc = publish(h.fw, `mix/${qos}/${i}`, PAYLOAD, qos);
      if (rc < 0) { expect(rc).toBe(-Status.OutboxFull); break; }
      topics.push(`mix/${qos}/${i}`);
    }
    const evicted = h.service().reduce((n, e) => n + (e.value ?? 0), 0);
    const sent = connectAndDrain(h, version);
    expect(sent.filter((t) => t.startsWith("mix/1/"))).toEqual(topics.filter((t) => t.startsWith("mix/1/")));
    expect(sent.length).toBe(topics.length - evicted);
    expect(sent).toEqual(topics.filter((t) => sent.includes(t))); // order kept
  });

  it("rejects an unknown overflow policy", () => {
    const h = new Harness().configure({ clientId: "ob", version });
    expect(h.fw.exports.setOption(Option.OverflowPolicy, 2)).toBe(-Status.BadArgument);
  });

  it("encodes a message queued before the first connection for the configured protocol version", () => {
    const h = neverConnected(version);
    expect(publish(h.fw, "early/bird", "x", 1)).toBeGreaterThan(0);
    h.open();
    h.send(connack(version));
    // mqtt-packet parses it with the session's version (5.0 PUBLISH carries a Property Length).
    expect(parse(h.transmit(), version)).toMatchObject([{ cmd: "publish", topic: "early/bird", qos: 1 }]);
  });

  it("sends nothing but CONNECT before CONNACK, then the queued messages in order", () => {
    const h = offline(version, Overflow.RejectNew);
    const qos = [0, 1, 2, 0, 1];
    qos.forEach((q, i) => expect(publish(h.fw, `off/${i}`, "x", q)).toBeGreaterThanOrEqual(0));
    expect(cmds(parse(h.open(), version))).toEqual(["connect"]);
    expect(h.transmit()).toHaveLength(0);
    h.send(connack(version));
    const out = parse(h.transmit(), version);
    expect(out.map((p) => [p.topic, p.qos])).toEqual(qos.map((q, i) => [`off/${i}`, q]));
  });
});
