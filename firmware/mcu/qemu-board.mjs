// Starts a board ELF on QEMU's mps2-an386: the one place QEMU is launched (build.mjs's stack
// measurement, test/mcu, and `mote board` through sim/board/qemu-board.ts). UART0 (MQTT) is a TCP
// serial server on a free 127.0.0.1 port that QEMU waits on before it runs the board (wait=on),
// UART1 (debug) is QEMU's stdout, and run-time parameters travel on the semihosting command line.
// QEMU dies with the process that started it (where util-linux's setpriv can ask for that): a
// board left behind by a killed parent spins on its debug UART's dead pipe, one core each. Every
// wait is bounded, and stop() ends QEMU whatever state it is in.
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";

const QEMU = "qemu-system-arm";
const MACHINE = "mps2-an386";
/** How long QEMU may take to open its serial server (well under a second on an idle machine). */
const QEMU_START_MS = 10_000;
const LISTENING = /waiting for connection/i;
const LISTEN_POLL_MS = 20;
/** From SIGTERM to SIGKILL when QEMU does not exit. */
const STOP_GRACE_MS = 2_000;
/** Kept of QEMU's stderr for error messages. */
const LOG_CHARS_MAX = 8192;

/** The line to print when QEMU is missing, or undefined when it is installed. */
export function qemuMissing() {
  const r = spawnSync(QEMU, ["--version"], { stdio: "ignore" });
  return r.error || r.status !== 0 ? `${QEMU} is not installed: run \`sudo apt-get install -y qemu-system-arm\`` : undefined;
}

let pdeathsig;
/**
 * command and args, run so that the child gets SIGKILL when this process dies (Linux
 * PR_SET_PDEATHSIG through setpriv); unchanged where setpriv cannot do it.
 */
export function diesWithParent(command, args) {
  pdeathsig ??= /--pdeathsig/.test(spawnSync("setpriv", ["--help"], { encoding: "utf8" }).stdout ?? "");
  return pdeathsig ? { command: "setpriv", args: ["--pdeathsig", "KILL", "--", command, ...args] } : { command, args };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** QEMU's -semihosting-config value: one arg= per parameter (commas in a value are doubled, as QEMU asks). */
function semihostingConfig(params) {
  const args = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `arg=${k}=${String(v).replaceAll(",", ",,")}`);
  return ["enable=on", "target=native", ...args].join(",");
}

/** QEMU's arguments for a board ELF whose MQTT UART serves TCP on port. */
function qemuArgs(elf, port, params) {
  return [
    "-M", MACHINE, "-display", "none", "-monitor", "none", "-nodefaults",
    "-serial", `tcp:127.0.0.1:${port},server=on,wait=on`, "-serial", "stdio",
    "-semihosting-config", semihostingConfig(params), "-kernel", elf,
  ];
}

/**
 * Starts QEMU on the ELF and resolves once its MQTT UART's server listens (the board runs when a
 * client connects): { child, port, log() with what QEMU said on stderr }. stdout is the debug UART.
 */
export async function serveBoard(elf, params = {}) {
  const port = await freePort();
  const { command, args } = diesWithParent(QEMU, qemuArgs(elf, port, params));
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stderr.setEncoding("latin1");
  child.stderr.on("data", (s) => { log = (log + s).slice(-LOG_CHARS_MAX); });
  const started = Date.now();
  const failure = await new Promise((resolve) => {
    child.once("error", (e) => resolve(`${qemuMissing() ?? `${QEMU} did not start`}: ${e.message}`));
    const poll = setInterval(() => {
      const last = () => log.trim().split("\n").at(-1) ?? "";
      if (LISTENING.test(log)) resolve(undefined);
      else if (child.exitCode !== null || child.signalCode !== null) resolve(`${QEMU} exited before it listened: ${last()}`);
      else if (Date.now() - started > QEMU_START_MS) resolve(`${QEMU} did not listen on port ${port} within ${QEMU_START_MS} ms: ${last()}`);
      else return;
      clearInterval(poll);
    }, LISTEN_POLL_MS);
  });
  if (failure) {
    child.kill("SIGKILL");
    throw new Error(failure);
  }
  return { child, port, log: () => log };
}

