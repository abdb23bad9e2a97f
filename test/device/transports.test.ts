// The Device API over every transport a broker URL can name: mqtt://, mqtts:// (server
// authentication), mutual TLS, ws:// and wss://, against one real mosquitto with all listeners.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type ListenerKind, type Mosquitto } from "../support/mosquitto.ts";
import { CLIENT_CN } from "../support/certs.ts";
import type { DeviceOptions } from "../../host/device.ts";
import { Tracker, collect, meterTotal, uniqueId, uniqueTopic, waitFor } from "./helpers.ts";

let broker: Mosquitto;
const t = new Tracker();

beforeAll(async () => {
  broker = await startMosquitto({ listeners: ["tls", "mtls", "ws", "wss"] });
});
afterEach(() => t.closeAll());
afterAll(() => broker?.stop());

type Kind = ListenerKind;
function options(kind: Kind): DeviceOptions {
  const c = broker.certs;
  if (kind === "tls" || kind === "wss") return { caFile: c.caCert };
  if (kind === "mtls") return { caFile: c.caCert, certFile: c.clientCert, keyFile: c.clientKey };
  return {};
}

const KINDS: Kind[] = ["tcp", "tls", "mtls", "ws", "wss"];
const VERSIONS = [4, 5] as const;

describe.each(KINDS)("over %s", (kind) => {
  it.each(VERSIONS)("MQTT %s: a device receives its own QoS 0, 1 and 2 publishes at the QoS it subscribed with [MQTT-3.8.4-6]", async (version) => {
    const d = await t.connect(broker.url(kind), { ...options(kind), protocolVersion: version, clientId: uniqueId(`tr-${kind}`) });
    const topic = uniqueTopic(`transports/${kind}/${version}`);
    const got = collect(d);
    expect(await d.subscribe(topic, { qos: 2 })).toEqual([2]);
    for (const qos of [0, 1, 2] as const) await d.publish(topic, `m-${qos}`, { qos });
    await waitFor(() => got.length >= 3, 5000, "three messages");
    expect(got.map((m) => [m.topic, m.payload.toString(), m.info.qos]).sort()).toEqual([
      [topic, "m-0", 0], [topic, "m-1", 1], [topic, "m-2", 2],
    ]);
  });
});

describe("wire bytes", () => {
  async function roundTrip(kind: Kind): Promise<{ wire: { sent: number; received: number }; mqtt: { sent: number; received: number } }> {
    const d = await t.connect(broker.url(kind), { ...options(kind), clientId: uniqueId(`wb-${kind}`) });
    const topic = uniqueTopic(`wire/${kind}`);
    const got = collect(d);
    await d.subscribe(topic, { qos: 1 });
    for (let i = 0; i < 10; i++) await d.publish(topic, `payload-${i}`, { qos: 1 });
    await waitFor(() => got.length === 10, 5000, "ten messages");
    await d.end();
    await waitFor(() => (d.wireBytes()?.sent ?? 0) > 0, 2000, "wire bytes counted after close");
    return {
      wire: d.wireBytes()!,
      mqtt: { sent: meterTotal(d.sentBytes.bytes), received: meterTotal(d.receivedBytes.bytes) },
    };
  }

  it("over plain TCP the wire carries exactly the MQTT bytes", async () => {
    const { wire, mqtt } = await roundTrip("tcp");
    expect(mqtt.sent).toBeGreaterThan(0);
    expect(wire).toEqual(mqtt);
  });

  it.each(["tls", "mtls", "ws", "wss"] as Kind[])("over %s the wire bytes after end() exceed the MQTT bytes (framing is counted)", async (kind) => {
    const { wire, mqtt } = await roundTrip(kind);
    expect(mqtt.sent).toBeGreaterThan(0);
    expect(mqtt.received).toBeGreaterThan(0);
    expect(wire.sent).toBeGreaterThan(mqtt.sent);
    expect(wire.received).toBeGreaterThan(mqtt.received);
  });
});

describe("wire bytes while connected", () => {
  it.each(KINDS)("over %s wireBytes() counts the connection while it is open, not only after it closed", async (kind) => {
    const d = await t.connect(broker.url(kind), { ...options(kind), clientId: uniqueId(`live-${kind}`) });
    const topic = uniqueTopic(`live/${kind}`);
    await d.publish(topic, "x", { qos: 1 });
    const connected = d.wireBytes()!;
    // CONNECT, CONNACK, the PUBLISH and its PUBACK have crossed (plus TLS / WebSocket framing).
    expect(connected.sent).toBeGreaterThanOrEqual(meterTotal(d.sentBytes.bytes));
    expect(connected.received).toBeGreaterThanOrEqual(meterTotal(d.receivedBytes.bytes));
    expect(meterTotal(d.receivedBytes.bytes)).toBeGreaterThan(0);
    await d.publish(topic, "y", { qos: 1 });
    expect(d.wireBytes()!.sent).toBeGreaterThan(connected.sent);
    expect(d.connected).toBe(true);
  });
});

describe("mutual TLS", () => {
  it("the broker takes the client certificate's CN as the user name (use_identity_as_username)", async () => {
    const id = uniqueId("mtls-identity");
    await t.connect(broker.url("mtls"), { ...options("mtls"), clientId: id });
    const line = () => broker.logs().split("\n").find((l) => l.includes("New client connected") && l.includes(` as ${id} `));
    await waitFor(() => line() !== undefined, 3000, "the broker's log line for the connection");
    expect(line()).toContain(`u'${CLIENT_CN}'`);
  });
});
