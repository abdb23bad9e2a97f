// Types of qemu-board.mjs (a build script, plain JavaScript like build.mjs).
/** The line to print when QEMU is missing, or undefined when it is installed. */
export function qemuMissing(): string | undefined;

/** Run-time parameters on the board's semihosting command line (firmware/mcu/board-params.h). */
export interface BoardParams {
  "client-id"?: string;
  interval?: number;
  "keep-alive"?: number;
}

export interface Board {
  /** What the board sent on UART0 and no nextPacket() took yet. */
  received: Buffer;
  /** Everything the board wrote on its debug UART (UART1). */
  debug: string;
  /** QEMU's own messages (stderr). */
  log: string;
  exited: boolean;
  until<T>(check: () => T | undefined | null | false, ms: number, what: string): Promise<T>;
  debugLine(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  nextPacket(ms: number): Promise<Buffer>;
  send(bytes: Buffer | Uint8Array): void;
  stop(): Promise<void>;
}

/** Starts QEMU on the ELF; resolves once the MQTT UART's TCP line is connected (the board then runs). */
export function startBoard(elf: string, params?: BoardParams): Promise<Board>;
