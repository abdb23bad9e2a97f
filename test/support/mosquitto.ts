// Starts a real mosquitto (/usr/sbin/mosquitto, Debian's 2.0.11) for a test: a plain TCP
// listener always, and on request TLS, mutual TLS, WebSocket and secure WebSocket listeners, all
// bound to 127.0.0.1 on free ports. The broker logs everything (`log_type all`), captured by
// `logs()`; start-up waits until the broker says it is running and every port accepts a TCP
// connection, and fails with the config and the log after 5 s. `restart()` brings the broker
// back on the same ports with the same persistence directory; `kill()` is SIGKILL, for crash
// tests.
//
// No broker outlives the test process: brokers still running at `exit` are killed, and since
// vitest ends its workers with SIGTERM (no `exit` event), a watchdog (`sh`, one per process,
// reading a pipe from this process) kills the brokers and removes their directories when that
// pipe closes, however the process ended.
//
// mosquitto started as root drops to user `mosquitto`: everything it reads lives in a 0755
// temporary directory with 0644 files, and the persistence directory is 0777.
//
// mosquitto 2.0.11 quirks handled here:
// - a websockets listener ignores the address of `listener <port> 127.0.0.1` and listens on
//   every interface (IPv6 wildcard) unless the listener also says `socket_domain ipv4`;
// - `log_dest stdout` is block-buffered when stdout is a pipe (nothing arrives until 4 KiB or
//   exit), so the broker logs to stderr, which is unbuffered;
// - 2.x refuses anonymous clients unless told otherwise: the config sets
//   `per_listener_settings false` and a global `allow_anonymous`;
// - a config with only a websockets listener fails to start; the TCP listener is always there.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCerts, type Certs } from "./certs.ts";
import { freePort } from "./free-port.ts";

export const MOSQUITTO_BINARY = "/usr/sbin/mosquitto";
const MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd";
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 5000;
const RELOAD_TIMEOUT_MS = 5000;
const START_ATTEMPTS = 3;
const LOG_CHARS_MAX = 4 * 1024 * 1024;
const RUNNING = /mosquitto version \S+ running/;
const PORT_TAKEN = /Address already in use|Unable to create websockets listener/;

export type ListenerKind = "tcp" | "tls" | "mtls" | "ws" | "wss";

export interface MosquittoOptions {
  /** Log connections and problems only, not every packet (for benchmarks). */
  quiet?: boolean;
  /** Listeners besides the plain TCP one, which is always there. */
  listeners?: Exclude<ListenerKind, "tcp">[];
  /** Default: true without `users`, false with them. */
  allowAnonymous?: boolean;
  /** user name → password, written to a password file with mosquitto_passwd. */
  users?: Record<string, string>;
  /**
   * Keep sessions and messages across restart() (default false). mosquitto writes its database
   * on a clean stop (stop(), restart()); after kill() only what autosave wrote survives (add
   * `autosave_interval 1` / `autosave_on_changes true` to extraConfig if a crash test needs it).
   */
  persistence?: boolean;
  /** Which server certificate the TLS listeners present: the CA's (default) or the wrong CA's. */
  serverCert?: "ca" | "wrong-ca";
  /** Global config lines, written before the listeners. */
  extraConfig?: string[];
  /** Bound on start-up and restart (default 5000 ms). */
  readyTimeoutMs?: number;
  /** Default /usr/sbin/mosquitto. */
  binary?: string;
}

export interface MosquittoPorts { tcp: number; tls?: number; mtls?: number; ws?: number; wss?: number }

export interface Mosquitto {
  readonly ports: Readonly<MosquittoPorts>;
  /** mqtt://, mqtts://, ws:// or wss:// URL of a listener on 127.0.0.1 (default tcp). */
  url(kind?: ListenerKind): string;
  readonly certs: Certs;
  /** The broker's temporary directory (config, password file, persistence). */
  readonly dir: string;
  /** The config file as written. */
  readonly config: string;
  /** Process id of the running broker, undefined when it is not running. */
  readonly pid: number | undefined;
  /** SIGTERM and wait for exit (SIGKILL after 5 s). Does nothing when not running. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash. Does nothing when not running. */
  kill(): Promise<void>;
  /** Stop if running, then start again on the same ports with the same persistence directory. */
  restart(): Promise<void>;
  /** Everything the broker wrote, across restarts (the last 4 Mi characters). */
  logs(): string;
  /** Rewrites the password file with these users only and makes the running broker reload it (SIGHUP); resolves once it has. */
  setPasswords(users: Record<string, string>): Promise<void>;
}

// ---- cleanup: at exit, and by a watchdog when the process dies without an exit event ----

const running = new Set<ChildProcess>();
const dirs = new Set<string>();
let watchdog: ChildProcess | undefined;

/**
 * Reads "<pid> <dir>" lines until its stdin closes (this process is gone), then SIGKILLs each
 * pid that is still the mosquitto started on <dir>/mosquitto.conf (so a reused pid is left
 * alone) and removes <dir>. It ignores the signals a process group gets on Ctrl-C or SIGTERM.
 */
