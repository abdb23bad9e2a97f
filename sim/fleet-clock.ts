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
/** Timer.slot of a timer taken out of the heap to fire in this turn's immediates. */
const FIRING = -2;

/** A timer its owner keeps and re-arms (a sensor's next reading): arming it allocates nothing. */
export class Timer {
  /** When it is due (performance.now() milliseconds) and the arming that breaks ties between equal dues. */
  due = 0;
  order = 0;
  /** Its place in the heap; FIRING once due, -1 while not armed. */
  slot = -1;

  constructor(readonly fire: () => void) {}

  get armed(): boolean {
    return this.slot !== -1;
  }
}

export class FleetClock implements Clock {
  private readonly heap: Timer[] = [];
  private armings = 0;
  /** The one Node timer: kept after it fires, and refreshed when the next wait is as long as the last. */
  private wake: NodeJS.Timeout | undefined;
  private wakeDelay = -1;
  /** When the pending wake-up fires (Infinity: none pending). */
  private wakeAt = Infinity;
  /** Timers due at the last wake-up, in order, each with an immediate of its own to come. */
  private readonly due: Timer[] = [];
  private dueNext = 0;

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
    if (t.due < this.wakeAt) this.schedule();
  }

  disarm(t: Timer): void {
    if (t.slot >= 0) this.remove(t);
    t.slot = -1;
    // A wake-up left for nothing would keep the process alive; one left for a later timer just finds nothing due.
    if (this.heap.length === 0) this.schedule();
  }

  /** Timers armed and not yet fired. */
  get pending(): number {
    let firing = 0;
    for (let i = this.dueNext; i < this.due.length; i++) if (this.due[i].slot === FIRING) firing++;
    return this.heap.length + firing;
  }

  /**
   * Takes every timer due by now out of the heap and gives each an immediate of its own, then
   * waits for the next. Node settles nextTicks and microtasks between two immediates, as between
   * two of its own timers, so what one reading or CONNECT sets off (pipes, aedes) runs before the
   * next fires, and all that is due fires in this turn of the event loop, however long the turn.
   * (Fired in one go, a starting batch's 250 CONNECTs and the readings due with them waited on each
   * other: p99 latency 1.1 s for 10,000 sensors. One per turn starved them while a turn was long:
   * 10,000 connected sensors were dropped for keep-alive while 90,000 more were being created.)
   */
  private readonly run = (): void => {
    this.wakeAt = Infinity;
    const now = performance.now();
    for (let t = this.heap[0]; t !== undefined && t.due <= now; t = this.heap[0]) {
      this.remove(t);
      t.slot = FIRING;
      this.due.push(t);
      setImmediate(this.fireNext);
    }
    this.schedule();
  };

  /** One immediate of the last wake-up: fires its timer unless that was disarmed or armed again meanwhile. */
  private readonly fireNext = (): void => {
    const t = this.due[this.dueNext++];
    if (this.dueNext === this.due.length) {
      this.due.length = 0;
      this.dueNext = 0;
    }
    if (t.slot !== FIRING) return;
    t.slot = -1;
    t.fire();
  };

  private schedule(): void {
    const next = this.heap[0];
    if (next !== undefined && next.due >= this.wakeAt) return;
    if (next === undefined) {
      // A cleared Node timer cannot be refreshed: the next wait takes a new one.
      if (this.wakeAt !== Infinity) clearTimeout(this.wake);
      this.wakeAt = Infinity;
      this.wakeDelay = -1;
      return;
    }
    // Whole milliseconds, as Node's timers count them: a wait of a new length costs Node a timer list
    // of its own, and most waits here are 1 or 2 ms, which refresh() re-arms without allocating.
    const now = performance.now();
    const delay = Math.min(Math.max(1, Math.ceil(next.due - now)), WAKE_DELAY_MAX_MS);
    this.wakeAt = now + delay;
    if (this.wake !== undefined && delay === this.wakeDelay) {
      this.wake.refresh();
      return;
    }
    clearTimeout(this.wake);
    this.wakeDelay = delay;
    this.wake = setTimeout(this.run, delay);
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
