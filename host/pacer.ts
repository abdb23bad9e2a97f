// The one pacer: one direction of a UART. Bytes pushed in come out at bytesPerSecond (baud / 10
// for 8N1), each byte when its last bit would have crossed the wire. Ptys have no baud rate, so
// the raw bridge and the modem emulator pace themselves with it.
//
// Byte k of a busy period (the line busy without a pause) is done at start + (k + 1) * msPerByte;
// a tick hands over every byte that is done by now, so timer lateness never adds up. When the
// queue runs dry the period ends, and the next push starts a new one.
import { ChunkQueue } from "./chunk-queue.ts";

export interface PacerOptions {
  bytesPerSecond: number;
  /** Where paced bytes go. */
  sink: (chunk: Buffer) => void;
  /** Milliseconds (default performance.now). */
  clock?: () => number;
  /** Ticks at most this often: fewer, larger writes (default 2 ms). */
  tickMinMs?: number;
  /** Above this many queued bytes push() says to pause the source; onDrain once a quarter of it is left. */
  highWaterBytes?: number;
  onDrain?: () => void;
  /** The queue ran dry. */
  onIdle?: () => void;
}

const TICK_MIN_MS = 2;

export class Pacer {
  private readonly msPerByte: number;
  private readonly clock: () => number;
  private readonly queue = new ChunkQueue();
  private periodStart = 0;
  private periodBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private high = false;

  constructor(private readonly o: PacerOptions) {
    this.msPerByte = 1000 / o.bytesPerSecond;
    this.clock = o.clock ?? (() => performance.now());
  }

  /** Bytes waiting to cross the line. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues bytes; false when the queue is above its high-water mark and the source should pause. */
  push(bytes: Uint8Array): boolean {
    if (this.closed || bytes.length === 0) return !this.high;
    if (this.queue.length === 0) {
      const now = this.clock();
      const lineFree = this.periodStart + this.periodBytes * this.msPerByte;
      if (now >= lineFree) {
        this.periodStart = now;
        this.periodBytes = 0;
      }
    }
    this.queue.push(Buffer.from(bytes)); // a copy: the caller may reuse its buffer
    this.schedule();
    if (this.o.highWaterBytes !== undefined && this.queue.length > this.o.highWaterBytes) this.high = true;
    return !this.high;
  }

  /** Forgets what is queued (a reboot empties a modem's UART FIFO). */
  clear(): void {
    this.queue.clear();
  }

  close(): void {
    this.closed = true;
    this.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0 || this.closed) return;
    const nextDone = this.periodStart + (this.periodBytes + 1) * this.msPerByte;
    const delay = Math.max(this.o.tickMinMs ?? TICK_MIN_MS, nextDone - this.clock());
    this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    this.timer = undefined;
    const done = Math.floor((this.clock() - this.periodStart) / this.msPerByte);
    const n = Math.min(this.queue.length, done - this.periodBytes);
    if (n > 0) {
      this.periodBytes += n;
      this.o.sink(this.queue.take(n));
    }
    if (this.high && this.queue.length <= this.o.highWaterBytes! / 4) {
      this.high = false;
      this.o.onDrain?.();
    }
    if (this.queue.length > 0) this.schedule();
    else if (!this.closed) this.o.onIdle?.();
  }
}
