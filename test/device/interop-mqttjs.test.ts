// Interoperability with MQTT.js 5 through one mosquitto: our device publishes and MQTT.js
// receives and the other way round, at every QoS, with retained messages, MQTT 5 user
// properties and content type, and the request/response pattern (response topic +
// correlation data, [MQTT-4.10]).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectAsync as mqttjsConnect, type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";
import type { Device } from "../../host/device.ts";
import { Tracker, collect, uniqueId, uniqueTopic, waitFor, within } from "./helpers.ts";

let broker: Mosquitto;
const t = new Tracker();

beforeAll(async () => {
  broker = await startMosquitto();
});
afterEach(() => t.closeAll());
afterAll(() => broker?.stop());

async function mqttjs(version: 4 | 5, o: IClientOptions = {}): Promise<MqttClient> {
  const c = await within(mqttjsConnect(broker.url(), { protocolVersion: version, clientId: uniqueId("mqttjs"), reconnectPeriod: 0, ...o }), 5000, "MQTT.js connect");
  return t.client(c);
}

interface JsMessage { topic: string; payload: Buffer; packet: IPublishPacket }
function collectJs(c: MqttClient): JsMessage[] {
  const out: JsMessage[] = [];
  c.on("message", (topic, payload, packet) => out.push({ topic, payload, packet }));
  return out;
}

const device = (version: 4 | 5): Promise<Device> => t.connect(broker.url(), { protocolVersion: version, clientId: uniqueId("dev") });

describe.each([4, 5] as const)("MQTT %s", (version) => {
  it("MQTT.js receives what the device publishes at QoS 0, 1 and 2, in order [MQTT-4.6.0-6]", async () => {
    const topic = uniqueTopic("interop/to-js");
    const js = await mqttjs(version);
    const got = collectJs(js);
    await js.subscribeAsync(topic, { qos: 2 });
    const d = await device(version);
    for (const qos of [0, 1, 2] as const) {
      for (let i = 0; i < 5; i++) await d.publish(topic, `q${qos}-${i}`, { qos });
    }
    await waitFor(() => got.length === 15, 5000, "15 messages at MQTT.js");
    for (const qos of [0, 1, 2]) {
      const mine = got.filter((m) => m.packet.qos === qos).map((m) => m.payload.toString());
      expect(mine).toEqual([0, 1, 2, 3, 4].map((i) => `q${qos}-${i}`));
    }
    expect(got.every((m) => m.topic === topic && !m.packet.retain)).toBe(true);
  });

  it("the device receives what MQTT.js publishes at QoS 0, 1 and 2, in order", async () => {
    const topic = uniqueTopic("interop/to-dev");
    const d = await device(version);
    const got = collect(d);
    expect(await d.subscribe(topic, { qos: 2 })).toEqual([2]);
    const js = await mqttjs(version);
    for (const qos of [0, 1, 2] as const) {
      for (let i = 0; i < 5; i++) await js.publishAsync(topic, `q${qos}-${i}`, { qos });
    }
    await waitFor(() => got.length === 15, 5000, "15 messages at the device");
    for (const qos of [0, 1, 2]) {
      const mine = got.filter((m) => m.info.qos === qos).map((m) => m.payload.toString());
      expect(mine).toEqual([0, 1, 2, 3, 4].map((i) => `q${qos}-${i}`));
    }
    expect(got.every((m) => m.topic === topic && !m.info.retain && !m.info.dup)).toBe(true);
    expect(got.filter((m) => m.info.qos > 0).every((m) => m.info.messageId > 0)).toBe(true);
  });

  it("a binary payload of every byte value and an empty payload cross unchanged, both ways", async () => {
    const topic = uniqueTopic("interop/binary");
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const d = await device(version);
    const js = await mqttjs(version);
    const atDev = collect(d);
    const atJs = collectJs(js);
    await d.subscribe(topic, { qos: 1 });
    await js.subscribeAsync(topic, { qos: 1 });
    await d.publish(topic, bytes, { qos: 1 });
    await js.publishAsync(topic, Buffer.alloc(0), { qos: 1 });
    await waitFor(() => atDev.length === 2 && atJs.length === 2, 5000, "both messages at both ends");
    for (const list of [atDev.map((m) => m.payload), atJs.map((m) => m.payload)]) {
      expect(list.find((p) => p.length === 256)).toEqual(bytes);
      expect(list.some((p) => p.length === 0)).toBe(true);
    }
  });

  it("a late MQTT.js subscriber gets the device's retained message with the retain flag set [MQTT-3.3.1-6]", async () => {
    const topic = uniqueTopic("interop/retained-from-dev");
    const d = await device(version);
    await d.publish(topic, "kept", { qos: 1, retain: true });
    const js = await mqttjs(version);
    const got = collectJs(js);
    await js.subscribeAsync(topic, { qos: 1 });
    await waitFor(() => got.length === 1, 3000, "the retained message");
    expect(got[0].payload.toString()).toBe("kept");
    expect(got[0].packet.retain).toBe(true);
    // An empty retained message clears it [MQTT-3.3.1-10]: a later subscriber gets nothing.
    await d.publish(topic, "", { qos: 1, retain: true });
    const late = await mqttjs(version);
    const none = collectJs(late);
    await late.subscribeAsync(topic, { qos: 1 });
    await d.publish(topic, "live", { qos: 1 });
    await waitFor(() => none.length === 1, 3000, "the live message");
    expect(none.map((m) => [m.payload.toString(), m.packet.retain])).toEqual([["live", false]]);
  });

  it("a late device subscriber gets MQTT.js's retained message with the retain flag set; live ones have it clear [MQTT-3.3.1-9]", async () => {
    const topic = uniqueTopic("interop/retained-from-js");
    const js = await mqttjs(version);
    await js.publishAsync(topic, "kept", { qos: 1, retain: true });
    const d = await device(version);
    const got = collect(d);
    await d.subscribe(topic, { qos: 1 });
    await waitFor(() => got.length === 1, 3000, "the retained message");
    await js.publishAsync(topic, "live", { qos: 1, retain: true });
    await waitFor(() => got.length === 2, 3000, "the live message");
    expect(got.map((m) => [m.payload.toString(), m.info.retain])).toEqual([["kept", true], ["live", false]]);
    await js.publishAsync(topic, "", { qos: 1, retain: true });
  });
});

