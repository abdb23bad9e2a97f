// SUBSCRIBE and UNSUBSCRIBE requests awaiting SUBACK / UNSUBACK: packet id, kind and the
// number of filters (the acknowledgement must carry one reason code per filter [MQTT-3.9.3-1]).
import { REQUEST_SLOTS } from "../budget";
import { REQUESTS, REQUEST_SLOT_BYTES } from "../regions";

@inline function slot(i: i32): usize {
  return REQUESTS + <usize>(i * REQUEST_SLOT_BYTES);
}

export function requestFind(id: u32, kind: u32): i32 {
  for (let i = 0; i < REQUEST_SLOTS; i++) {
    let s = slot(i);
    if (<u32>load<u16>(s) == id && (kind == 0 || <u32>load<u8>(s, 2) == kind)) return i;
  }
  return -1;
}

export function requestAdd(id: u32, kind: u32, count: u32): bool {
  let i = requestFind(0, 0);
  if (i < 0) return false;
  let s = slot(i);
  store<u16>(s, <u16>id);
  store<u8>(s, <u8>kind, 2);
  store<u8>(s, <u8>count, 3);
  return true;
}

export function requestCount(i: i32): u32 {
  return load<u8>(slot(i), 3);
}

export function requestFree(i: i32): void {
  store<u32>(slot(i), 0);
}

export function requestClear(): void {
  memory.fill(REQUESTS, 0, <usize>(REQUEST_SLOTS * REQUEST_SLOT_BYTES));
}
