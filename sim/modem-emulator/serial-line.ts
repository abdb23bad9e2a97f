// The modem's end of the serial line: a SerialPort (the inner end of a socat pty pair, or a real
// USB-UART) or the modem end of an in-process line (tests, no pty), paced to baudRate/10 bytes per second each way, with the line impairments (lost
// bytes, noise, output in small writes; drawn by the fault model, sim/faults.ts) applied on the way out.
//
// A real UART already paces what the host sends, so input is paced only on a pty; output is
// paced either way (on a real port the UART would do it anyway; pacing here keeps the backlog
// in the emulator, where push mode can see it).
import { SerialPort } from "serialport";
import type { ModemLineEnd } from "../../host/modem/serial/in-process-line.ts";
import { Pacer } from "../../host/pacer.ts";
import type { Prng } from "../../host/prng.ts";
import { Faults } from "../faults.ts";
import type { Impairments } from "./types.ts";

const OPEN_TIMEOUT_MS = 5000;
const FRAGMENT_MAX_BYTES = 8;
const FRAGMENT_GAP_MS = 1;

export interface SerialLineOptions {
  path: string;
  /** An in-process line instead of the port at `path`. */
  line?: ModemLineEnd;
  baudRate: number;
  paceInput: boolean;
  prng: Prng;
  impairments: Impairments;
  clock: () => number;
  /** Bytes from the host, when they have fully arrived. */
  onInput: (bytes: Buffer) => void;
  /** The output queue ran dry. */
  onOutputIdle: () => void;
  onEvent: (text: string) => void;
}

/** What the emulator needs of its port: a SerialPort or an in-process line end. */
interface LinePort {
  write(bytes: Uint8Array): void;
  close(): Promise<void>;
}

function serialPortLine(port: SerialPort, opts: SerialLineOptions, deliver: (chunk: Buffer) => void): LinePort {
  port.on("data", deliver);
  port.on("error", (err) => opts.onEvent(`serial error: ${err.message}`));
  return {
    write: (bytes) => void port.write(bytes),
    close: async () => {
      if (!port.isOpen) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        port.close(() => { clearTimeout(timer); resolve(); });
      });
    },
  };
}

function inProcessLine(end: ModemLineEnd, deliver: (chunk: Buffer) => void): LinePort {
  end.onData(deliver);
  return { write: (bytes) => end.write(bytes), close: async () => end.close() };
}

export class SerialLine {
  serialIn = 0;
  serialOut = 0;
  /** write() calls on the port: fragmentation shows here. */
  writes = 0;
  dropped = 0;
  noise = 0;
  private dropBudget = 0;
  private readonly input: Pacer | undefined;
  private readonly output: Pacer;
  private readonly fragments: Buffer[] = [];
  /** Drops, noise and fragments, drawn from the emulator's seeded PRNG. */
  private readonly faults: Faults;
  private fragmentTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly port: LinePort;

  private constructor(port: SerialPort | ModemLineEnd, private readonly opts: SerialLineOptions) {
    this.faults = new Faults(opts.prng);
    const bytesPerSecond = opts.baudRate / 10;
    this.output = new Pacer({ bytesPerSecond, sink: (chunk) => this.emit(chunk), clock: opts.clock, onIdle: opts.onOutputIdle });
    if (opts.paceInput) this.input = new Pacer({ bytesPerSecond, sink: (chunk) => this.deliver(chunk), clock: opts.clock });
    const arrived = (chunk: Buffer) => {
      if (this.input) this.input.push(chunk);
      else this.deliver(chunk);
    };
    this.port = port instanceof SerialPort ? serialPortLine(port, opts, arrived) : inProcessLine(port, arrived);
  }

  static open(opts: SerialLineOptions): Promise<SerialLine> {
    if (opts.line) return Promise.resolve(new SerialLine(opts.line, opts));
    const port = new SerialPort({ path: opts.path, baudRate: opts.baudRate, autoOpen: false });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${opts.path}: not open after ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
      port.open((err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(new SerialLine(port, opts));
      });
    });
  }

  /** Bytes the modem has said that have not reached the host yet. */
  get outputPending(): number {
    return this.output.pending;
  }

  /** Queue modem output; drops and noise are decided now, from the seeded PRNG. */
  write(bytes: Uint8Array): void {
    if (this.closed) return;
    const { dropRate, noiseRate } = this.opts.impairments;
    if (this.dropBudget === 0 && !dropRate && !noiseRate) {
      this.output.push(bytes);
      return;
    }
    const line = this.faults.garble(bytes, dropRate, noiseRate, this.dropBudget);
    this.dropBudget = line.dropBudget;
    this.dropped += line.dropped;
    this.noise += line.noise;
    this.output.push(line.bytes);
  }

  /** Random bytes on the line now. */
  injectNoise(count: number): void {
    this.noise += count;
    this.output.push(this.faults.noise(count));
  }

  /** Lose the next `count` output bytes. */
  dropNext(count: number): void {
    this.dropBudget += count;
  }

  /** A reset empties the UART FIFOs both ways. */
  clear(): void {
    this.output.clear();
    this.input?.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.output.close();
    this.input?.close();
    clearTimeout(this.fragmentTimer);
    await this.port.close();
  }

  private deliver(chunk: Buffer): void {
    if (this.closed) return;
    this.serialIn += chunk.length;
    const rate = this.opts.impairments.inputDropRate;
    if (rate) {
      const kept = this.faults.survivors(chunk, rate);
      if (kept.length < chunk.length) this.opts.onEvent(`input: ${chunk.length - kept.length} byte(s) lost`);
      chunk = kept;
    }
    if (chunk.length > 0) this.opts.onInput(chunk);
  }

  private emit(chunk: Buffer): void {
    if (this.closed) return;
    this.serialOut += chunk.length;
    const fragment = this.opts.impairments.fragment;
    if (!fragment) {
      this.writes++;
      this.port.write(chunk);
      return;
    }
    const max = typeof fragment === "object" ? fragment.maxBytes ?? FRAGMENT_MAX_BYTES : FRAGMENT_MAX_BYTES;
    let at = 0;
    for (const n of this.faults.pieces(chunk.length, max)) {
      this.fragments.push(chunk.subarray(at, at + n));
      at += n;
    }
    this.writeFragments();
  }

  private writeFragments(): void {
    if (this.fragmentTimer !== undefined || this.closed) return;
    const piece = this.fragments.shift();
    if (piece === undefined) return;
    this.writes++;
    this.port.write(piece);
    const fragment = this.opts.impairments.fragment;
    const gap = typeof fragment === "object" ? fragment.gapMs ?? FRAGMENT_GAP_MS : FRAGMENT_GAP_MS;
    this.fragmentTimer = setTimeout(() => {
      this.fragmentTimer = undefined;
      this.writeFragments();
    }, gap);
  }
}
