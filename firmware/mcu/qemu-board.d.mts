// Types of qemu-board.mjs (a build script, plain JavaScript like build.mjs).
import type { ChildProcess } from "node:child_process";

/** The line to print when QEMU is missing, or undefined when it is installed. */
export function qemuMissing(): string | undefined;

/** command and args, run so that the child is killed when this process dies (where setpriv can). */
export function diesWithParent(command: string, args: string[]): { command: string; args: string[] };

/** Run-time parameters on the board's semihosting command line (firmware/mcu/board-params.h). */
export interface BoardParams {
  "client-id"?: string;
  interval?: number;
  "keep-alive"?: number;
}

/** A started QEMU whose MQTT UART's TCP server listens on port; its stdout is the debug UART. */
export interface ServedBoard {
  child: ChildProcess;
  port: number;
  /** What QEMU said on stderr (the last 8 KB). */
  log(): string;
}

/** Starts QEMU on the ELF; resolves once the MQTT UART's server listens (the board runs when a client connects). */
export function serveBoard(elf: string, params?: BoardParams): Promise<ServedBoard>;

/** Ends a child (SIGTERM, then SIGKILL after graceMs); resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs?: number): Promise<void>;

export interface Board {
  /** What the board sent on UART0 and no nextPacket() took yet. */
  received: Buffer;
  /** Everything the board wrote on its debug UART (UART1). */
  debug: string;
  /** QEMU's own messages (stderr). */
  readonly log: string;
  exited: boolean;
  until<T>(check: () => T | undefined | null | false, ms: number, what: string): Promise<T>;
  debugLine(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  nextPacket(ms: number): Promise<Buffer>;
  send(bytes: Buffer | Uint8Array): void;
  stop(): Promise<void>;
}

/** Starts QEMU on the ELF; resolves once the MQTT UART's TCP line is connected (the board then runs). */
export function startBoard(elf: string, params?: BoardParams): Promise<Board>;
