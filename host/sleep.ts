// The one timer wait of host and simulator (tests keep their own in test/support). Code that
// runs on an injected Clock waits through it instead (clock.ts, virtual-clock.ts); the simulator
// on virtual time puts these timers on its clock (sim/virtual-timers.ts).

/** setTimeout's longest delay: a longer one fires after 1 ms (with a warning), so longer waits go in steps. */
const TIMER_DELAY_MAX_MS = 2 ** 31 - 1;

/** Resolves after `ms` milliseconds (any length: a 30-day wait is two timers). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number) => {
      if (left <= TIMER_DELAY_MAX_MS) setTimeout(resolve, left);
      else setTimeout(() => step(left - TIMER_DELAY_MAX_MS), TIMER_DELAY_MAX_MS);
    };
    step(ms);
  });
}
