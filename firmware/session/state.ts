// The session's current state and its one way to change. transition() sets the state and arms
// the one timer that runs in it; every guard on the state asks accepts() or acceptsPacket(),
// which read the table in state-table.ts. No other file writes the state or compares it.
import { State, Input, Accepts } from "./state-table";
import { timerArm, timerStopAll, T_CONNACK, T_KEEPALIVE, T_RECONNECT } from "./timers";
import { keepAliveMs } from "./negotiated";

export { State, Input } from "./state-table";

export let state: State = State.Idle;

/**
 * True when the current state accepts the input (a host command, or a packet by its type).
 * Inlined: for a constant input the table's column folds into one constant of five bits.
 */
// @ts-ignore: decorator
@inline export function accepts(input: u32): bool {
  let inState: u32 = (<u32>Accepts.Idle >> input & 1) << State.Idle |
    (<u32>Accepts.WaitReconnect >> input & 1) << State.WaitReconnect |
    (<u32>Accepts.Connecting >> input & 1) << State.Connecting |
    (<u32>Accepts.Connected >> input & 1) << State.Connected |
    (<u32>Accepts.Closing >> input & 1) << State.Closing;
  // States with neighbouring numbers are one comparison (a range); binaryen folds the branch not taken.
  let first = ctz<u32>(inState);
  let run = popcnt<u32>(inState);
  if (inState >> first == (1 << run) - 1) return run == 1 ? <u32>state == first : <u32>state - first < run;
  return (inState >> <u32>state & 1) != 0;
}

/**
 * True when the current state accepts a packet of this type from the server. Packets are parsed
 * only in the states with ParseRx, Connecting and Connected, so only their two rows are needed.
 */
export function acceptsPacket(type: u32): bool {
  let row: u32 = state == State.Connected ? <u32>Accepts.Connected : <u32>Accepts.Connecting;
  return (row >> type & 1) != 0;
}
if (((Accepts.Idle | Accepts.WaitReconnect | Accepts.Closing) & 1 << Input.ParseRx) != 0) {
  ERROR("acceptsPacket() reads only the rows of Connecting and Connected");
}

if (T_RECONNECT != State.WaitReconnect || T_CONNACK != State.Connecting || T_KEEPALIVE != State.Connected) {
  ERROR("transition() arms timer `to`: each state's timer must have the state's number (timers.ts)");
}

/**
 * Enters state `to`, stops every timer and arms the one that runs in it, due at `deadline`:
 * Connecting waits for CONNACK, Connected for the next keep alive (none when Keep Alive is 0
 * [MQTT-3.1.2-10]), WaitReconnect for the reconnect delay. Idle and Closing run no timer.
 */
export function transition(to: State, deadline: u32): void {
  state = to;
  timerStopAll();
  if (to == State.Idle || to == State.Closing || (to == State.Connected && keepAliveMs == 0)) return;
  timerArm(to, deadline);
}

/** Bytes went out at `now`: while Connected, keep alive counts from here [MQTT-3.1.2-22]. */
export function restartKeepAlive(now: u32): void {
  if (state == State.Connected && keepAliveMs > 0) timerArm(T_KEEPALIVE, now + keepAliveMs);
}

/**
 * The host ended the session. A DISCONNECT that went out, or a transport still open from a
 * connection that was already over, closes first (Closing); otherwise the session is Idle now.
 */
export function transitionOnEnd(disconnectSent: bool): void {
  transition(disconnectSent || state == State.Closing ? State.Closing : State.Idle, 0);
}
