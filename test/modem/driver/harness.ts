// Setup for the driver tests: a socat pty pair, a scripted fake modem on one end, a
// ModemTransport on the other, fast timings, and bounded waits on a ModemSocket.
import { randomBytes } from "node:crypto";
import { ModemTransport, type ModemSocket, type ModemTransportOptions } from "../../../host/modem/modem-transport.ts";
import type { Timing } from "../../../host/modem/modem-driver.ts";
import { FakeModem } from "./fake-modem.ts";
import { ptyPair, type PtyPair } from "./pty.ts";
import { World, bg96Script, espScript, simcomScript } from "./scripts.ts";
import { within } from "../../device/helpers.ts";

export { sleep, waitFor, within } from "../../device/helpers.ts";

/** Fast but with room for a loaded CI machine: replies on a pty take well under a millisecond. */
export const FAST: Partial<Timing> = { syncAttempts: 6, syncReplyMs: 300, idleProbeMs: 0, guardMs: 100, retryDelayMs: 20, timeoutScale: 0.5 };

export interface Rig {
  pty: PtyPair;
  w: World;
  m: FakeModem;
  t: ModemTransport;
}

const cleanups: Array<() => Promise<void>> = [];

export type DialectName = "esp-at" | "bg96" | "simcom";
const SCRIPTS = { "esp-at": espScript, bg96: bg96Script, simcom: simcomScript };

export async function rig(dialect: DialectName, opts: Partial<ModemTransportOptions> = {}): Promise<Rig> {
  const pty = await ptyPair();
  const w = new World(dialect);
  const m = await FakeModem.open(pty.b, SCRIPTS[dialect](w));
  w.m = m;
  const t = new ModemTransport({ path: pty.a, baudRate: 115200, host: "127.0.0.1", port: 1883, apn: "iot.test", ...opts, dialect: opts.dialect ?? dialect, timing: { ...FAST, ...opts.timing } });
  cleanups.push(async () => {
    await t.close(500);
    await m.close();
    await pty.cleanup();
  });
  return { pty, w, m, t };
}

export async function closeRigs(): Promise<void> {
  for (const c of cleanups.splice(0)) await c();
}

/** Resolves on "connect"; rejects with the socket's error if it closes first. */
export function connected(s: ModemSocket, ms = 5000): Promise<void> {
  return within(new Promise<void>((resolve, reject) => {
    let err: Error | undefined;
    s.once("connect", () => resolve());
    s.on("error", (e) => (err = e));
    s.once("close", () => reject(err ?? new Error("closed before connect")));
  }), ms, "the modem socket to connect");
}

/** Collects everything read and how the socket ended. */
export function watch(s: ModemSocket) {
  const chunks: Buffer[] = [];
  const state = { error: undefined as Error | undefined, closed: false };
  s.on("data", (b: Buffer) => chunks.push(b));
  s.on("error", (e) => (state.error = e));
  s.on("close", () => (state.closed = true));
  return {
    state,
    bytes: () => Buffer.concat(chunks),
    length: () => chunks.reduce((n, c) => n + c.length, 0),
  };
}

/** Random bytes that contain every byte value and the sequences text handling breaks. */
export function nastyBytes(n: number): Buffer {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const traps = Buffer.from("\r\nOK\r\n> +IPD,5:\r\n+QIRD: 3\r\n\x1a\x00+++\r\nSEND OK\r\nready\r\nRDY\r\n", "latin1");
  const b = Buffer.concat([all, traps, randomBytes(Math.max(0, n))]);
  return b.subarray(0, Math.max(n, 0));
}

/** Waits until the socket has closed; returns its error (undefined for a clean close). */
export function closedWith(s: ModemSocket, ms = 5000): Promise<Error | undefined> {
  return within(new Promise<Error | undefined>((resolve) => {
    let err: Error | undefined;
    if (s.destroyed && s.closed) return resolve(s.errored ?? undefined);
    s.on("error", (e) => (err = e));
    s.once("close", () => resolve(err));
  }), ms, "the modem socket to close");
}
