// A deterministic scheduler: virtual milliseconds that advance only when asked, jumping from
// one timer to the next. Timers due at the same time fire in the order they were set, so a run
// driven by it (the host loop, a simulated peer, a fault injector) repeats exactly.
import type { Clock, TimerHandle } from "./clock.ts";

interface Entry { due: number; seq: number; fn: () => void; live: boolean }

/** Timers one advance may fire before it gives up: a bound on a loop that keeps re-arming at once. */
export const VIRTUAL_TIMERS_PER_ADVANCE_MAX = 10_000_000;

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly heap: Entry[] = [];

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const e: Entry = { due: this.t + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.push(e);
    return e;
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle) (handle as Entry).live = false;
  }

  /** Pending timers (cancelled ones excluded). */
  get pending(): number {
    return this.heap.filter((e) => e.live).length;
  }

  /** When the next live timer is due, or undefined when none is. */
  nextDue(): number | undefined {
    this.dropDead();
    return this.heap[0]?.due;
  }

  /** Fires every timer due within ms from now, in order, then sets the clock to now + ms. */
  advance(ms: number): void {
    this.runUntil(() => false, ms);
  }

  /**
   * Fires timers in order until `done()` holds (checked after each) or `limitMs` of virtual time
   * have passed; returns whether done() held. The clock stops at the last timer fired when done,
   * else at now + limitMs.
   */
  runUntil(done: () => boolean, limitMs: number): boolean {
    const end = this.t + limitMs;
    if (done()) return true;
    for (let n = 0; n < VIRTUAL_TIMERS_PER_ADVANCE_MAX && this.fireNext(end); n++) {
      if (done()) return true;
    }
    this.t = Math.max(this.t, end);
    return done();
  }

  /** Fires the next timer if it is due no later than `untilMs` (absolute); false when none is. */
  fireNext(untilMs: number): boolean {
    const due = this.nextDue();
    if (due === undefined || due > untilMs) return false;
    const e = this.pop()!;
    this.t = Math.max(this.t, e.due);
    e.live = false;
    e.fn();
    return true;
  }

  private dropDead(): void {
    while (this.heap.length > 0 && !this.heap[0].live) this.pop();
  }

  private before(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
