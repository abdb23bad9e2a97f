// The broker goes away under a board on a serial line: mosquitto is SIGKILLed, then restarted on
// the same port. The board has no TCP connection to lose; it finds out as it would from a dead
// network, by its keepalive (no PINGRESP), reconnects through the bridge with a new CONNECT, and
// resumes. Meanwhile the bridge drops what the board sends, counted by packet type, and nothing
// unframed or half a packet ever reaches the broker.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.ts";
import { Option } from "../../../host/abi.ts";
import type { Device } from "../../../host/device.ts";
import { Rig, collect, uniqueTopic, waitFor } from "./helpers.ts";

let broker: Mosquitto;
const rig = new Rig();

beforeAll(async () => {
  broker = await startMosquitto();
});
afterEach(() => rig.closeAll());
afterAll(() => broker?.stop());

it("the board reconnects through the bridge after the broker is killed and restarted, and resumes both ways", async () => {
  const pty = await rig.ptys();
  const { bridge, log } = await rig.bridge({ port: pty.b, baudRate: 115200, url: broker.url() });
  const up = uniqueTopic("reconnect/up");
  const down = uniqueTopic("reconnect/down");
  const events: string[] = [];
  // Keepalive 1 s and a 500 ms PINGRESP timeout: the board notices the dead session within 1.5 s.
  const board = await rig.board(pty.a, { keepalive: 1, reconnect: true, reconnectPeriod: 100, reconnectMaxMs: 300, connectTimeout: 1000 }, (d: Device) => {
    d.fw.exports.setOption(Option.PingrespTimeoutMs, 500);
    for (const name of ["connect", "offline", "reconnect"] as const) d.on(name, () => events.push(name));
  });
  const atBoard = collect(board);
  expect(await board.subscribe(down, { qos: 1 })).toEqual([1]);

  await broker.kill();
  await waitFor(() => bridge.stats().broker.closedByBroker === 1, 3000, "the bridge to see the broker's close");
  await waitFor(() => events.includes("offline"), 4000, "the board's keepalive to notice");
  await waitFor(() => bridge.stats().broker.failures >= 1, 4000, "a CONNECT from the board while the broker is down");
  await broker.restart();
  await waitFor(() => events.filter((e) => e === "connect").length === 2, 6000, "the board back online");
  // No session was kept (clean session): the board subscribes again by itself.
  await waitFor(() => (bridge.stats().packets.toBroker.SUBSCRIBE?.packets ?? 0) === 2 && bridge.stats().packets.toBoard.SUBACK?.packets === 2,
    3000, "the board's new SUBSCRIBE acknowledged");

  const peer = await rig.mqttjs(broker.url());
  const atPeer: string[] = [];
  peer.on("message", (_t, payload) => atPeer.push(payload.toString()));
  await peer.subscribeAsync(up, { qos: 1 });
  await board.publish(up, "back from the board", { qos: 1 });
  await peer.publishAsync(down, "back to the board", { qos: 1 });
  await waitFor(() => atPeer.length === 1 && atBoard.length === 1, 3000, "a message each way after the restart");
  expect(atPeer).toEqual(["back from the board"]);
  expect(atBoard[0].payload.toString()).toBe("back to the board");

  expect(events[0]).toBe("connect");
  expect(events.slice(1, 3)).toEqual(["offline", "reconnect"]);
  expect(events.at(-1)).toBe("connect");
  const s = bridge.stats();
  expect(s.broker.closedByBroker).toBe(1);
  expect(s.broker.connections).toBe(2 + s.broker.failures);
  // The board's PINGREQ after the close and its CONNECTs while the broker was down were dropped,
  // whole packets at packet boundaries: nothing unframed, nothing half-forwarded.
  expect(s.packets.dropped.PINGREQ.packets).toBeGreaterThanOrEqual(1);
  expect(s.packets.dropped.CONNECT.packets).toBe(s.broker.failures);
  expect(s.dropped.garbage).toBe(0);
  for (const row of Object.values(s.packets.dropped)) expect(Number.isInteger(row.bytesPerPacket)).toBe(true);
  expect(s.forwarded.toBroker + s.dropped.bytes).toBe(s.serial.fromBoard);
  expect(log.some((l) => l.includes("warning: the broker closed the connection"))).toBe(true);
  expect(log.some((l) => l.includes("warning: cannot connect to the broker: connect ECONNREFUSED"))).toBe(true);
  expect(broker.logs()).not.toMatch(/protocol error|malformed/i);
});
