// RX as a window: bytes [rxStart, rxEnd) of the RX region are received and not yet consumed.
// The host writes at the end (rxReserve, rxWritePtr, receive); the session consumes from the front.
import { RX_BUFFER_BYTES } from "../budget";
import { RX } from "../regions";
import { Status } from "../reason";
import { Counter, count } from "../counters";

let rxStart: i32 = 0;
let rxEnd: i32 = 0;

/** Makes room at the end of RX (moving unconsumed bytes to the front); returns the free bytes at rxWritePtr(). */
export function rxReserve(): i32 {
  if (rxStart > 0) {
    memory.copy(RX, RX + <usize>rxStart, <usize>(rxEnd - rxStart));
    rxEnd -= rxStart;
    rxStart = 0;
  }
  return RX_BUFFER_BYTES - rxEnd;
}

export function rxWritePtr(): usize {
  return RX + <usize>rxEnd;
}

/** The host wrote len bytes at rxWritePtr(). */
export function receive(len: i32): i32 {
  if (len < 0 || len > RX_BUFFER_BYTES - rxEnd) return -Status.BadArgument;
  rxEnd += len;
  count(Counter.BytesIn, <u32>len);
  return 0;
}

/** The first unconsumed byte. */
// @ts-ignore: decorator
@inline export function rxPtr(): usize { return RX + <usize>rxStart; }
/** Unconsumed bytes. */
// @ts-ignore: decorator
@inline export function rxAvail(): i32 { return rxEnd - rxStart; }
/** The session consumed n bytes from the front. */
// @ts-ignore: decorator
@inline export function rxConsume(n: i32): void { rxStart += n; }

/** Drops everything received: the connection these bytes came from is over. */
export function rxClear(): void {
  rxStart = 0;
  rxEnd = 0;
}
