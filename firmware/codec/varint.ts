// MQTT Variable Byte Integer (spec 1.5.5): 1 to 4 bytes, 7 bits each, least significant first.

/** Bytes consumed by the last successful varintRead. */
export let varintLen: i32 = 0;

/** More bytes are needed before the integer can be read. */
export const VARINT_INCOMPLETE: i32 = -1;
/** A fifth byte, or a non-minimal encoding [MQTT-1.5.5-1]. */
export const VARINT_MALFORMED: i32 = -2;

/** Reads a varint from [ptr, end). Returns the value, VARINT_INCOMPLETE or VARINT_MALFORMED. */
export function varintRead(ptr: usize, end: usize): i32 {
  let value: i32 = 0;
  for (let i = 0; i < 4; i++) {
    if (ptr + <usize>i >= end) return VARINT_INCOMPLETE;
    let b = <i32>load<u8>(ptr + <usize>i);
    value |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      // A trailing zero byte means the same value fits in fewer bytes.
      if (i > 0 && b == 0) return VARINT_MALFORMED;
      varintLen = i + 1;
      return value;
    }
  }
  return VARINT_MALFORMED;
}

export function varintSize(value: i32): i32 {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4;
}

/** Writes value at ptr and returns the address after it. */
export function varintWrite(ptr: usize, value: i32): usize {
  do {
    let b = value & 0x7f;
    value >>>= 7;
    if (value != 0) b |= 0x80;
    store<u8>(ptr++, b);
  } while (value != 0);
  return ptr;
}
