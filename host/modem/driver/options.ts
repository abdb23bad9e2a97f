// What a driver is given: the line, the dialect and its parameters, and its waits (one record:
// tests run them fast, slow networks scale them up).
import type { Dialect, DialectParams } from "../dialect.ts";
import type { SerialDevice } from "../serial/serial-link.ts";

export interface Timing {
  /** `AT` attempts before sync gives up. */
  syncAttempts: number;
  /** How long each sync `AT` (and the idle probe) waits for OK. */
  syncReplyMs: number;
  /** Probe with `AT` after this much idle time while a socket is open (pull mode): an unplugged port only fails on a write. 0: never. */
  idleProbeMs: number;
  /** Silence before and after the transparent-mode escape (default: the dialect's, 1 s). */
  guardMs?: number;
  /** First delay before a refused send is tried again (busy, buffer full); grows linearly. */
  retryDelayMs: number;
  /** Multiplies the dialect's command timeouts (a slow network, or fast tests). */
  timeoutScale: number;
}

export const DEFAULT_TIMING: Timing = { syncAttempts: 10, syncReplyMs: 500, idleProbeMs: 10_000, retryDelayMs: 200, timeoutScale: 1 };

export interface ModemDriverOptions {
  path: string;
  baudRate: number;
  /** The line to the modem (default: the serial port at `path`); tests pass an in-process one. */
  device?: SerialDevice;
  dialect: Dialect;
  /** APN, Wi-Fi SSID and password: whatever the dialect's steps need. */
  params?: DialectParams;
  /** Transparent mode instead of pull mode (where the dialect has one). */
  transparent?: boolean;
  /** Largest read (default: the dialect's limit). */
  readMax?: number;
  timing?: Partial<Timing>;
}
