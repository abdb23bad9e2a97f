// A board on a serial line reaches mosquitto through the raw bridge: the board is our firmware on
// one pty (SerialTransport), the bridge on the other, MQTT.js the peer on the broker. A whole
// session (CONNECT, SUBSCRIBE, QoS 0/1/2 both ways, DISCONNECT), payloads with every byte value,
// and the bridge's byte accounting checked against the board's own and against hand-counted sizes;
// the broker side over TLS too.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.ts";
import type { Device } from "../../../host/device.ts";
import { Rig, allBytes, collect, uniqueId, uniqueTopic, waitFor } from "./helpers.ts";

let broker: Mosquitto;
const rig = new Rig();

beforeAll(async () => {
  broker = await startMosquitto({ listeners: ["tls"] });
});
afterEach(() => rig.closeAll());
afterAll(() => broker?.stop());

interface JsMessage { topic: string; payload: Buffer; qos: number }
function collectJs(c: MqttClient): JsMessage[] {
  const out: JsMessage[] = [];
  c.on("message", (topic, payload, packet) => out.push({ topic, payload, qos: packet.qos }));
  return out;
}

/** The board ends its session; waits until every byte crossed the line and the broker closed. */
async function endSession(board: Device, bridge: { stats: () => import("../../../host/bridge/index.ts").BridgeStats }): Promise<void> {
  await board.end();
  const sent = board.wireBytes()!.sent;
  await waitFor(() => bridge.stats().serial.fromBoard === sent && !bridge.stats().broker.connected && bridge.stats().broker.wire!.sent >= sent,
    3000, "the DISCONNECT at the broker and the connection closed");
}

describe.each([4, 5] as const)("MQTT %s through the bridge", (version) => {
  it("a whole session: CONNECT, SUBSCRIBE, QoS 0/1/2 both ways with MQTT.js, DISCONNECT", async () => {
    const pty = await rig.ptys();
    const { bridge, log } = await rig.bridge({ port: pty.b, baudRate: 115200, url: broker.url() });
    const up = uniqueTopic(`bridge/up/${version}`);
    const down = uniqueTopic(`bridge/down/${version}`);
    const peer = await rig.mqttjs(broker.url(), { protocolVersion: version });
    const atPeer = collectJs(peer);
    await peer.subscribeAsync(up, { qos: 2 });

    const board = await rig.board(pty.a, { protocolVersion: version });
    expect(bridge.stats().broker.connections).toBe(1);
    const atBoard = collect(board);
    expect(await board.subscribe(down, { qos: 2 })).toEqual([2]);
    for (const qos of [0, 1, 2] as const) {
      await board.publish(up, `up-q${qos}`, { qos });
      await peer.publishAsync(down, `down-q${qos}`, { qos });
    }
    await waitFor(() => atPeer.length === 3 && atBoard.length === 3, 5000, "three messages each way");
    // The QoS 2 message to the board is complete once its PUBCOMP went out (after the PUBREL).
    await waitFor(() => bridge.stats().packets.toBroker.PUBCOMP?.packets === 1, 3000, "the board's PUBCOMP at the bridge");
    expect(atPeer.map((m) => [m.topic, m.payload.toString(), m.qos])).toEqual([0, 1, 2].map((q) => [up, `up-q${q}`, q]));
    expect(atBoard.map((m) => [m.topic, m.payload.toString(), m.info.qos])).toEqual([0, 1, 2].map((q) => [down, `down-q${q}`, q]));

    await endSession(board, bridge);
    const s = bridge.stats();
    // Every packet of the session went through, once, and the bridge saw what the board saw.
    expect(s.packets.toBroker).toEqual(board.sentBytes.table());
    expect(s.packets.toBoard).toEqual(board.receivedBytes.table());
    expect(Object.keys(s.packets.toBroker)).toEqual(["CONNECT", "DISCONNECT", "PUBACK", "PUBCOMP", "PUBLISH", "PUBREC", "PUBREL", "SUBSCRIBE"]);
    expect(s.packets.toBroker.PUBLISH.packets).toBe(3);
    expect(s.packets.toBoard.PUBLISH.packets).toBe(3);
    expect(s.dropped).toEqual({ bytes: 0, garbage: 0 });
    expect(s.broker).toMatchObject({ connections: 1, failures: 0, closedByBroker: 0, connected: false });
    expect(log.join("\n")).toMatch(/the board ended its session \(DISCONNECT\)/);
    expect(log.filter((l) => l.includes("warning"))).toEqual([]);
  });
});

it("payloads with all 256 byte values arrive intact both ways (larger than the board's RX and TX buffers)", async () => {
  const pty = await rig.ptys();
  const { bridge } = await rig.bridge({ port: pty.b, baudRate: 115200, url: broker.url() });
  const up = uniqueTopic("bridge/binary-up");
  const down = uniqueTopic("bridge/binary-down");
  const peer = await rig.mqttjs(broker.url());
  const atPeer = collectJs(peer);
  await peer.subscribeAsync(up, { qos: 1 });
  const board = await rig.board(pty.a);
  const atBoard = collect(board);
  await board.subscribe(down, { qos: 1 });

  const small = allBytes(1);
  const large = allBytes(12); // 3,072 bytes: streamed through the 1,024-byte TX, delivered in RX chunks
  const reversed = Buffer.from(large).reverse();
  for (const p of [small, large]) await board.publish(up, p, { qos: 1 });
  for (const p of [small, reversed]) await peer.publishAsync(down, p, { qos: 1 });
  await waitFor(() => atPeer.length === 2 && atBoard.length === 2, 5000, "two binary messages each way");
  expect(atPeer[0].payload.equals(small)).toBe(true);
  expect(atPeer[1].payload.equals(large)).toBe(true);
  expect(atBoard[0].payload.equals(small)).toBe(true);
  expect(atBoard[1].payload.equals(reversed)).toBe(true);
  expect(bridge.stats().dropped.bytes).toBe(0);
});

