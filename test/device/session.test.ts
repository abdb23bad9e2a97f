// Session state kept by the broker: the will message, persistent sessions that collect QoS 1
// and 2 messages while the device is away, and (MQTT 5) server-assigned client identifiers.
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";
import { MqttError, type Device, type DeviceOptions } from "../../host/device.ts";
import { connect, connectAsync } from "../../host/device-connect.ts";
import { Status } from "../../host/abi.ts";
import type { Properties } from "../../host/properties.ts";
import { TcpTransport } from "../../host/transports/tcp.ts";
import { Tracker, collect, countPayloads, rejection, sleep, uniqueId, uniqueTopic, waitFor, within } from "./helpers.ts";

let broker: Mosquitto;
const t = new Tracker();

beforeAll(async () => {
  broker = await startMosquitto();
});
afterEach(() => t.closeAll());
afterAll(() => broker?.stop());

/** A watcher subscribed to topic at QoS 1, with its messages. */
async function watcher(topic: string, version: 4 | 5 = 4) {
  const w = await t.connect(broker.url(), { protocolVersion: version, clientId: uniqueId("watch") });
  const got = collect(w);
  await w.subscribe(topic, { qos: 1 });
  return got;
}

/** Records every "connect" event of a device. */
function connects(d: Device): { sessionPresent: boolean; properties?: Properties }[] {
  const out: { sessionPresent: boolean; properties?: Properties }[] = [];
  d.on("connect", (c: { sessionPresent: boolean; properties?: Properties }) => out.push(c));
  return out;
}

/** A TCP transport that hands out its sockets, to destroy them from outside. */
class ExposedTcp extends TcpTransport {
  socket: net.Socket | undefined;
  override open(): net.Socket {
    this.socket = super.open();
    return this.socket;
  }
}

describe.each([4, 5] as const)("will message, MQTT %s", (version) => {
  const will = (topic: string) => ({ topic, payload: "gone", qos: 1 as const });

  it("is published when the device drops the connection without DISCONNECT (dropConnection) [MQTT-3.1.2-8]", async () => {
    const topic = uniqueTopic("will/drop");
    const got = await watcher(topic, version);
    const d = await t.connect(broker.url(), { protocolVersion: version, will: will(topic) });
    d.dropConnection();
    await waitFor(() => got.length === 1, 3000, "the will");
    expect(got[0].payload.toString()).toBe("gone");
    expect(got[0].info.qos).toBe(1);
  });

  it("is published when the socket is destroyed under the device", async () => {
    const topic = uniqueTopic("will/destroy");
    const got = await watcher(topic, version);
    const transport = new ExposedTcp("127.0.0.1", broker.ports.tcp);
    const d = await t.connect(broker.url(), { protocolVersion: version, will: will(topic), transport });
    expect(d.connected).toBe(true);
    transport.socket!.destroy();
    await waitFor(() => got.length === 1, 3000, "the will");
    expect(got[0].payload.toString()).toBe("gone");
  });

  it("is NOT published after a normal end() (DISCONNECT 0x00 deletes it) [MQTT-3.1.2-10] [MQTT-3.14.4-3]", async () => {
    const topic = uniqueTopic("will/end");
    const got = await watcher(topic, version);
    const d = await t.connect(broker.url(), { protocolVersion: version, will: will(topic) });
    await within(d.end(), 3000, "end()");
    // A marker published after the end arrives after any will would have.
    const marker = await t.connect(broker.url(), { protocolVersion: version });
    await marker.publish(topic, "marker", { qos: 1 });
    await waitFor(() => got.length >= 1, 3000, "the marker");
    await sleep(100);
    expect(got.map((m) => m.payload.toString())).toEqual(["marker"]);
  });

  it("keeps the retain flag of a retained will", async () => {
    const topic = uniqueTopic("will/retained");
    const d = await t.connect(broker.url(), { protocolVersion: version, will: { ...will(topic), retain: true } });
    d.dropConnection();
    await sleep(50);
    const got = await watcher(topic, version);
    await waitFor(() => got.length === 1, 3000, "the retained will");
    expect([got[0].payload.toString(), got[0].info.retain]).toEqual(["gone", true]);
    const cleaner = await t.connect(broker.url(), { protocolVersion: version });
    await cleaner.publish(topic, "", { qos: 1, retain: true });
  });
});

