// Test tools for the mote CLI: run it (and mosquitto_pub / mosquitto_sub) as child processes,
// each bounded by a timeout and killed in cleanup; a mosquitto whose log is a file read live
// (its stdout log is block-buffered until exit); a TCP proxy that can drop every connection.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startMosquitto, type Mosquitto, type MosquittoOptions } from "../support/mosquitto.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MAIN = join(ROOT, "bin", "mote.ts");

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

const live = new Set<Proc>();

/** A child process with its output collected and a hard time limit. */
export class Proc {
  readonly child: ChildProcess;
  readonly done: Promise<Result>;
  private out: Buffer[] = [];
  private err: Buffer[] = [];
  private timedOut = false;

  constructor(cmd: string, args: string[], opts: { input?: string | Buffer; keepStdin?: boolean; timeoutMs?: number } = {}) {
    const t0 = performance.now();
    this.child = spawn(cmd, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    live.add(this);
    this.child.stdout!.on("data", (b: Buffer) => this.out.push(b));
    this.child.stderr!.on("data", (b: Buffer) => this.err.push(b));
    this.child.stdin!.on("error", () => {});
    if (opts.input !== undefined) this.child.stdin!.end(opts.input);
    else if (!opts.keepStdin) this.child.stdin!.end();
    const timer = setTimeout(() => { this.timedOut = true; this.child.kill("SIGKILL"); }, opts.timeoutMs ?? 15_000);
    this.done = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        clearTimeout(timer);
        live.delete(this);
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr, ms: performance.now() - t0, timedOut: this.timedOut });
      });
    });
  }

  get stdout(): string { return Buffer.concat(this.out).toString("utf8"); }
  get stderr(): string { return Buffer.concat(this.err).toString("utf8"); }
  write(text: string): void { this.child.stdin!.write(text); }
  endInput(): void { this.child.stdin!.end(); }
  kill(sig: NodeJS.Signals = "SIGKILL"): void { if (this.child.exitCode === null) this.child.kill(sig); }
}

/** `mote <args>` via node --import tsx bin/mote.ts. */
export const mote = (args: string[], opts?: ConstructorParameters<typeof Proc>[2]) =>
  new Proc(process.execPath, ["--import", "tsx", MAIN, ...args], opts);
export const mosquittoSub = (args: string[], timeoutMs = 15_000) => new Proc("mosquitto_sub", ["-h", "127.0.0.1", ...args], { timeoutMs });
export const mosquittoPub = (args: string[], timeoutMs = 10_000) => new Proc("mosquitto_pub", ["-h", "127.0.0.1", ...args], { timeoutMs });

/** Kills every child still running (afterEach / afterAll). */
export function killAll(): void {
  for (const p of live) p.kill();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Non-empty lines of a text. */
export const lines = (text: string) => text.split("\n").filter((l) => l.length > 0);

export interface Broker {
  mosquitto: Mosquitto;
  port: number;
  /** The broker's log so far (a file mosquitto flushes per line). */
  log(): string;
  /** How often a text occurs in the log. */
  count(text: string): number;
  /** Waits until the log holds a text (n times). */
  waitLog(text: string, n?: number, timeoutMs?: number): Promise<void>;
  /** Waits until the broker sent SUBACK to a client id (n times). */
  subscribed(clientId: string, n?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function broker(opts: MosquittoOptions = {}): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), "mote-cli-log-"));
  chmodSync(dir, 0o777);
  const file = join(dir, "mosquitto.log");
  const mosquitto = await startMosquitto({ ...opts, extraConfig: [`log_dest file ${file}`, ...(opts.extraConfig ?? [])] });
  const log = () => { try { return readFileSync(file, "utf8"); } catch { return ""; } };
  const count = (text: string) => log().split(text).length - 1;
  const waitLog = (text: string, n = 1, timeoutMs = 8000) => waitFor(() => count(text) >= n, `'${text}' x${n} in the mosquitto log`, timeoutMs);
  return {
    mosquitto, port: mosquitto.ports.tcp, log, count, waitLog,
    subscribed: (id, n = 1) => waitLog(`Sending SUBACK to ${id}\n`, n),
    stop: async () => { await mosquitto.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A TCP proxy to a port on 127.0.0.1 that can drop every connection and refuse new ones. */
export class DropProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  blocked = false;
  accepted = 0;
  port = 0;

  constructor(private readonly target: number) {
    this.server = net.createServer((client) => {
      if (this.blocked) return client.destroy();
      this.accepted++;
      const upstream = net.connect({ host: "127.0.0.1", port: this.target });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {});
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
  }

  listen(): Promise<this> {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => {
      this.port = (this.server.address() as net.AddressInfo).port;
      resolve(this);
    }));
  }

  /** Drops every open connection, both sides, without a DISCONNECT: a broken link. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
