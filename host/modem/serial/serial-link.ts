// What the modem driver needs of a serial line, and nothing more: open it, bytes in as events,
// bytes out with a completion, and the two ways a line ends by itself (an error, a close). The
// driver never imports serialport: the real port is one adapter (serial-port-device.ts), the
// in-process line of the tests and the emulator another (in-process-line.ts).

export type LineEvent =
  | { readonly kind: "data"; readonly bytes: Buffer }
  /** The line failed; `reason` is the OS's. */
  | { readonly kind: "error"; readonly reason: string }
  /** The line closed under us; `unplugged` when the device went away. */
  | { readonly kind: "closed"; readonly unplugged: boolean };

/** An open line. No events arrive after close(). */
export interface SerialLink {
  /** `done(reason)` once the bytes are handed to the line; a reason means the line is gone. */
  write(bytes: Buffer, done: (failure: string | undefined) => void): void;
  /** `done` once everything written has left. */
  drain(done: () => void): void;
  close(): void;
}

/** A line that can be opened: a device path, or an in-process pair. */
export interface SerialDevice {
  /** What messages call it (e.g. /dev/ttyUSB0). */
  readonly path: string;
  /** Opens it; a failure is a value (the OS's reason), not an exception. */
  open(onEvent: (e: LineEvent) => void): Promise<SerialLink | { readonly failure: string }>;
}
