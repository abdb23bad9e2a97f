// MQTT 5 features against mosquitto: outgoing topic aliases, subscription identifiers, shared
// subscriptions, subscription options (No Local, Retain As Published, Retain Handling) and the
// server's Maximum Packet Size.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";
import { MqttError, type Device } from "../../host/device.ts";
import { connect } from "../../host/device-connect.ts";
import { Status } from "../../host/abi.ts";
import type { Properties } from "../../host/properties.ts";
import { Tracker, collect, countPayloads, meterTotal, rejection, sleep, uniqueId, uniqueTopic, waitFor } from "./helpers.ts";

let broker: Mosquitto;
const t = new Tracker();

beforeAll(async () => {
  broker = await startMosquitto();
});
afterEach(() => t.closeAll());
afterAll(() => broker?.stop());

/** A connected v5 device. */
async function v5(url = broker.url()): Promise<{ d: Device }> {
  return { d: await t.connect(url, { protocolVersion: 5, clientId: uniqueId("v5") }) };
}

/** CONNACK properties, caught from the first connect event. */
async function v5WithConnack(url = broker.url()): Promise<{ d: Device; connack: Properties }> {
  const d = t.device(connect(url, { protocolVersion: 5, clientId: uniqueId("v5"), reconnect: false }));
  const connack = await new Promise<Properties>((resolve, reject) => {
    d.once("connect", (c: { properties?: Properties }) => resolve(c.properties ?? {}));
    d.once("error", reject);
  });
  return { d, connack };
}

/** MQTT bytes of PUBLISH packets sent so far. */
const publishBytes = (d: Device): number => d.sentBytes.bytes.get("PUBLISH") ?? 0;

/** A fresh topic of exactly n bytes (aliases only cover topics up to TOPIC_ALIAS_TOPIC_BYTES = 64 in "default"). */
function topicOf(n: number): string {
  const base = `mote-a/${uniqueId("t")}/`;
  return (base + "x".repeat(Math.max(0, n - base.length))).slice(0, n);
}

/** Bytes of a v5 QoS 1 PUBLISH with only a Topic Alias property (topicLen 0 when aliased). */
function aliasedPublishSize(topicLen: number, payloadLen: number): number {
  const remaining = 2 + topicLen + 2 + 1 + 3 + payloadLen;
  return 1 + (remaining < 128 ? 1 : 2) + remaining;
}

describe("topic aliases (outgoing)", () => {
  it("mosquitto announces Topic Alias Maximum 10 in its CONNACK", async () => {
    const { connack } = await v5WithConnack();
    expect(connack.topicAliasMaximum).toBe(10);
  });

  it("the second PUBLISH to a topic carries the alias instead of the topic: shorter by the topic's length [MQTT-3.3.2-12]", async () => {
    const topic = topicOf(64);
    const { d: sub } = await v5();
    const got = collect(sub);
    await sub.subscribe(topic, { qos: 1 });
    const { d } = await v5();
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = publishBytes(d);
      await d.publish(topic, "same-size", { qos: 1 });
      sizes.push(publishBytes(d) - before);
    }
    // First: topic + Topic Alias property; later: empty topic + the same property.
    expect(sizes).toEqual([aliasedPublishSize(64, 9), aliasedPublishSize(0, 9), aliasedPublishSize(0, 9)]);
    expect(sizes[0] - sizes[1]).toBe(64);
    await waitFor(() => got.length === 3, 3000, "three messages");
    // The broker resolves the alias: the subscriber sees the full topic every time.
    expect(got.map((m) => m.topic)).toEqual([topic, topic, topic]);
    expect(got.every((m) => m.info.topicAlias === undefined)).toBe(true);
  });

  it("14 topics (more than the 8 alias slots and the server's 10), each published 3 times in a row: every repeat is aliased, every message arrives with its topic", async () => {
    const base = `mote-am/${uniqueId("b")}`;
    const { d: sub } = await v5();
    const got = collect(sub);
    await sub.subscribe(`${base}/#`, { qos: 1 });
    const { d } = await v5();
    const topics = Array.from({ length: 14 }, (_, i) => `${base}/topic-${String(i).padStart(2, "0")}`);
    let expected = 0;
    for (const topic of topics) {
      for (let round = 0; round < 3; round++) {
        await d.publish(topic, `${topic.slice(-8)}#${round}`, { qos: 1 });
        expected += aliasedPublishSize(round === 0 ? Buffer.byteLength(topic) : 0, 10);
      }
    }
    await waitFor(() => got.length === 42, 5000, "42 messages");
    for (const m of got) expect(m.payload.toString().startsWith(`${m.topic.slice(-8)}#`)).toBe(true);
    expect(new Set(got.map((m) => m.topic))).toEqual(new Set(topics));
    // No alias above the server's Topic Alias Maximum, or mosquitto would have disconnected us [MQTT-3.3.2-9].
    expect(d.connected).toBe(true);
    expect(publishBytes(d)).toBe(expected);
  });

  it("a topic longer than TOPIC_ALIAS_TOPIC_BYTES (64) is sent in full every time (a budget limit)", async () => {
    const topic = topicOf(65);
    const { d } = await v5();
    const before = publishBytes(d);
    for (let i = 0; i < 3; i++) await d.publish(topic, "p", { qos: 1 });
    const full = 1 + 1 + (2 + 65 + 2 + 1 + 1);
    expect(publishBytes(d) - before).toBe(3 * full);
  });

  it("the wire bytes of aliased publishes are smaller too (TCP carries exactly the MQTT bytes)", async () => {
    const topic = topicOf(56);
    const measure = async (repeat: boolean) => {
      const { d } = await v5();
      for (let i = 0; i < 20; i++) await d.publish(repeat ? topic : `${topic}/${String(i).padStart(2, "0")}`, "p", { qos: 1 });
      await d.end();
      await waitFor(() => (d.wireBytes()?.sent ?? 0) > 0, 2000, "wire bytes");
      expect(d.wireBytes()!.sent).toBe(meterTotal(d.sentBytes.bytes));
      return d.wireBytes()!.sent;
    };
    const same = await measure(true);
    const distinct = await measure(false);
    expect(distinct - same).toBeGreaterThanOrEqual(19 * 56);
  });
});

