// One direction of a UART: bytes pushed in come out at bytesPerSecond, each byte when its last
// bit would have crossed the wire. A pty has no baud rate, so the emulator paces both directions
// itself: what it writes, and when it lets itself see what the host wrote.
//
// Byte k of a busy period (the line busy without a pause) is done at start + (k + 1) * msPerByte;
// a tick hands over every byte that is done by now, so timer lateness never adds up. When the
// queue runs dry the period ends, and the next push starts a new one.
import { ChunkQueue } from "./chunk-queue.ts";

const TICK_MIN_MS = 2;

export class PacedPipe {
  private readonly msPerByte: number;
  private readonly queue = new ChunkQueue();
  private periodStart = 0;
  private periodBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    bytesPerSecond: number,
    private readonly sink: (chunk: Buffer) => void,
    private readonly clock: () => number,
    private readonly onIdle: () => void = () => {},
  ) {
    this.msPerByte = 1000 / bytesPerSecond;
  }

  /** Bytes waiting to cross the line. */
  get pending(): number {
    return this.queue.length;
  }

  push(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    if (this.queue.length === 0) {
      const now = this.clock();
      const lineFree = this.periodStart + this.periodBytes * this.msPerByte;
      if (now >= lineFree) {
        this.periodStart = now;
        this.periodBytes = 0;
      }
    }
    this.queue.push(Buffer.from(bytes));
    this.schedule();
  }

  /** Forget what is queued (a reboot empties the modem's UART FIFO). */
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
    const delay = Math.max(TICK_MIN_MS, nextDone - this.clock());
    this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    this.timer = undefined;
    const done = Math.floor((this.clock() - this.periodStart) / this.msPerByte);
    const n = Math.min(this.queue.length, done - this.periodBytes);
    if (n > 0) {
      this.periodBytes += n;
      this.sink(this.queue.take(n));
    }
    if (this.queue.length > 0) this.schedule();
    else if (!this.closed) this.onIdle();
  }
}
