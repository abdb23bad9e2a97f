// Topic names and filters (spec 4.7). Names carry no wildcards [MQTT-3.3.2-2]; filters use
// '+' for one whole level [MQTT-4.7.1-2] and '#' only as the whole last level [MQTT-4.7.1-1].
import { utf8Valid } from "./utf8";

const PLUS: u32 = 0x2b;
const HASH: u32 = 0x23;
const SLASH: u32 = 0x2f;

/** True when [ptr, ptr+len) holds '+' or '#'. */
export function hasWildcard(ptr: usize, len: i32): bool {
  let end = ptr + <usize>len;
  for (; ptr < end; ptr++) {
    let c = <u32>load<u8>(ptr);
    if (c == PLUS || c == HASH) return true;
  }
  return false;
}

export function topicNameValid(ptr: usize, len: i32): bool {
  return len >= 1 && len <= 65535 && !hasWildcard(ptr, len) && utf8Valid(ptr, len);
}

export function topicFilterValid(ptr: usize, len: i32): bool {
  if (len < 1 || len > 65535 || !utf8Valid(ptr, len)) return false;
  let prev = SLASH;
  for (let i = 0; i < len; i++) {
    let c = <u32>load<u8>(ptr + <usize>i);
    // A wildcard stands alone in its level, and '#' is the last level.
    if (((c == PLUS || c == HASH) && prev != SLASH) || (prev == PLUS && c != SLASH) || prev == HASH) return false;
    prev = c;
  }
  return true;
}