describe("will message, MQTT 5 only", () => {
  it("DISCONNECT with reason 0x04 (Disconnect with Will Message) publishes the will", async () => {
    const topic = uniqueTopic("will/0x04");
    const got = await watcher(topic, 5);
    const d = await t.connect(broker.url(), { protocolVersion: 5, will: { topic, payload: "on-purpose", qos: 1 } });
    await within(d.end(0x04), 3000, "end(0x04)");
    await waitFor(() => got.length === 1, 3000, "the will");
    expect(got[0].payload.toString()).toBe("on-purpose");
  });

  it("will properties (content type, user properties) reach the subscriber", async () => {
    const topic = uniqueTopic("will/props");
    const got = await watcher(topic, 5);
    const d = await t.connect(broker.url(), {
      protocolVersion: 5,
      will: { topic, payload: "{}", qos: 1, properties: { contentType: "application/json", userProperties: { why: "crash" } } },
    });
    d.dropConnection();
    await waitFor(() => got.length === 1, 3000, "the will");
    expect(got[0].info.properties?.contentType).toBe("application/json");
    expect(got[0].info.properties?.userProperties).toEqual({ why: "crash" });
  });

  it("a reconnect within the Will Delay Interval keeps the will unpublished [MQTT-3.1.3-9]", async () => {
    const topic = uniqueTopic("will/delay");
    const got = await watcher(topic, 5);
    const d = t.device(connect(broker.url(), {
      protocolVersion: 5, clientId: uniqueId("will-delay"), clean: false, reconnectPeriod: 50,
      properties: { sessionExpiryInterval: 60 },
      will: { topic, payload: "late", qos: 1, properties: { willDelayInterval: 2 } },
    }));
    const seen = connects(d);
    await waitFor(() => seen.length === 1, 3000, "the first connect");
    d.dropConnection();
    await waitFor(() => seen.length === 2, 3000, "the reconnect");
    expect(seen[1].sessionPresent).toBe(true);
    await sleep(2300);
    expect(got).toEqual([]);
  });
});

describe.each([4, 5] as const)("persistent session, MQTT %s", (version) => {
  const sessionOptions = (id: string): DeviceOptions => ({
    protocolVersion: version, clientId: id, clean: false,
    ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}),
  });

  it("receives the QoS 1 and 2 messages published while it was offline, exactly once [MQTT-3.1.2-5] [MQTT-4.3.3-2]", async () => {
    const id = uniqueId(`persist-${version}`);
    const topic = uniqueTopic(`persist/${version}`);
    const first = await t.connect(broker.url(), sessionOptions(id));
    expect(await first.subscribe(topic, { qos: 2 })).toEqual([2]);
    await within(first.end(), 3000, "end()");

    const pub = await t.connect(broker.url(), { protocolVersion: version });
    const sent: string[] = [];
    // 8 + 8: within the device's Receive Maximum (16), see the backlog test below for more.
    for (let i = 0; i < 8; i++) {
      for (const qos of [1, 2] as const) {
        sent.push(`q${qos}-${i}`);
        await pub.publish(topic, `q${qos}-${i}`, { qos });
      }
    }
    await pub.publish(topic, "q0-dropped", { qos: 0 }); // QoS 0 need not be queued for an offline client

    const back = t.device(connect(broker.url(), { ...sessionOptions(id), reconnect: false }));
    back.on("error", () => {});
    const seen = connects(back);
    const got = collect(back);
    await waitFor(() => got.filter((m) => m.info.qos > 0).length >= sent.length, 5000, `${sent.length} queued messages`);
    await sleep(150); // room for duplicates to show up
    expect(seen[0].sessionPresent).toBe(true);
    const counts = countPayloads(got.filter((m) => m.info.qos > 0));
    expect([...counts.keys()].sort()).toEqual([...sent].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const m of got.filter((x) => x.info.qos > 0)) expect(m.info.qos).toBe(Number(m.payload.toString()[1]));
    // Per QoS, the order of publication is kept [MQTT-4.6.0-6].
    for (const qos of [1, 2]) {
      const order = got.filter((m) => m.info.qos === qos).map((m) => m.payload.toString());
      expect(order).toEqual(sent.filter((s) => s.startsWith(`q${qos}`)));
    }
  });

  it("a clean connect discards the stored session (session present 0) [MQTT-3.2.2-1]", async () => {
    const id = uniqueId(`discard-${version}`);
    const topic = uniqueTopic(`discard/${version}`);
    const first = await t.connect(broker.url(), sessionOptions(id));
    await first.subscribe(topic, { qos: 1 });
    await first.end();
    const pub = await t.connect(broker.url(), { protocolVersion: version });
    await pub.publish(topic, "stale", { qos: 1 });
    const clean = t.device(connect(broker.url(), { protocolVersion: version, clientId: id, clean: true, reconnect: false }));
    clean.on("error", () => {});
    const seen = connects(clean);
    const got = collect(clean);
    await waitFor(() => seen.length === 1, 3000, "connect");
    await sleep(150);
    expect(seen[0].sessionPresent).toBe(false);
    expect(got).toEqual([]);
  });
});

