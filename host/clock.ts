// The host's only source of time. The host loop (host/link.ts) and everything it drives take a
// Clock, so the same code runs on real timers against a network and on virtual time in tests
// and simulations (host/virtual-clock.ts), where the same seed gives the same run.

/** An opaque handle of a pending timer. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds, monotonic (the host loop hands the firmware `now() >>> 0`). */
  now(): number;
  /** Calls fn once, ms milliseconds from now (0: after the current task). */
  setTimer(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; undefined and fired handles are ignored. */
  clearTimer(handle: TimerHandle | undefined): void;
}

/** Real time: performance.now() and Node's timers. */
export const realClock: Clock = {
  now: () => Math.floor(performance.now()),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout | undefined),
};