describe("subscription identifiers", () => {
  it("arrive in the message properties [MQTT-3.3.4-3]", async () => {
    const topic = uniqueTopic("subid");
    const { d } = await v5();
    const got = collect(d);
    await d.subscribe(topic, { qos: 1, properties: { subscriptionIdentifier: 4242 } });
    await d.publish(topic, "x", { qos: 1 });
    await waitFor(() => got.length === 1, 3000, "the message");
    expect(got[0].info.properties?.subscriptionIdentifier).toBe(4242);
  });

  it("each matching subscription's identifier is delivered (overlapping subscriptions) [MQTT-3.3.4-4] [MQTT-3.3.4-5]", async () => {
    const base = uniqueTopic("subid-overlap");
    const topic = `${base}/a`;
    const { d } = await v5();
    const got = collect(d);
    await d.subscribe(`${base}/+`, { qos: 1, properties: { subscriptionIdentifier: 1 } });
    await d.subscribe(`${base}/#`, { qos: 1, properties: { subscriptionIdentifier: 268435455 } });
    await d.publish(topic, "x", { qos: 1 });
    await waitFor(() => got.length >= 1, 3000, "the message");
    await sleep(100);
    const ids = got.flatMap((m) => {
      const v = m.info.properties?.subscriptionIdentifier;
      return Array.isArray(v) ? v : v === undefined ? [] : [v];
    });
    expect(ids.sort((a, b) => Number(a) - Number(b))).toEqual([1, 268435455]);
  });

  it("a subscription without an identifier delivers none", async () => {
    const topic = uniqueTopic("subid-none");
    const { d } = await v5();
    const got = collect(d);
    await d.subscribe(topic, { qos: 1 });
    await d.publish(topic, "x", { qos: 1 });
    await waitFor(() => got.length === 1, 3000, "the message");
    expect(got[0].info.properties?.subscriptionIdentifier).toBeUndefined();
  });
});

describe("shared subscriptions", () => {
  it("$share/g/topic splits the messages between two devices, each message to one of them [MQTT-4.8.2]", async () => {
    const topic = uniqueTopic("shared");
    const group = `$share/${uniqueId("g")}/${topic}`;
    const a = await v5();
    const b = await v5();
    const gotA = collect(a.d);
    const gotB = collect(b.d);
    expect(await a.d.subscribe(group, { qos: 1 })).toEqual([1]);
    expect(await b.d.subscribe(group, { qos: 1 })).toEqual([1]);
    const { d: pub } = await v5();
    for (let i = 0; i < 40; i++) await pub.publish(topic, `m${i}`, { qos: 1 });
    await waitFor(() => gotA.length + gotB.length === 40, 5000, "40 messages in total");
    await sleep(100);
    expect(gotA.length).toBeGreaterThan(0);
    expect(gotB.length).toBeGreaterThan(0);
    const counts = countPayloads([...gotA, ...gotB]);
    expect(counts.size).toBe(40);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect([...gotA, ...gotB].every((m) => m.topic === topic)).toBe(true);
  });

  it("No Local on a shared subscription is refused locally with BadArgument [MQTT-3.8.3-4]", async () => {
    const { d } = await v5();
    const err = await rejection(d.subscribe(`$share/g/${uniqueTopic("shared-nl")}`, { qos: 1, nl: true }), 2000);
    expect(err).toBeInstanceOf(MqttError);
    expect((err as MqttError).status).toBe(Status.BadArgument);
  });
});