describe("persistent session with a backlog larger than the device's Receive Maximum", () => {
  // mosquitto 2.0.11 credits its send quota on PUBREC instead of PUBCOMP, so a QoS 2 backlog
  // overruns the Receive Maximum the device announced (16) [MQTT-3.3.4-9]; the device answers
  // DISCONNECT 0x93 as it must, reconnects, and the session delivers the rest. QoS 2 stays
  // exactly once; QoS 1 may come again (at least once).
  it.each([4, 5] as const)("MQTT %s: 100 QoS 1 + 100 QoS 2 queued messages all arrive, the QoS 2 ones exactly once (auto-reconnect on)", async (version) => {
    const id = uniqueId(`backlog-${version}`);
    const topic = uniqueTopic(`backlog/${version}`);
    const o: DeviceOptions = { protocolVersion: version, clientId: id, clean: false, ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}) };
    const first = await t.connect(broker.url(), o);
    await first.subscribe(topic, { qos: 2 });
    await first.end();
    const pub = await t.connect(broker.url(), { protocolVersion: version });
    for (let i = 0; i < 100; i++) {
      await pub.publish(topic, `q1-${i}`, { qos: 1 });
      await pub.publish(topic, `q2-${i}`, { qos: 2 });
    }
    const back = t.device(connect(broker.url(), { ...o, reconnectPeriod: 20, reconnectMaxMs: 100 }));
    const errors: MqttError[] = [];
    back.on("error", (e: MqttError) => errors.push(e));
    const got = collect(back);
    const unique = () => countPayloads(got).size;
    await waitFor(() => unique() === 200, 8000, "200 distinct messages");
    await sleep(150);
    const counts = countPayloads(got);
    for (let i = 0; i < 100; i++) expect(counts.get(`q2-${i}`), `q2-${i}`).toBe(1);
    expect(errors.every((e) => e.reasonCode === 0x93), errors.map((e) => e.message).join("; ")).toBe(true);
  });
});

describe("client identifiers", () => {
  it("MQTT 5: an empty client id gets a server-assigned one in the CONNACK [MQTT-3.2.2-16], and the device reconnects with it", async () => {
    const d = t.device(connect(broker.url(), {
      protocolVersion: 5, clientId: "", clean: false, reconnectPeriod: 50, properties: { sessionExpiryInterval: 60 },
    }));
    const seen = connects(d);
    await waitFor(() => seen.length === 1, 3000, "the first connect");
    const assigned = seen[0].properties?.assignedClientIdentifier;
    expect(typeof assigned).toBe("string");
    expect((assigned as string).length).toBeGreaterThan(0);

    // Something to pick up on the same session proves the identifier was reused.
    const topic = uniqueTopic("assigned");
    await d.subscribe(topic, { qos: 1 });
    const got = collect(d);
    d.dropConnection();
    const pub = await t.connect(broker.url(), { protocolVersion: 5 });
    await pub.publish(topic, "kept-for-you", { qos: 1 });
    await waitFor(() => seen.length === 2, 3000, "the reconnect");
    expect(seen[1].sessionPresent).toBe(true);
    // The server assigns an identifier only when the client sent an empty one.
    expect(seen[1].properties?.assignedClientIdentifier).toBeUndefined();
    await waitFor(() => got.length === 1, 3000, "the message kept in the session");
    expect(got[0].payload.toString()).toBe("kept-for-you");
  });

  it("MQTT 3.1.1: an empty client id with clean session 0 is refused locally, before anything is sent [MQTT-3.1.3-7]", async () => {
    expect(() => connect(broker.url(), { protocolVersion: 4, clientId: "", clean: false })).toThrow(MqttError);
    const err = await rejection(connectAsync(broker.url(), { protocolVersion: 4, clientId: "", clean: false }), 1000);
    expect(err).toBeInstanceOf(MqttError);
    expect((err as MqttError).status).toBe(Status.BadArgument);
  });

  it("MQTT 3.1.1: an empty client id with clean session 1 is accepted by mosquitto (it assigns one) [MQTT-3.1.3-6]", async () => {
    const d = await t.connect(broker.url(), { protocolVersion: 4, clientId: "" });
    expect(d.connected).toBe(true);
  });

});
