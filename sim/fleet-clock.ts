// One scheduler for every sensor of a process: their readings and their host loops' deadlines
// (host/link.ts takes it as its Clock) sit in one binary heap, which one global setTimeout wakes
// for its earliest entry. A fleet of 100,000 then keeps one Node timer instead of one or two per
// sensor, and a reading re-arms a Timer its sensor keeps: no Timeout object and no closure per
// reading. Those lived a whole interval, so each was promoted to the old generation and died there,
// and that garbage set the pace of full garbage collections of a 1.5 GB heap (test/bench/SCALE.md).
//
// Timers due at the same time fire in the order they were armed, and the wake-up is a global
// setTimeout, so on virtual time (sim/virtual-timers.ts) a run stays the same for the same seed.
import type { Clock, TimerHandle } from "../host/clock.ts";

/** setTimeout's longest delay; a longer wait wakes up early, finds nothing due, and waits again. */
const WAKE_DELAY_MAX_MS = 2 ** 31 - 1;

/** A timer its owner keeps and re-arms (a sensor's next reading): arming it allocates nothing. */
export class Timer {
  /** When it is due (performance.now() milliseconds) and the arming that breaks ties between equal dues. */
  due = 0;
  order = 0;
  /** Its place in the heap; -1 while not armed. */
  slot = -1;

  constructor(readonly fire: () => void) {}

  get armed(): boolean {
    return this.slot >= 0;
  }
}

export class FleetClock implements Clock {
  private readonly heap: Timer[] = [];
  private armings = 0;
  /** The one pending wake-up: a timeout for the earliest timer, or an immediate while timers are already due. */
  private wakeLater: NodeJS.Timeout | undefined;
  private wakeSoon: NodeJS.Immediate | undefined;
  /** When the pending wake-up fires (Infinity: none pending). */
  private wakeAt = Infinity;
  private running = false;

  /** Whole milliseconds, as the host loop hands them to the firmware. */
  now(): number {
    return Math.floor(performance.now());
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const t = new Timer(fn);
    this.arm(t, ms);
    return t;
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle instanceof Timer) this.disarm(handle);
  }

  /** Arms fn again on `handle` when that is a timer of fn (pending, fired or cleared), allocating nothing; else on a new timer (host/link.ts). */
  rearm(handle: TimerHandle | undefined, fn: () => void, ms: number): TimerHandle {
    if (!(handle instanceof Timer) || handle.fire !== fn) return this.setTimer(fn, ms);
    this.arm(handle, ms);
    return handle;
  }

  /**
   * Arms `t` to fire ms from now (again, if it was armed). As with setTimeout, a delay under 1 ms
   * (or not a number) is 1 ms; unlike setTimeout, a delay past 2^31-1 ms is kept, not cut to 1 ms.
   */
  arm(t: Timer, ms: number): void {
    if (t.slot >= 0) this.remove(t);
    t.due = performance.now() + (ms >= 1 ? ms : 1);
    t.order = this.armings++;
    t.slot = this.heap.length;
    this.heap.push(t);
    this.up(t.slot);
    if (!this.running && t.due < this.wakeAt) this.schedule();
  }

  disarm(t: Timer): void {
    if (t.slot < 0) return;
    this.remove(t);
    // A wake-up left for nothing would keep the process alive; one left for a later timer just finds nothing due.
    if (this.heap.length === 0 && !this.running) this.schedule();
  }

  /** Timers armed and not yet fired. */
  get pending(): number {
    return this.heap.length;
  }

  /**
   * Fires the earliest timer if it is due, then waits for the next one: at once (an immediate)
   * when it is due too, so timers due together fire one per turn of the event loop. Node settles
   * nextTicks and microtasks between two of them, as between two of its own timers, so what one
   * reading or CONNECT sets off (pipes, aedes) runs before the next fires. Fired in one go, the
   * 250 CONNECTs of a starting batch and the readings due with them waited on each other: 10,000
   * sensors measured p99 latency 1.1 s and CONNACK p50 271 ms that way, 1 ms and 0 ms this way.
   */
  private readonly run = (): void => {
    this.wakeLater = undefined;
    this.wakeSoon = undefined;
    this.wakeAt = Infinity;
    const t = this.heap[0];
    if (t === undefined || t.due > performance.now()) return this.schedule();
    this.remove(t);
    this.running = true;
    try {
      t.fire();
    } finally {
      this.running = false;
      this.schedule();
    }
  };

  private schedule(): void {
    const next = this.heap[0];
    if (next !== undefined && next.due >= this.wakeAt) return;
    if (this.wakeLater !== undefined) clearTimeout(this.wakeLater);
    if (this.wakeSoon !== undefined) clearImmediate(this.wakeSoon);
    this.wakeLater = undefined;
    this.wakeSoon = undefined;
    this.wakeAt = Infinity;
    if (next === undefined) return;
    const now = performance.now();
    if (next.due <= now) {
      this.wakeAt = now;
      this.wakeSoon = setImmediate(this.run);
      return;
    }
    const delay = Math.min(next.due - now, WAKE_DELAY_MAX_MS);
    this.wakeAt = now + delay;
    this.wakeLater = setTimeout(this.run, delay);
  }

  private before(a: Timer, b: Timer): boolean {
    return a.due < b.due || (a.due === b.due && a.order < b.order);
  }

  private place(t: Timer, slot: number): void {
    this.heap[slot] = t;
    t.slot = slot;
  }

  private remove(t: Timer): void {
    const h = this.heap;
    const slot = t.slot;
    const last = h.pop()!;
    t.slot = -1;
    if (last === t) return;
    this.place(last, slot);
    if (slot > 0 && this.before(last, h[(slot - 1) >> 1])) this.up(slot);
    else this.down(slot);
  }

  private up(slot: number): void {
    const h = this.heap;
    const t = h[slot];
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.before(t, h[parent])) break;
      this.place(h[parent], slot);
      slot = parent;
    }
    this.place(t, slot);
  }

  private down(slot: number): void {
    const h = this.heap;
    const t = h[slot];
    for (;;) {
      const l = 2 * slot + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && this.before(h[r], h[l]) ? r : l;
      if (!this.before(h[child], t)) break;
      this.place(h[child], slot);
      slot = child;
    }
    this.place(t, slot);
  }
}
