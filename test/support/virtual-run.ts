// Runs async code (a Device, its promises) on a VirtualClock: fires one timer at a time and lets
// the promise callbacks it caused run before the next, until a condition holds or a virtual
// time limit passes. Wall time stays small: no real timer is waited on.
import type { VirtualClock } from "../../host/virtual-clock.ts";

/** Timers one run may fire: a bound on a loop that keeps re-arming. */
const STEPS_MAX = 200_000;

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resolves true once cond() holds, false when limitMs of virtual time pass first. */
export async function runUntil(clock: VirtualClock, cond: () => boolean, limitMs: number): Promise<boolean> {
  const end = clock.now() + limitMs;
  for (let i = 0; i < STEPS_MAX; i++) {
    await settle();
    if (cond()) return true;
    if (!clock.fireNext(end)) break;
  }
  await settle();
  return cond();
}

/** Settles a promise on virtual time: its value, or an error when it does not settle within limitMs. */
export async function settleWithin<T>(clock: VirtualClock, p: Promise<T>, limitMs: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let result: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  p.then((value) => { result = { ok: true, value }; }, (error) => { result = { ok: false, error }; });
  if (!(await runUntil(clock, () => result !== undefined, limitMs))) {
    throw new Error(`did not settle within ${limitMs} virtual ms (now ${clock.now()})`);
  }
  return result!;
}
