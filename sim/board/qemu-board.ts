// One emulated board: QEMU's mps2-an386 (Cortex-M4) running build/mcu/<profile>.elf, the firmware
// translated to C (firmware/mcu/), started by firmware/mcu/qemu-board.mjs (the one launcher, which
// the build and test/mcu use too). Its MQTT UART (UART0) is a TCP serial server QEMU waits on
// before it starts the CPU (so the board starts once a program opens its line); socat turns it
// into a pty at `link`, so `mote bridge --port <link>` carries the board's MQTT exactly as it would
// a real board on a USB serial adapter. The debug UART (UART1) is QEMU's stdout, passed line by
// line to `debug`. Run-time parameters go on the semihosting command line
// (firmware/mcu/board-params.h). QEMU and socat die with this process, even by SIGKILL.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../host/package-root.ts";
import { MoteError, usageError } from "../../host/errors.ts";

export const BOARD_PROFILES = ["default", "tiny"] as const;
export type BoardProfile = (typeof BOARD_PROFILES)[number];
const QEMU = "qemu-system-arm";
/** socat's pty must appear within this. */
const READY_TIMEOUT_MS = 10_000;
/** From SIGTERM to SIGKILL; below the CLI's 3 s between a signal and its forced exit. */
const STOP_TIMEOUT_MS = 2000;
/** After a program closed the board's pty: the pause before it is made again. */
const LINE_RESTART_MS = 100;

export interface BoardOptions {
  profile: BoardProfile;
  /** Where the MQTT UART's pty appears. */
  link: string;
  clientId?: string;
  intervalS?: number;
  keepAliveS?: number;
  /** The ELF to run (default build/mcu/<profile>.elf). */
  elf?: string;
  /** Each line the board writes on its debug UART. */
  debug?: (line: string) => void;
}

export interface RunningBoard {
  readonly link: string;
  /** Everything the debug UART said so far. */
  debugLog(): string;
  /** Stops QEMU and socat (SIGTERM, then SIGKILL); resolves when both are gone. */
  stop(): Promise<void>;
  /** Resolves when QEMU exits by itself (a halt after a trap, a crash), with its exit status. */
  readonly exited: Promise<number | null>;
}

export const elfPath = (profile: string) => join(PACKAGE_ROOT, "build", "mcu", `${profile}.elf`);

const onPath = (program: string) => spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;

/** What cannot work, as one line: a missing tool or ELF. */
function checkTools(elf: string): void {
  if (!onPath(QEMU)) throw usageError(`mote board needs ${QEMU} (Debian: apt-get install qemu-system-arm)`);
  if (!onPath("socat")) throw usageError("mote board needs socat for the board's serial line (Debian: apt-get install socat)");
  if (!existsSync(elf)) throw usageError(`${elf} is missing: run npm run build:mcu`);
}

/** Resolves when `test` holds (checked every 20 ms), rejects with `what` after READY_TIMEOUT_MS or when `child` exits first. */
function ready(test: () => boolean, what: string, child: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (test()) return done();
      const last = () => log().trim().split("\n").at(-1) ?? "";
      if (child.exitCode !== null || child.signalCode !== null) return done(new MoteError(`${what}: it exited (${last()})`, "io"));
      if (Date.now() - started > READY_TIMEOUT_MS) done(new MoteError(`${what}: not ready within ${READY_TIMEOUT_MS / 1000} s`, "io"));
    }, 20);
    const done = (e?: Error) => {
      clearInterval(poll);
      if (e) reject(e);
      else resolve();
    };
  });
}

export async function startBoard(o: BoardOptions): Promise<RunningBoard> {
  const elf = o.elf ?? elfPath(o.profile);
  checkTools(elf);
  // Loaded here, not at the top: firmware/mcu/ is in a source checkout only, and `mote board --help` works without it.
  const { diesWithParent, serveBoard, stopChild } = await import("../../firmware/mcu/qemu-board.mjs");
  const served = await serveBoard(elf, { "client-id": o.clientId ?? "board-1", interval: o.intervalS ?? 5, "keep-alive": o.keepAliveS })
    .catch((e: Error) => { throw new MoteError(e.message, "io"); });
  const qemu = served.child;
  let debug = "";
  let partial = "";
  qemu.stdout!.setEncoding("latin1");
  qemu.stdout!.on("data", (s: string) => {
    debug = (debug + s).slice(-65536);
    const lines = (partial + s).split(/\r?\n/);
    partial = lines.pop() ?? "";
    for (const line of lines) o.debug?.(line);
  });
  const exited = new Promise<number | null>((resolve) => qemu.once("exit", (code) => resolve(code)));
  let socat: ChildProcess | undefined;
  let stopping = false;
  let socatErr = "";
  const stop = async () => {
    stopping = true;
    await Promise.all([qemu, socat].filter((c): c is ChildProcess => c !== undefined).map((c) => stopChild(c, STOP_TIMEOUT_MS)));
  };
  // The line: socat makes the pty and waits for a program to open it (wait-slave) before it
  // connects to QEMU, so nothing the board says is written into a pty nobody reads. When that
  // program closes the pty (a bridge stopped), socat ends: a new one makes the pty again for the
  // next bridge, and QEMU's server takes the new connection. The board notices the gap by its
  // keep alive, reconnects, and resends what was not acknowledged.
  const line = () => {
    const { command, args } = diesWithParent("socat", [`pty,raw,echo=0,wait-slave,link=${o.link}`, `tcp:127.0.0.1:${served.port}`]);
    socat = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    socat.stderr!.on("data", (b: Buffer) => (socatErr = (socatErr + b.toString()).slice(-4096)));
    socat.once("exit", () => {
      if (!stopping && qemu.exitCode === null) setTimeout(line, LINE_RESTART_MS);
    });
  };
  try {
    line();
    await ready(() => existsSync(o.link), "socat (the board's serial line)", socat!, () => socatErr);
  } catch (e) {
    await stop();
    throw e;
  }
  return { link: o.link, debugLog: () => debug, stop, exited };
}