describe("subscription options", () => {
  it("No Local: the device does not get its own publishes, but does get others' [MQTT-3.8.3-3]", async () => {
    const topic = uniqueTopic("nolocal");
    const { d } = await v5();
    const got = collect(d);
    await d.subscribe(topic, { qos: 1, nl: true });
    await d.publish(topic, "mine", { qos: 1 });
    const { d: other } = await v5();
    await other.publish(topic, "theirs", { qos: 1 });
    await waitFor(() => got.length >= 1, 3000, "the other's message");
    await sleep(100);
    expect(got.map((m) => m.payload.toString())).toEqual(["theirs"]);
  });

  it("without No Local the device gets its own publishes", async () => {
    const topic = uniqueTopic("local");
    const { d } = await v5();
    const got = collect(d);
    await d.subscribe(topic, { qos: 1 });
    await d.publish(topic, "mine", { qos: 1 });
    await waitFor(() => got.length === 1, 3000, "its own message");
  });

  it("Retain As Published keeps the retain flag on live messages; without it the flag is cleared [MQTT-3.3.1-12] [MQTT-3.3.1-13]", async () => {
    const topic = uniqueTopic("rap");
    const { d: keep } = await v5();
    const { d: clear } = await v5();
    const gotKeep = collect(keep);
    const gotClear = collect(clear);
    await keep.subscribe(topic, { qos: 1, rap: true });
    await clear.subscribe(topic, { qos: 1 });
    const { d: pub } = await v5();
    await pub.publish(topic, "r", { qos: 1, retain: true });
    await waitFor(() => gotKeep.length === 1 && gotClear.length === 1, 3000, "both copies");
    expect(gotKeep[0].info.retain).toBe(true);
    expect(gotClear[0].info.retain).toBe(false);
    await pub.publish(topic, "", { qos: 1, retain: true });
  });

  it("Retain Handling 2 sends no retained messages at subscribe time; 0 does [MQTT-3.3.1-11] [MQTT-3.3.1-9]", async () => {
    const topic = uniqueTopic("rh");
    const { d: pub } = await v5();
    await pub.publish(topic, "kept", { qos: 1, retain: true });
    const { d: none } = await v5();
    const { d: some } = await v5();
    const gotNone = collect(none);
    const gotSome = collect(some);
    await none.subscribe(topic, { qos: 1, rh: 2 });
    await some.subscribe(topic, { qos: 1, rh: 0 });
    await waitFor(() => gotSome.length === 1, 3000, "the retained message");
    await sleep(100);
    expect(gotNone).toEqual([]);
    await pub.publish(topic, "", { qos: 1, retain: true });
  });
});

describe("the server's Maximum Packet Size", () => {
  const LIMIT = 200;
  let small: Mosquitto;

  beforeAll(async () => {
    small = await startMosquitto({ extraConfig: [`max_packet_size ${LIMIT}`] });
  });
  afterAll(() => small?.stop());

  it("is announced in the CONNACK", async () => {
    const { connack } = await v5WithConnack(small.url());
    expect(connack.maximumPacketSize).toBe(LIMIT);
  });

  it.each([0, 1, 2] as const)("a QoS %s publish above it rejects with status TooLarge, never a silent drop [MQTT-3.1.2-24]", async (qos) => {
    const { d } = await v5(small.url());
    const topic = uniqueTopic("mps");
    const err = await rejection(d.publish(topic, Buffer.alloc(LIMIT), { qos }), 2000, "the publish to settle");
    expect(err).toBeInstanceOf(MqttError);
    expect((err as MqttError).status).toBe(Status.TooLarge);
    expect(err!.message).toMatch(/too large/i);
    // The connection is unharmed: the next, smaller publish goes through.
    const got = collect(d);
    await d.subscribe(topic, { qos: 1 });
    await d.publish(topic, "small", { qos });
    await waitFor(() => got.length === 1, 3000, "the small message");
    expect(d.connected).toBe(true);
  });

  it("a publish of exactly the maximum packet size goes through (without an alias, which would not fit), one byte more is refused", async () => {
    const { d } = await v5(small.url());
    const topic = uniqueTopic("mps-edge");
    const got = collect(d);
    await d.subscribe(topic, { qos: 1 });
    // PUBLISH QoS 1: fixed header 1 + remaining length (2 bytes, >= 128) + 2 + topic + 2 (id) + 1 (empty properties) + payload.
    const overhead = 1 + 2 + 2 + Buffer.byteLength(topic) + 2 + 1;
    const fits = LIMIT - overhead;
    const e1 = await rejection(d.publish(topic, Buffer.alloc(fits + 1, 0x61), { qos: 1 }), 2000);
    expect((e1 as MqttError | undefined)?.status).toBe(Status.TooLarge);
    const before = publishBytes(d);
    await d.publish(topic, Buffer.alloc(fits, 0x61), { qos: 1 });
    expect(publishBytes(d) - before).toBe(LIMIT);
    await waitFor(() => got.length === 1, 3000, "the message of the maximum size");
    expect(got[0].payload.length).toBe(fits);
    expect(d.connected).toBe(true);
  });
});