const WATCHDOG_SCRIPT = `trap '' INT TERM HUP
list=""
while IFS= read -r line; do list="$list
$line"; done
printf '%s\\n' "$list" | while read -r pid dir; do
  [ -n "$dir" ] || continue
  if [ "$pid" != "-" ] && grep -qF "$dir/mosquitto.conf" "/proc/$pid/cmdline" 2>/dev/null; then kill -9 "$pid"; fi
  rm -rf "$dir"
done`;

function watch(pid: number | "-", dir: string): void {
  if (watchdog === undefined) {
    watchdog = spawn("/bin/sh", ["-c", WATCHDOG_SCRIPT], { stdio: ["pipe", "ignore", "ignore"] });
    watchdog.on("error", () => { /* no watchdog: the exit hook still runs on a normal exit */ });
    watchdog.stdin!.on("error", () => {});
    watchdog.unref();
    (watchdog.stdin as unknown as net.Socket).unref();
    process.once("exit", () => {
      for (const child of running) child.kill("SIGKILL");
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
  }
  watchdog.stdin!.write(`${pid} ${dir}\n`);
}

// ---- config ----

async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(HOST));
  return [...ports];
}

const SCHEMES: Record<ListenerKind, string> = { tcp: "mqtt", tls: "mqtts", mtls: "mqtts", ws: "ws", wss: "wss" };

function listenerLines(kind: ListenerKind, port: number, certs: Certs, wrongCert: boolean): string[] {
  const lines = [`listener ${port} ${HOST}`, "socket_domain ipv4"];
  if (kind === "ws" || kind === "wss") lines.push("protocol websockets");
  if (kind === "tls" || kind === "mtls" || kind === "wss") {
    lines.push(`cafile ${certs.caCert}`,
      `certfile ${wrongCert ? certs.wrongServerCert : certs.serverCert}`,
      `keyfile ${wrongCert ? certs.wrongServerKey : certs.serverKey}`);
  }
  if (kind === "mtls") lines.push("require_certificate true", "use_identity_as_username true");
  return [...lines, ""];
}

