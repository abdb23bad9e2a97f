// Shared tools for the raw bridge suites: a pair of real ptys joined by socat (the "serial
// line"), the bridge on one end with its log collected, and our firmware as the board on the
// other end. Everything a test opens is closed by closeAll(), every wait is bounded.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync as mqttjsConnect, type IClientOptions, type MqttClient } from "mqtt";
import { SerialPort } from "serialport";
import { startBridge, type Bridge, type BridgeOptions } from "../../../host/bridge/index.ts";
import { SerialTransport } from "../../../host/transports/serial.ts";
import { type Device, type DeviceOptions } from "../../../host/device.ts";
import { connectAsync } from "../../../host/device-connect.ts";
import { Tracker, sleep, uniqueId, waitFor, within } from "../../device/helpers.ts";

export { sleep, uniqueId, waitFor, within };
export { uniqueTopic, collect, rejection } from "../../device/helpers.ts";

/** The URL handed to a board on a serial line: valid, never dialled (the transport is the port). */
export const BOARD_URL = "mqtt://127.0.0.1:1883";

export interface PtyPair {
  /** The board's end. */
  a: string;
  /** The bridge's end. */
  b: string;
  /** SIGTERM to socat (the ports vanish), bounded. */
  kill(): Promise<void>;
}

export interface BridgeUnderTest {
  bridge: Bridge;
  log: string[];
}

/** Ptys, bridges, boards and MQTT.js clients a test opened; closeAll() in afterEach. */
export class Rig {
  private readonly tracker = new Tracker();
  private readonly socats = new Set<ChildProcess>();
  private readonly bridges = new Set<Bridge>();
  private readonly ports = new Set<SerialPort>();
  private readonly dirs = new Set<string>();

  /** Two ptys joined by socat: `raw,echo=0` carries every byte value unchanged. */
  async ptys(): Promise<PtyPair> {
    const dir = mkdtempSync(join(tmpdir(), "mote-bridge-"));
    this.dirs.add(dir);
    const a = join(dir, "a");
    const b = join(dir, "b");
    const socat = spawn("socat", ["-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ["ignore", "ignore", "pipe"] });
    this.socats.add(socat);
    let stderr = "";
    socat.stderr!.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    const exited = new Promise<void>((resolve) => socat.once("exit", () => resolve()));
    socat.once("error", () => {});
    try {
      await waitFor(() => (existsSync(a) && existsSync(b)) || socat.exitCode !== null, 3000, "socat's ptys");
    } catch (e) {
      socat.kill("SIGKILL");
      throw e;
    }
    if (socat.exitCode !== null) throw new Error(`socat exited: ${stderr}`);
    const kill = async () => {
      if (socat.exitCode !== null || socat.signalCode !== null) return;
      socat.kill("SIGTERM");
      await within(exited, 3000, "socat to exit").catch(() => socat.kill("SIGKILL"));
    };
    return { a, b, kill };
  }

  /** The bridge on a pty, logging into an array. */
  async bridge(o: BridgeOptions): Promise<BridgeUnderTest> {
    const log: string[] = [];
    const bridge = await within(startBridge({ log: (l) => log.push(l), ...o }), 3000, "the bridge to open its port");
    this.bridges.add(bridge);
    return { bridge, log };
  }

  /** Our firmware as the board, on the serial line; reconnect off unless asked. */
  async board(path: string, o: DeviceOptions = {}, setup?: (d: Device) => void, ms = 5000): Promise<Device> {
    const transport = new SerialTransport({ path, baudRate: 115200 });
    const d = await within(connectAsync(BOARD_URL, { reconnect: false, clientId: uniqueId("board"), ...o, transport }, setup), ms, "the board's CONNACK through the bridge");
    return this.tracker.device(d);
  }

  async mqttjs(url: string, o: IClientOptions = {}): Promise<MqttClient> {
    const c = await within(mqttjsConnect(url, { clientId: uniqueId("peer"), reconnectPeriod: 0, ...o }), 5000, "MQTT.js connect");
    return this.tracker.client(c);
  }

  /** A raw port on a pty, for bytes that are not our firmware's (garbage, hand-made packets). */
  async raw(path: string): Promise<SerialPort> {
    const p = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    this.ports.add(p);
    await within(new Promise<void>((resolve, reject) => p.open((e) => (e ? reject(e) : resolve()))), 3000, "raw port open");
    return p;
  }

  async closeAll(): Promise<void> {
    await this.tracker.closeAll();
    await Promise.all([...this.bridges].map((b) => within(b.stop(), 3000, "bridge stop").catch(() => {})));
    await Promise.all([...this.ports].map((p) => (p.isOpen ? within(new Promise((r) => p.close(r)), 3000, "raw port close").catch(() => {}) : undefined)));
    for (const s of this.socats) {
      if (s.exitCode === null && s.signalCode === null) s.kill("SIGTERM");
      await within(new Promise((r) => (s.exitCode !== null || s.signalCode !== null ? r(undefined) : s.once("exit", r))), 3000, "socat exit")
        .catch(() => s.kill("SIGKILL"));
    }
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.bridges.clear();
    this.ports.clear();
    this.socats.clear();
    this.dirs.clear();
  }
}

/** Writes bytes to a raw port and waits until the OS took them. */
export function writeRaw(p: SerialPort, bytes: Buffer): Promise<void> {
  return within(new Promise<void>((resolve, reject) => p.write(bytes, (e) => (e ? reject(e) : p.drain((e2) => (e2 ? reject(e2) : resolve()))))), 3000, "raw write");
}

/** Every byte value, `times` times over. */
export function allBytes(times = 1): Buffer {
  const b = Buffer.alloc(256 * times);
  for (let i = 0; i < b.length; i++) b[i] = i & 0xff;
  return b;
}
