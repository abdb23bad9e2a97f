// Keep alive: when bytes last left, and whether a PINGREQ awaits its PINGRESP. The timers
// themselves are armed by state.ts (on entering Connected) and here (after each send).
import { Counter, count } from "../counters";
import { encodePingreq } from "../codec/encode";
import { txRoom, txAppend } from "./transmitter";
import { timerArm, T_PINGRESP } from "./timers";
import { Option, option } from "./options";
import { keepAliveMs } from "./negotiated";
import { restartKeepAlive } from "./state";

/** When bytes last left for the transport: keep alive counts from here, CONNECT included. */
let lastTx: u32 = 0;
let pingOutstanding = false;

/** When the first keep alive of a connection is due: Keep Alive after CONNECT went out [MQTT-3.1.2-22]. */
export function firstKeepAliveDeadline(): u32 {
  return lastTx + keepAliveMs;
}

/** Bytes went out at now. */
export function noteSent(now: u32): void {
  lastTx = now;
  restartKeepAlive(now);
}

/** The keep alive timer fired: PINGREQ (when none is outstanding and TX has room), and wait for PINGRESP. */
export function keepAliveDue(now: u32): void {
  if (pingOutstanding || !txRoom(2)) return;
  encodePingreq(txAppend(2));
  pingOutstanding = true;
  count(Counter.PingsSent);
  timerArm(T_PINGRESP, now + option(Option.PingrespTimeoutMs));
}

/** No PINGREQ awaits an answer: its PINGRESP came (the caller stops its timer), or the connection is new. */
export function pingSettled(): void {
  pingOutstanding = false;
}
