// SerialTransport as a socket for the Link: "connect" once open, end() that closes the port (a
// pty can be opened again), and one clear line when the port cannot be opened or goes away
// (socat killed, as a USB adapter pulled out).
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.ts";
import { SerialTransport } from "../../../host/transports/serial.ts";
import { MoteError } from "../../../host/errors.ts";
import { startBridge } from "../../../host/bridge/index.ts";
import type { Device } from "../../../host/device.ts";
import { Rig, rejection, waitFor, within, writeRaw } from "./helpers.ts";

let broker: Mosquitto;
const rig = new Rig();

beforeAll(async () => {
  broker = await startMosquitto();
});
afterEach(() => rig.closeAll());
afterAll(() => broker?.stop());

it("opens with a connect event, carries bytes, counts them, and end() closes the port so it opens again", async () => {
  const pty = await rig.ptys();
  const far = await rig.raw(pty.b);
  const farGot: Buffer[] = [];
  far.on("data", (d: Buffer) => farGot.push(d));
  const t = new SerialTransport({ path: pty.a, baudRate: 9600 });
  for (let round = 0; round < 2; round++) {
    const line = t.open();
    expect(line.connecting).toBe(true);
    await within(new Promise((r) => line.once("connect", r)), 3000, "connect");
    expect(line.connecting).toBe(false);
    const got: Buffer[] = [];
    line.on("data", (d: Buffer) => got.push(d));
    line.write(Buffer.from([0, 1, 2, 0xff]));
    await writeRaw(far, Buffer.from("hi"));
    await waitFor(() => Buffer.concat(got).toString() === "hi" && Buffer.concat(farGot).length === 4 * (round + 1), 3000, "bytes both ways");
    await within(new Promise((r) => { line.once("close", r); line.end(); }), 3000, "close after end()");
    expect(line.port.isOpen).toBe(false);
  }
  expect(t.wireBytes()).toEqual({ sent: 8, received: 4 });
});

it("a port that cannot be opened fails with one line, for the transport and for the bridge", async () => {
  const line = new SerialTransport({ path: "/nonexistent/ttyUSB9" }).open();
  const err = await within(new Promise<Error>((r) => line.once("error", r)), 3000, "the open error");
  expect(err).toBeInstanceOf(MoteError);
  expect((err as MoteError).kind).toBe("serial");
  expect(err.message).toBe("cannot open serial port /nonexistent/ttyUSB9: No such file or directory");
  const bridgeErr = await rejection(startBridge({ port: "/nonexistent/ttyUSB9", url: broker.url(), log: () => {} }), 3000, "startBridge");
  expect(bridgeErr?.message).toBe("cannot open serial port /nonexistent/ttyUSB9: No such file or directory");
});

it("killing socat under a connected board: the board and the bridge each report the port closed, in one line", async () => {
  const pty = await rig.ptys();
  const { bridge, log } = await rig.bridge({ port: pty.b, baudRate: 115200, url: broker.url() });
  const errors: Error[] = [];
  let closes = 0;
  const board = await rig.board(pty.a, {}, (d: Device) => {
    d.on("error", (e: Error) => errors.push(e));
    d.on("close", () => closes++);
  });
  expect(board.connected).toBe(true);
  await pty.kill();
  await waitFor(() => errors.length > 0 && closes === 1, 3000, "the board's error and close");
  // The Device puts its own words in front of a transport's error; the transport's line is whole.
  expect(errors[0].message).toMatch(new RegExp(`serial port ${pty.a} closed: the device went away \\((hang-up|bad file descriptor|i/o error)\\)$`));
  expect(errors[0].message).not.toContain("\n");
  expect(board.connected).toBe(false);

  const ended = await within(bridge.closed, 3000, "the bridge to end");
  expect(ended?.message).toMatch(new RegExp(`^serial port ${pty.b} closed: the device went away \\((hang-up|bad file descriptor|i/o error)\\)$`));
  expect(log.at(-1)).toBe(`bridge: ${ended?.message}`);
  // The broker connection went with it.
  await waitFor(() => !bridge.stats().broker.connected && bridge.stats().broker.wire!.sent > 0, 3000, "the broker connection closed");
});
