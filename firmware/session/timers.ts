// A fixed table of deadlines in u32 milliseconds. Comparisons use the signed difference,
// so the clock may wrap (every 49.7 days) without a deadline firing early or never. The
// deadlines are the TIMERS region (regions.ts); which timers are armed is a bit mask here.
import { TIMERS, TIMER_COUNT } from "../regions";

// Each state runs at most one timer, and it has the state's number (transition() in state.ts
// arms timer `state`); the PINGRESP timer takes Idle's number, since Idle runs none.
export const T_PINGRESP = 0;
export const T_RECONNECT = 1;
export const T_CONNACK = 2;
export const T_KEEPALIVE = 3;
if (T_KEEPALIVE >= TIMER_COUNT) ERROR("every timer needs a slot in the TIMERS region (regions.ts)");
let armed: u32 = 0;

export function timerArm(id: i32, deadline: u32): void {
  store<u32>(TIMERS + (<usize>id << 2), deadline);
  armed |= 1 << id;
}

export function timerStop(id: i32): void {
  armed &= ~(1 << id);
}

export function timerStopAll(): void {
  armed = 0;
}

function timerArmed(id: i32): bool {
  return (armed & (1 << id)) != 0;
}

/** True when the timer is armed and its deadline is at or before now (and disarms it). */
export function timerExpired(id: i32, now: u32): bool {
  if (!timerArmed(id)) return false;
  if (<i32>(load<u32>(TIMERS + (<usize>id << 2)) - now) > 0) return false;
  timerStop(id);
  return true;
}

/** Milliseconds until the earliest armed deadline (0 when one is due), or -1 when none is armed. */
export function timerNextDelay(now: u32): i32 {
  let best: i32 = -1;
  for (let id = 0; id < TIMER_COUNT; id++) {
    if (!timerArmed(id)) continue;
    let d = <i32>(load<u32>(TIMERS + (<usize>id << 2)) - now);
    if (d < 0) d = 0;
    if (best < 0 || d < best) best = d;
  }
  return best;
}
