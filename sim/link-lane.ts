// One direction of an impaired link: chunks queue for the line (bandwidth), cross it (latency,
// jitter), and are retransmitted when lost, as TCP does, so they are late but never dropped and
// never reordered; the losses and the jitter are drawn by the one fault model (faults.ts). One queue and at
// most one timer, because a simulated fleet has thousands.
import type { Faults } from "./faults.ts";
import type { LinkModel } from "./link-spec.ts";

const BITS_PER_BYTE = 8;
const MS_PER_S = 1000;

/** What a lane carries: bytes, or news of the far end (its FIN, its handshake, its close or error). */
export type Cargo = Buffer | "end" | "connect" | "close" | Error;

interface Item {
  dueMs: number;
  cargo: Cargo;
}

export class Lane {
  private readonly queue: Item[] = [];
  private lineFreeMs = 0;
  private lastDueMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly m: LinkModel,
    private readonly faults: Faults,
    private readonly deliver: (c: Cargo) => void,
  ) {}

  /** Queues bytes: they wait for the line, occupy it for their serialisation time, then cross it. */
  send(chunk: Buffer): void {
    const now = performance.now();
    const serialMs = this.m.bandwidthBps > 0 ? (chunk.length * BITS_PER_BYTE * MS_PER_S) / this.m.bandwidthBps : 0;
    this.lineFreeMs = Math.max(now, this.lineFreeMs) + serialMs;
    const jitterMs = this.faults.upTo(this.m.jitterMs);
    this.push(this.lineFreeMs + this.m.latencyMs + jitterMs + this.faults.retransmitDelayMs(this.m.loss), chunk);
  }

  /** Queues news behind the bytes already sent; it arrives `delayMs` from now at the earliest. */
  signal(news: Exclude<Cargo, Buffer>, delayMs: number): void {
    this.push(performance.now() + delayMs, news);
  }

  /** Drops everything queued and stops the timer for good (the link is gone). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Nothing is due before what was queued ahead of it: that is what keeps the order. */
  private push(dueMs: number, cargo: Cargo): void {
    if (this.closed) return;
    this.lastDueMs = Math.max(this.lastDueMs, dueMs);
    this.queue.push({ dueMs: this.lastDueMs, cargo });
    if (this.timer === undefined) this.arm();
  }

  private arm(): void {
    const waitMs = Math.max(0, Math.ceil(this.queue[0].dueMs - performance.now()));
    this.timer = setTimeout(() => this.fire(), waitMs);
  }

  /** Delivers everything due; a timer that fires early only re-arms. */
  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0].dueMs <= now) this.deliver(this.queue.shift()!.cargo);
    if (this.queue.length > 0 && this.timer === undefined && !this.closed) this.arm();
  }
}