function writePasswordFile(path: string, users: Record<string, string>): void {
  Object.entries(users).forEach(([user, password], i) => {
    const args = i === 0 ? ["-c", "-b", path, user, password] : ["-b", path, user, password];
    execFileSync(MOSQUITTO_PASSWD, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
  });
  chmodSync(path, 0o644);
}

function buildConfig(dir: string, opts: MosquittoOptions, ports: MosquittoPorts, certs: Certs): string {
  const users = opts.users;
  const allowAnonymous = opts.allowAnonymous ?? users === undefined;
  const lines = ["# written by test/support/mosquitto.ts", "per_listener_settings false", `allow_anonymous ${allowAnonymous}`];
  if (users !== undefined) {
    const passwordFile = join(dir, "passwd");
    writePasswordFile(passwordFile, users);
    lines.push(`password_file ${passwordFile}`);
  }
  if (opts.persistence === true) {
    const data = join(dir, "data");
    mkdirSync(data, { recursive: true });
    chmodSync(data, 0o777);
    lines.push("persistence true", `persistence_location ${data}/`, "persistence_file mosquitto.db");
  } else {
    lines.push("persistence false");
  }
  // Benchmarks want the broker quiet: "all" logs every packet, which then bounds throughput.
  const logTypes = opts.quiet ? ["log_type error", "log_type warning", "log_type notice", "log_type information"] : ["log_type all"];
  lines.push("log_dest stderr", ...logTypes, "log_timestamp_format %H:%M:%S", ...(opts.extraConfig ?? []), "");
  for (const kind of ["tcp", "tls", "mtls", "ws", "wss"] as const) {
    const port = ports[kind];
    if (port !== undefined) lines.push(...listenerLines(kind, port, certs, opts.serverCert === "wrong-ca"));
  }
  return lines.join("\n");
}

// ---- the broker ----

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok); };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Broker implements Mosquitto {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private chunks: string[] = [];
  private logChars = 0;
  /** What the current (or last) process wrote. */
  private launchLog = "";
  readonly certs: Certs;
  readonly dir: string;
  config = "";
  ports: MosquittoPorts = { tcp: 0 };

  constructor(private readonly opts: MosquittoOptions, private readonly binary: string) {
    this.certs = makeCerts();
    this.dir = mkdtempSync(join(tmpdir(), "mote-mosquitto-"));
    chmodSync(this.dir, 0o755);
    dirs.add(this.dir);
    watch("-", this.dir);
    if (!dirs.has(this.certs.dir)) {
      // makeCerts() removes its per-process directory at exit; the watchdog covers SIGTERM.
      dirs.add(this.certs.dir);
      watch("-", this.certs.dir);
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  url(kind: ListenerKind = "tcp"): string {
    const port = this.ports[kind];
    if (port === undefined) throw new Error(`this broker has no ${kind} listener (options.listeners)`);
    return `${SCHEMES[kind]}://${HOST}:${port}`;
  }

  logs(): string {
    return this.chunks.join("");
  }

  async setPasswords(users: Record<string, string>): Promise<void> {
    if (this.opts.users === undefined || !this.child?.pid) throw new Error("setPasswords: a running broker started with users");
    writePasswordFile(join(this.dir, "passwd"), users);
    const reloads = () => this.logs().split("Reloading config").length;
    const before = reloads();
    process.kill(this.child.pid, "SIGHUP");
    for (const until = Date.now() + RELOAD_TIMEOUT_MS; reloads() === before; await sleep(20)) {
      if (Date.now() > until) throw new Error(`mosquitto did not reload its config within ${RELOAD_TIMEOUT_MS} ms of SIGHUP`);
    }
  }

  private log(text: string): void {
    this.launchLog += text;
    this.chunks.push(text);
    this.logChars += text.length;
    while (this.logChars > LOG_CHARS_MAX && this.chunks.length > 1) this.logChars -= this.chunks.shift()!.length;
  }

  /** Picks ports, writes the config and starts; when a port was taken meanwhile, tries new ones. */
  async start(): Promise<void> {
    const kinds: ListenerKind[] = ["tcp", ...new Set(this.opts.listeners ?? [])];
    for (let attempt = 1; ; attempt++) {
      const free = await distinctPorts(kinds.length);
      this.ports = Object.fromEntries(kinds.map((k, i) => [k, free[i]])) as unknown as MosquittoPorts;
      this.config = buildConfig(this.dir, this.opts, this.ports, this.certs);
      const configPath = join(this.dir, "mosquitto.conf");
      writeFileSync(configPath, this.config);
      chmodSync(configPath, 0o644);
      try {
        await this.launch();
        return;
      } catch (err) {
        if (attempt >= START_ATTEMPTS || !PORT_TAKEN.test(this.launchLog)) throw err;
        this.log(`---- a port was taken, retrying with new ports (attempt ${attempt + 1}) ----\n`);
      }
    }
  }

  /** Spawns the broker on the current config and waits until it runs and every port accepts. */
  private async launch(): Promise<void> {
    this.launchLog = "";
    const child = spawn(this.binary, ["-c", join(this.dir, "mosquitto.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let exitStatus: string | undefined;
    this.exited = new Promise((resolve) => {
      const gone = (status: string): void => {
        exitStatus ??= status;
        running.delete(child);
        if (this.child === child) this.child = undefined;
        resolve();
      };
      child.once("exit", (code, signal) => gone(signal ?? `exit code ${code}`));
      child.once("error", (err) => gone(err.message));
    });
    if (child.pid !== undefined) {
      running.add(child);
      watch(child.pid, this.dir);
    }
    child.unref();
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding("utf8").on("data", (d: string) => this.log(d));
      (stream as unknown as net.Socket).unref();
    }
    const timeout = this.opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    const waiting = new Set(Object.values(this.ports) as number[]);
    while (waiting.size > 0 || !RUNNING.test(this.launchLog)) {
      if (exitStatus !== undefined) {
        throw new Error(`mosquitto exited during start-up (${exitStatus})\n---- config ----\n${this.config}\n---- log ----\n${this.launchLog}`);
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`mosquitto not ready within ${timeout} ms (ports not accepting: ${[...waiting].join(", ") || "none"})\n` +
          `---- config ----\n${this.config}\n---- log ----\n${this.launchLog}`);
      }
      if (RUNNING.test(this.launchLog)) for (const port of [...waiting]) if (await canConnect(port)) waiting.delete(port);
      if (waiting.size > 0 || !RUNNING.test(this.launchLog)) await sleep(10);
    }
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill(sig);
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
    if (!timedOut) return;
    child.kill("SIGKILL");
    await Promise.race([this.exited, sleep(STOP_TIMEOUT_MS)]);
    if (this.child === child) throw new Error(`mosquitto (pid ${child.pid}) did not exit after ${sig} and SIGKILL`);
  }

  stop(): Promise<void> {
    return this.signal("SIGTERM");
  }

  kill(): Promise<void> {
    return this.signal("SIGKILL");
  }

  async restart(): Promise<void> {
    await this.stop();
    this.log("---- restart ----\n");
    // The old process's port may take a moment to be free again: retry within the bound.
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
    for (;;) {
      try {
        await this.launch();
        return;
      } catch (err) {
        if (Date.now() > deadline || !PORT_TAKEN.test(this.launchLog)) throw err;
        await sleep(100);
      }
    }
  }
}

/** Starts a broker; see MosquittoOptions. Throws (with config and log) when it is not ready in 5 s. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = opts.binary ?? MOSQUITTO_BINARY;
  if (!existsSync(binary)) throw new Error(`mosquitto is not installed (apt-get install mosquitto): ${binary} not found`);
  const broker = new Broker(opts, binary);
  await broker.start();
  return broker;
}
