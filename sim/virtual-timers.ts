// Node's timers and clocks on a VirtualClock, for `mote sim --time virtual`: while installed,
// setTimeout, setInterval, setImmediate (and their clear functions), Date and performance.now
// read and schedule on the one virtual clock, so the fleet, its link models, the host loops and
// the embedded aedes broker (which arms its keep-alive with setTimeout and refresh(), and defers
// writes with setImmediate) all run on simulated time without knowing it.
//
// Why not @sinonjs/fake-timers: its Timeout.refresh() changes a timer's due time before taking it
// out of its heap, which corrupts the heap; aedes refreshes a client's keep-alive timer on every
// packet, and under fake-timers clients were dropped for "keep alive timeout" while they
// published every minute (50 timers refreshed every ~60 s fired at 150-450 s instead of never).
import type { VirtualClock } from "../host/virtual-clock.ts";

/** The real timers and clocks, captured before anything is replaced: progress lines, health sampling and the driver use them. */
export const realTimers = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  setImmediate: globalThis.setImmediate,
  Date: globalThis.Date,
  /** Wall milliseconds (monotonic). */
  now: performance.now.bind(performance),
};

/** Where the simulated calendar starts: midnight UTC, so a time of day in an outage (`@02:00`) is hours after the start. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);
/** Node's longest timer delay; longer (and shorter than 1, or not a number) becomes 1 ms, as in Node. */
const TIMER_DELAY_MAX_MS = 2 ** 31 - 1;

type Callback = (...args: unknown[]) => void;

/** A Timeout as Node returns it, enough of it for the code we run (ref/unref are no-ops: nothing keeps a virtual loop alive). */
class VirtualTimeout {
  private handle: unknown;
  private static nextId = 1;
  private readonly id = VirtualTimeout.nextId++;

  constructor(
    private readonly clock: VirtualClock,
    private readonly fn: Callback,
    private readonly args: unknown[],
    private readonly delayMs: number,
    private readonly repeat: boolean,
  ) {
    this.arm();
  }

  private arm(): void {
    this.handle = this.clock.setTimer(() => {
      if (this.repeat) this.arm();
      else this.handle = undefined;
      this.fn(...this.args);
    }, this.delayMs);
  }

  /** Due again a whole delay from now (aedes's keep-alive on every packet); one that fired is armed again, as in Node. */
  refresh(): this {
    this.clock.clearTimer(this.handle);
    this.arm();
    return this;
  }

  close(): this {
    this.clock.clearTimer(this.handle);
    this.handle = undefined;
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  hasRef(): boolean {
    return true;
  }

  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

function delayOf(ms: unknown): number {
  const n = Number(ms);
  return n >= 1 && n <= TIMER_DELAY_MAX_MS ? n : 1;
}

function clear(t: unknown): void {
  if (t instanceof VirtualTimeout) t.close();
}

/** A Date whose "now" is the virtual clock's (other constructions are the real Date's). */
function virtualDate(clock: VirtualClock): DateConstructor {
  const RealDate = realTimers.Date;
  const now = () => VIRTUAL_EPOCH_MS + Math.floor(clock.now());
  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now());
      else super(...(args as [string]));
    }

    static now(): number {
      return now();
    }
  }
  return VirtualDate as DateConstructor;
}

let installed = 0;

/** Whether the process is on virtual time now (progress lines then speak of simulated time). */
export function virtualTimeInstalled(): boolean {
  return installed > 0;
}

/** Puts the process's timers, Date and performance.now on `clock`; returns the function that puts the real ones back. */
export function installVirtualTimers(clock: VirtualClock): () => void {
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = { ...realTimers, clearImmediate: globalThis.clearImmediate };
  g.setTimeout = (fn: Callback, ms?: number, ...args: unknown[]) => new VirtualTimeout(clock, fn, args, delayOf(ms), false);
  g.setInterval = (fn: Callback, ms?: number, ...args: unknown[]) => new VirtualTimeout(clock, fn, args, delayOf(ms), true);
  // An immediate runs after the timers already due now, in the order set: a zero delay, not Node's 1 ms.
  g.setImmediate = (fn: Callback, ...args: unknown[]) => new VirtualTimeout(clock, fn, args, 0, false);
  g.clearTimeout = clear;
  g.clearInterval = clear;
  g.clearImmediate = clear;
  g.Date = virtualDate(clock);
  Object.defineProperty(performance, "now", { value: () => clock.now(), configurable: true, writable: true });
  installed++;
  return () => {
    installed--;
    g.setTimeout = saved.setTimeout;
    g.setInterval = saved.setInterval;
    g.setImmediate = saved.setImmediate;
    g.clearTimeout = saved.clearTimeout;
    g.clearInterval = saved.clearInterval;
    g.clearImmediate = saved.clearImmediate;
    g.Date = saved.Date;
    delete (performance as unknown as Record<string, unknown>).now;
  };
}
