// The outbox: a fixed ring of outgoing PUBLISH packets, stored as they go on the wire (full
// topic, DUP clear), from the moment the host hands them over until they are acknowledged
// (QoS 1/2) or transmitted (QoS 0). Messages queued while offline wait here too; on
// reconnect they are resent in their original order [MQTT-4.6.0-1].
//
// Entry layout (4-byte aligned): u32 size | u8 state | u8 flags | u16 packet id | u32 wire length | wire bytes.
// A size with the top bit set is a wrap marker: the rest of the ring up to the end is unused.
// Entries are freed in any order; space is reclaimed from the oldest end.
import { OUTBOX_BYTES } from "../budget";
import { OUTBOX } from "../regions";

export const OB_HEADER_BYTES: i32 = 12;
const WRAP: u32 = 0x80000000;

export const OB_FREE: u8 = 0;
/** Reserved by a streamed publish whose payload the host is still writing. */
export const OB_WRITING: u8 = 1;
/** Not yet transmitted on this connection. */
export const OB_QUEUED: u8 = 2;
export const OB_AWAIT_PUBACK: u8 = 3;
export const OB_AWAIT_PUBREC: u8 = 4;
/** PUBREC received and PUBREL sent. */
export const OB_AWAIT_PUBCOMP: u8 = 6;
/** Finished without an acknowledgement to report from the wire (session lost after PUBREC): report, then free. */
export const OB_DONE: u8 = 7;
/** Evicted by the drop-oldest overflow policy: report, then free. */
export const OB_DROPPED: u8 = 8;

/** Entry flag: transmitted before, so a resend carries DUP [MQTT-3.3.1-1]. */
export const OBF_SENT_BEFORE: u8 = 1;
/** Entry flag: the server's Maximum Packet Size (after a reconnect) is below this packet; reported as 0x95. */
export const OBF_TOO_LARGE: u8 = 2;

let head: i32 = 0;
let tail: i32 = 0;
let used: i32 = 0;
/** Bytes from head whose entries need nothing more from the transmitter (a scan hint). */
export let obSettled: i32 = 0;
/** Entries in OB_DONE or OB_DROPPED, awaiting their event. */
export let obUnreported: i32 = 0;
let obEntries: i32 = 0;

@inline export function obState(e: usize): u8 { return load<u8>(e, 4); }
@inline export function obSetState(e: usize, s: u8): void { store<u8>(e, s, 4); }
@inline export function obFlags(e: usize): u8 { return load<u8>(e, 5); }
@inline export function obSetFlags(e: usize, f: u8): void { store<u8>(e, f, 5); }
@inline export function obPacketId(e: usize): u32 { return load<u16>(e, 6); }
@inline export function obWireLen(e: usize): i32 { return load<i32>(e, 8); }
@inline export function obWire(e: usize): usize { return e + <usize>OB_HEADER_BYTES; }
@inline export function obQos(e: usize): u32 { return (<u32>load<u8>(e, 12) >> 1) & 3; }
@inline function sizeAt(off: i32): u32 { return load<u32>(OUTBOX + <usize>off); }

export function obReset(): void {
  head = 0; tail = 0; used = 0; obSettled = 0; obUnreported = 0; obEntries = 0;
}

/** Bytes an entry for a packet of wireLen bytes takes. */
export function obEntryBytes(wireLen: i32): i32 {
  return (OB_HEADER_BYTES + wireLen + 3) & ~3;
}

/** True when an entry of `need` bytes fits now. */
function obFits(need: i32): bool {
  if (used == 0) return need <= OUTBOX_BYTES;
  if (tail > head || (tail == head && used == 0)) {
    return need <= OUTBOX_BYTES - tail || need <= head;
  }
  return tail < head && need <= head - tail;
}

/** Reserves an entry for a packet of wireLen bytes; returns its address or 0 when it does not fit. */
export function obAlloc(wireLen: i32, packetId: u32, state: u8): usize {
  let need = obEntryBytes(wireLen);
  if (used == 0) { head = 0; tail = 0; }
  if (!obFits(need)) return 0;
  if (tail >= head && need > OUTBOX_BYTES - tail) {
    // Wrap: mark the unused end, continue at the start.
    let rest = OUTBOX_BYTES - tail;
    store<u32>(OUTBOX + <usize>tail, WRAP | <u32>rest);
    used += rest;
    tail = 0;
  }
  let e = OUTBOX + <usize>tail;
  store<u32>(e, <u32>need);
  obSetState(e, state);
  obSetFlags(e, 0);
  store<u16>(e, <u16>packetId, 6);
  store<i32>(e, wireLen, 8);
  tail += need;
  if (tail == OUTBOX_BYTES) tail = 0;
  used += need;
  obEntries++;
  return e;
}

/** Frees an entry and reclaims every free entry at the oldest end. */
export function obFree(e: usize): void {
  obRelease(e);
  obCollect();
}

/** Marks an entry free without reclaiming space (safe while iterating). */
export function obRelease(e: usize): void {
  if (obState(e) == OB_DONE || obState(e) == OB_DROPPED) obUnreported--;
  obSetState(e, OB_FREE);
  obEntries--;
}

/** Reclaims every free entry at the oldest end. */
export function obCollect(): void {
  while (used > 0) {
    let size = sizeAt(head);
    if ((size & WRAP) == 0 && obState(OUTBOX + <usize>head) != OB_FREE) break;
    size &= ~WRAP;
    head += <i32>size;
    if (head >= OUTBOX_BYTES) head = 0;
    used -= <i32>size;
    obSettled = obSettled > <i32>size ? obSettled - <i32>size : 0;
  }
  if (used == 0) { head = 0; tail = 0; obSettled = 0; }
}

/** Marks an entry for an event (OB_DONE / OB_DROPPED) instead of freeing it at once. */
export function obMarkUnreported(e: usize, s: u8): void {
  obSetState(e, s);
  obUnreported++;
}

// Iteration in ring order: obFirst / obNext walk entries (wrap markers skipped); 0 ends.
let iterLeft: i32 = 0;
let iterOff: i32 = 0;

function iterSkipWraps(): usize {
  while (iterLeft > 0) {
    let size = sizeAt(iterOff);
    if ((size & WRAP) == 0) return OUTBOX + <usize>iterOff;
    iterLeft -= <i32>(size & ~WRAP);
    iterOff = 0;
  }
  return 0;
}

/** First entry at or after `skip` bytes from the oldest end. */
export function obFirst(skip: i32): usize {
  iterLeft = used - skip;
  iterOff = (head + skip) % OUTBOX_BYTES;
  return iterSkipWraps();
}

export function obNext(): usize {
  let size = <i32>sizeAt(iterOff);
  iterLeft -= size;
  iterOff += size;
  if (iterOff >= OUTBOX_BYTES) iterOff = 0;
  return iterSkipWraps();
}

/** Bytes from the oldest end to the entry the iterator stands on (for obSettled). */
export function obIterPosition(): i32 {
  return used - iterLeft;
}

export function obSetSettled(n: i32): void {
  obSettled = n;
}

/** The entry holding packet id (QoS 1/2 only), or 0. */
export function obFind(packetId: u32): usize {
  for (let e = obFirst(0); e != 0; e = obNext()) {
    let s = obState(e);
    if (s != OB_FREE && s != OB_DONE && s != OB_DROPPED && obPacketId(e) == packetId && packetId != 0) return e;
  }
  return 0;
}