describe("MQTT 5 properties", () => {
  it("user properties (repeated keys included) and content type go from the device to MQTT.js [MQTT-3.3.2-17] [MQTT-3.3.2-20]", async () => {
    const topic = uniqueTopic("interop/props-to-js");
    const js = await mqttjs(5);
    const got = collectJs(js);
    await js.subscribeAsync(topic, { qos: 1 });
    const d = await device(5);
    await d.publish(topic, '{"t":21.5}', {
      qos: 1,
      properties: { contentType: "application/json", payloadFormatIndicator: true, userProperties: { unit: "C", tag: ["a", "b"] } },
    });
    await waitFor(() => got.length === 1, 3000, "the message");
    const p = got[0].packet.properties!;
    expect(p.contentType).toBe("application/json");
    expect(p.payloadFormatIndicator).toBe(true);
    expect(p.userProperties).toEqual({ unit: "C", tag: ["a", "b"] });
  });

  it("user properties and content type go from MQTT.js to the device", async () => {
    const topic = uniqueTopic("interop/props-to-dev");
    const d = await device(5);
    const got = collect(d);
    await d.subscribe(topic, { qos: 1 });
    const js = await mqttjs(5);
    await js.publishAsync(topic, "<x/>", {
      qos: 1,
      properties: { contentType: "application/xml", userProperties: { from: "mqtt.js", n: ["1", "2"] }, messageExpiryInterval: 60 },
    });
    await waitFor(() => got.length === 1, 3000, "the message");
    const p = got[0].info.properties!;
    expect(p.contentType).toBe("application/xml");
    expect(p.userProperties).toEqual({ from: "mqtt.js", n: ["1", "2"] });
    // The broker forwards the remaining expiry: at most what was sent [MQTT-3.3.2-6].
    expect(p.messageExpiryInterval).toBeGreaterThan(0);
    expect(p.messageExpiryInterval).toBeLessThanOrEqual(60);
  });

  it("request/response: the device asks, MQTT.js answers on the response topic with the correlation data [MQTT-4.10]", async () => {
    const requests = uniqueTopic("interop/rr/requests");
    const js = await mqttjs(5);
    await js.subscribeAsync(requests, { qos: 1 });
    js.on("message", (_topic, payload, packet) => {
      const p = packet.properties ?? {};
      if (!p.responseTopic) return;
      // The responder's PUBACK may still be on its way when the test ends the clients.
      js.publishAsync(p.responseTopic, `re:${payload.toString()}`, { qos: 1, properties: { correlationData: p.correlationData } }).catch(() => {});
    });
    const d = await device(5);
    const replyTo = uniqueTopic("interop/rr/replies");
    const got = collect(d);
    await d.subscribe(replyTo, { qos: 1 });
    const ids = [Buffer.from([0x00, 0xff, 0x10]), Buffer.from("second")];
    for (const [i, correlationData] of ids.entries()) {
      await d.publish(requests, `ask-${i}`, { qos: 1, properties: { responseTopic: replyTo, correlationData } });
    }
    await waitFor(() => got.length === 2, 3000, "two responses");
    const byCorrelation = new Map(got.map((m) => [(m.info.properties!.correlationData as Buffer).toString("hex"), m.payload.toString()]));
    expect(byCorrelation.get(ids[0].toString("hex"))).toBe("re:ask-0");
    expect(byCorrelation.get(ids[1].toString("hex"))).toBe("re:ask-1");
  });

  it("request/response: MQTT.js asks, the device answers on the response topic with the correlation data", async () => {
    const requests = uniqueTopic("interop/rr2/requests");
    const d = await device(5);
    await d.subscribe(requests, { qos: 1 });
    d.on("message", (_topic: string, payload: Buffer, info) => {
      const p = info.properties ?? {};
      if (typeof p.responseTopic !== "string") return;
      // The responder's PUBACK may still be on its way when the test ends the device (which then rejects it).
      d.publish(p.responseTopic, `re:${payload.toString()}`, { qos: 1, properties: { correlationData: p.correlationData } }).catch(() => {});
    });
    const js = await mqttjs(5);
    const replyTo = uniqueTopic("interop/rr2/replies");
    const got = collectJs(js);
    await js.subscribeAsync(replyTo, { qos: 1 });
    await js.publishAsync(requests, "ping", { qos: 1, properties: { responseTopic: replyTo, correlationData: Buffer.from("c-42") } });
    await waitFor(() => got.length === 1, 3000, "the response");
    expect(got[0].topic).toBe(replyTo);
    expect(got[0].payload.toString()).toBe("re:ping");
    expect(got[0].packet.properties?.correlationData).toEqual(Buffer.from("c-42"));
  });
});
