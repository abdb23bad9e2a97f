// Starts a board ELF on QEMU's mps2-an386 and gives its lines to JavaScript: UART0 (MQTT) as a
// TCP serial server on a free 127.0.0.1 port that QEMU waits on before it runs the board, UART1
// (debug) on QEMU's stdout. Run-time parameters travel on the semihosting command line. Every
// wait is bounded, and stop() ends QEMU whatever state it is in.
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";

const QEMU = "qemu-system-arm";
/** How long QEMU may take to open its serial server (it starts in well under a second here). */
const QEMU_START_MS = 10_000;
const CONNECT_RETRY_MS = 50;
/** From SIGTERM to SIGKILL when QEMU does not exit. */
const STOP_GRACE_MS = 2_000;

/** The line to print when QEMU is missing, or undefined when it is installed. */
export function qemuMissing() {
  const r = spawnSync(QEMU, ["--version"], { stdio: "ignore" });
  return r.error || r.status !== 0 ? `${QEMU} is not installed: run \`sudo apt-get install -y qemu-system-arm\`` : undefined;
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
    "-M", "mps2-an386", "-display", "none", "-monitor", "none", "-nodefaults",
    "-serial", `tcp:127.0.0.1:${port},server=on,wait=on`, "-serial", "stdio",
    "-semihosting-config", semihostingConfig(params), "-kernel", elf,
  ];
}

function connect(port, deadline) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect({ port, host: "127.0.0.1" });
      socket.once("connect", () => resolve(socket));
      socket.once("error", (e) => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`QEMU's serial server on port ${port} did not answer: ${e.message}`));
        else setTimeout(attempt, CONNECT_RETRY_MS);
      });
    };
    attempt();
  });
}

/**
 * A running board. `received` holds what the board sent on UART0 not yet taken; `debug` all it
 * wrote on UART1; `log` QEMU's own messages. Waits resolve when their condition holds and reject after their bound.
 */
class Board {
  received = Buffer.alloc(0);
  debug = "";
  /** What QEMU itself said on stderr. */
  log = "";
  exited = false;
  #waiters = new Set();

  constructor(child, socket) {
    this.child = child;
    this.socket = socket;
    child.stdout.on("data", (d) => this.#changed(() => { this.debug += d.toString("latin1"); }));
    child.stderr.on("data", (d) => { this.log += d.toString("latin1"); });
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
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
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

/** Starts QEMU on the ELF with params on its semihosting command line (client-id, interval, keep-alive). */
export async function startBoard(elf, params = {}) {
  const port = await freePort();
  const child = spawn(QEMU, qemuArgs(elf, port, params), { stdio: ["pipe", "pipe", "pipe"] });
  const spawned = new Promise((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (e) => reject(new Error(`${qemuMissing() ?? `${QEMU} did not start`}: ${e.message}`)));
  });
  await spawned;
  try {
    return new Board(child, await connect(port, Date.now() + QEMU_START_MS));
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
}