it("counts the exact bytes of every packet type each way, on the line and on the broker's TCP connection", async () => {
  const pty = await rig.ptys();
  const { bridge } = await rig.bridge({ port: pty.b, baudRate: 9600, url: broker.url() });
  const clientId = uniqueId("bytes").slice(0, 23);
  const up = uniqueTopic("bytes-up");
  const down = uniqueTopic("bytes-down");
  const peer = await rig.mqttjs(broker.url());
  const atPeer = collectJs(peer);
  await peer.subscribeAsync(up, { qos: 1 });

  // MQTT 3.1.1, keepalive 60 (no PINGREQ in this short test).
  const board = await rig.board(pty.a, { clientId, keepalive: 60 });
  const atBoard = collect(board);
  expect(await board.subscribe(down, { qos: 1 })).toEqual([1]);
  await board.publish(up, "12345", { qos: 1 });
  await board.publish(up, "hello", { qos: 0 });
  await peer.publishAsync(down, "abcdefgh", { qos: 1 });
  await waitFor(() => atPeer.length === 2 && atBoard.length === 1 && bridge.stats().packets.toBroker.PUBACK?.packets === 1, 5000, "the messages and the board's PUBACK");
  await endSession(board, bridge);

  const len = (s: string) => Buffer.byteLength(s);
  // CONNECT: fixed header 2, protocol name 6, level 1, flags 1, keepalive 2, client id 2 + n.
  const connect = 2 + 10 + 2 + len(clientId);
  // SUBSCRIBE: 2 + packet id 2 + filter 2 + n + options 1; SUBACK: 2 + 2 + 1.
  const subscribe = 2 + 2 + 2 + len(down) + 1;
  // PUBLISH: 2 + topic 2 + n + packet id 2 (QoS > 0) + payload (all under 128 bytes).
  const pubQ1 = 2 + 2 + len(up) + 2 + 5;
  const pubQ0 = 2 + 2 + len(up) + 5;
  const pubIn = 2 + 2 + len(down) + 2 + 8;
  const s = bridge.stats();
  expect(s.packets.toBroker).toEqual({
    CONNECT: { packets: 1, bytes: connect, bytesPerPacket: connect },
    DISCONNECT: { packets: 1, bytes: 2, bytesPerPacket: 2 },
    PUBACK: { packets: 1, bytes: 4, bytesPerPacket: 4 },
    PUBLISH: { packets: 2, bytes: pubQ1 + pubQ0, bytesPerPacket: (pubQ1 + pubQ0) / 2 },
    SUBSCRIBE: { packets: 1, bytes: subscribe, bytesPerPacket: subscribe },
  });
  expect(s.packets.toBoard).toEqual({
    CONNACK: { packets: 1, bytes: 4, bytesPerPacket: 4 },
    PUBACK: { packets: 1, bytes: 4, bytesPerPacket: 4 },
    PUBLISH: { packets: 1, bytes: pubIn, bytesPerPacket: pubIn },
    SUBACK: { packets: 1, bytes: 5, bytesPerPacket: 5 },
  });
  const toBroker = connect + 2 + 4 + pubQ1 + pubQ0 + subscribe;
  const toBoard = 4 + 4 + pubIn + 5;
  // Raw MQTT: the line, the forwarded bytes, the board's count and the broker's TCP bytes agree.
  expect(s.serial.fromBoard).toBe(toBroker);
  expect(s.serial.toBoard).toBe(toBoard);
  expect(s.forwarded).toEqual({ toBroker, toBoard });
  expect(board.wireBytes()).toEqual({ sent: toBroker, received: toBoard });
  expect(s.broker.wire).toEqual({ sent: toBroker, received: toBoard });
  // 8N1 at 9600 baud: 10 bits a byte.
  expect(s.serial.lineSeconds.fromBoard).toBeCloseTo((toBroker * 10) / 9600, 9);
  expect(s.serial.lineSeconds.toBoard).toBeCloseTo((toBoard * 10) / 9600, 9);
});

it("reaches the broker over TLS (mqtts://, certificate verified): the wire carries records, the line raw MQTT", async () => {
  const pty = await rig.ptys();
  const { bridge, log } = await rig.bridge({ port: pty.b, baudRate: 115200, url: broker.url("tls"), tls: { caFile: broker.certs.caCert } });
  const topic = uniqueTopic("bridge/tls");
  const board = await rig.board(pty.a);
  const got = collect(board);
  await board.subscribe(topic, { qos: 1 });
  await board.publish(topic, allBytes(2), { qos: 1 });
  await waitFor(() => got.length === 1, 5000, "the message back over TLS");
  expect(got[0].payload.equals(allBytes(2))).toBe(true);
  await endSession(board, bridge);
  const s = bridge.stats();
  expect(log).toContain("bridge: connected to the broker (tls)");
  expect(s.forwarded).toEqual({ toBroker: board.wireBytes()!.sent, toBoard: board.wireBytes()!.received });
  // TLS records and the handshake cost more than the MQTT bytes they carry.
  expect(s.broker.wire!.sent).toBeGreaterThan(s.forwarded.toBroker + 100);
  expect(s.broker.wire!.received).toBeGreaterThan(s.forwarded.toBoard + 100);
});