/** Ends a child (SIGTERM, then SIGKILL after a grace); resolves once it has exited. */
export function stopChild(child, graceMs = STOP_GRACE_MS) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * A running board. `received` holds what the board sent on UART0 not yet taken; `debug` all it
 * wrote on UART1; `log` QEMU's own messages. Waits resolve when their condition holds and reject after their bound.
 */
class Board {
  received = Buffer.alloc(0);
  debug = "";
  exited = false;
  #waiters = new Set();
  #log;

  /** What QEMU itself said on stderr. */
  get log() {
    return this.#log();
  }

  constructor(child, socket, log) {
    this.child = child;
    this.socket = socket;
    this.#log = log;
    child.stdout.on("data", (d) => this.#changed(() => { this.debug += d.toString("latin1"); }));
    child.once("exit", () => this.#changed(() => { this.exited = true; }));
    socket.on("data", (d) => this.#changed(() => { this.received = Buffer.concat([this.received, d]); }));
    socket.on("error", () => {});
  }

  #changed(apply) {
    apply();
    for (const w of this.#waiters) w();
  }

  /** Resolves with check()'s first truthy answer, re-asked whenever the board says something; rejects after ms. */
  until(check, ms, what) {
    return new Promise((resolve, reject) => {
      const finish = (fn) => { clearTimeout(timer); this.#waiters.delete(poll); fn(); };
      const poll = () => {
        let v;
        try { v = check(); } catch (e) { return finish(() => reject(e)); }
        if (v) finish(() => resolve(v));
        else if (this.exited) finish(() => reject(new Error(`QEMU exited while waiting for ${what}: ${this.log}\ndebug UART:\n${this.debug}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${ms} ms; debug UART:\n${this.debug}`))), ms);
      this.#waiters.add(poll);
      poll();
    });
  }

  /** Waits for a debug UART line matching re; resolves with the match. */
  debugLine(re, ms) {
    return this.until(() => this.debug.match(re), ms, `debug line ${re}`);
  }

  /** Takes the next complete MQTT packet the board sent (fixed header + remaining length). */
  nextPacket(ms) {
    return this.until(() => {
      const len = framedLength(this.received);
      if (len === 0) return undefined;
      const packet = this.received.subarray(0, len);
      this.received = this.received.subarray(len);
      return packet;
    }, ms, "MQTT packet from the board");
  }

  send(bytes) {
    this.socket.write(bytes);
  }

  /** Ends QEMU (SIGTERM, then SIGKILL) and the socket; resolves once QEMU has exited. */
  async stop() {
    this.socket.destroy();
    await stopChild(this.child);
  }
}

/** Length of the first complete MQTT packet in bytes, or 0 while it is incomplete. */
function framedLength(bytes) {
  let remaining = 0;
  for (let i = 1, shift = 0; i < bytes.length && i <= 4; i++, shift += 7) {
    remaining += (bytes[i] & 0x7f) * 2 ** shift;
    if ((bytes[i] & 0x80) === 0) return bytes.length >= 1 + i + remaining ? 1 + i + remaining : 0;
  }
  return 0;
}

/** Starts QEMU on the ELF with params on its semihosting command line (client-id, interval, keep-alive) and connects to its MQTT UART. */
export async function startBoard(elf, params = {}) {
  const { child, port, log } = await serveBoard(elf, params);
  try {
    const socket = await new Promise((resolve, reject) => {
      const s = net.connect({ port, host: "127.0.0.1" });
      s.once("connect", () => resolve(s));
      s.once("error", (e) => reject(new Error(`QEMU's serial server on port ${port} did not answer: ${e.message}`)));
    });
    return new Board(child, socket, log);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
}
