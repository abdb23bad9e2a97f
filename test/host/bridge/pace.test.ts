// Ptys move bytes at any speed; a UART at 9600 baud (8N1) moves 960 bytes a second. With pace the
// bridge holds each direction of the serial side to that rate, so a 2,000-byte message takes
// about 2.1 s on the line whichever way it goes.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.ts";
import { Rig, allBytes, collect, uniqueTopic, waitFor } from "./helpers.ts";

let broker: Mosquitto;
const rig = new Rig();

beforeAll(async () => {
  broker = await startMosquitto();
});
afterEach(() => rig.closeAll());
afterAll(() => broker?.stop());

it("at 9600 baud a 2,000-byte message takes ~2.1 s each way (within 15%)", async () => {
  const pty = await rig.ptys();
  const { bridge } = await rig.bridge({ port: pty.b, baudRate: 9600, url: broker.url(), pace: true });
  const up = uniqueTopic("pace/up");
  const down = uniqueTopic("pace/down");
  const peer = await rig.mqttjs(broker.url());
  const atPeer: number[] = [];
  peer.on("message", (_t, payload) => atPeer.push(payload.length));
  await peer.subscribeAsync(up, { qos: 0 });
  const board = await rig.board(pty.a, { keepalive: 60 });
  const atBoard = collect(board);
  await board.subscribe(down, { qos: 0 });
  const payload = allBytes(8).subarray(0, 2000);

  // The PUBLISH: 3 bytes of fixed header (remaining length > 127), topic, payload (QoS 0).
  const onLine = (topic: string) => 3 + 2 + Buffer.byteLength(topic) + payload.length;
  const seconds = (bytes: number) => (bytes * 10) / 9600;

  let t0 = performance.now();
  await board.publish(up, payload, { qos: 0 });
  await waitFor(() => atPeer.length === 1, 4000, "the 2,000 bytes at MQTT.js");
  const upSeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  await peer.publishAsync(down, payload, { qos: 0 });
  await waitFor(() => atBoard.length === 1, 4000, "the 2,000 bytes at the board");
  const downSeconds = (performance.now() - t0) / 1000;

  expect(atPeer).toEqual([2000]);
  expect(atBoard[0].payload.equals(payload)).toBe(true);
  for (const [measured, expected] of [[upSeconds, seconds(onLine(up))], [downSeconds, seconds(onLine(down))]]) {
    expect(expected).toBeGreaterThan(2.05);
    expect(expected).toBeLessThan(2.2);
    expect(Math.abs(measured - expected) / expected).toBeLessThan(0.15);
  }
  // The line-time figures agree with the bytes (the PUBLISH dominates them).
  const s = bridge.stats();
  expect(s.serial.lineSeconds.fromBoard).toBeCloseTo(seconds(s.serial.fromBoard), 9);
  expect(s.serial.lineSeconds.fromBoard).toBeGreaterThan(seconds(onLine(up)));
});
