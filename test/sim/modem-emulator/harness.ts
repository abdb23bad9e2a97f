// Test plumbing: an emulator with a client on its pty, a transcript kept in memory, small TCP
// servers on 127.0.0.1, and cleanup after each test.
import net from "node:net";
import { afterEach } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions, type TranscriptEntry } from "../../../sim/modem-emulator/index.ts";
import { AtClient } from "./at-client.ts";

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export interface Modem {
  em: Emulator;
  at: AtClient;
  transcript: TranscriptEntry[];
}

export async function startModem(opts: EmulatorOptions): Promise<Modem> {
  const transcript: TranscriptEntry[] = [];
  const em = await startEmulator({ ...opts, transcript: (e) => transcript.push(e) });
  onCleanup(() => em.stop());
  const at = await AtClient.open(em.path, opts.baudRate ?? 115200);
  onCleanup(() => at.close());
  return { em, at, transcript };
}

export interface TestServer {
  port: number;
  sockets: net.Socket[];
  /** Everything received, over all connections. */
  received(): Buffer;
}

/** A TCP server on 127.0.0.1; `onSocket` decides what each connection does (default: sink). */
export async function startServer(onSocket: (s: net.Socket) => void = () => {}): Promise<TestServer> {
  const chunks: Buffer[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on("data", (d) => chunks.push(d));
    s.on("error", () => {});
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));
  return { port: (server.address() as net.AddressInfo).port, sockets, received: () => Buffer.concat(chunks) };
}

/** Poll until cond() holds; fail after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** ESP-AT from reset to Wi-Fi joined, echo off. */
export async function espReady(at: AtClient, passive = false): Promise<void> {
  await at.cmd("ATE0");
  await at.cmd("AT+CWMODE=1");
  await at.cmd('AT+CWJAP="lab","secret"', /WIFI GOT IP\r\n\r\nOK\r\n/);
  if (passive) await at.cmd("AT+CIPRECVMODE=1");
}

/** BG96 from reset to an active bearer, echo off, verbose errors. */
export async function bg96Ready(at: AtClient): Promise<void> {
  await at.cmd("ATE0");
  await at.cmd("AT+CMEE=2");
  await at.cmd('AT+QICSGP=1,1,"iot.example","","",1');
  await at.cmd("AT+QIACT=1");
}
