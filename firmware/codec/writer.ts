// Big-endian field writers. Callers size the packet first and check capacity once, so the
// writers themselves do no bounds checks (smoltcp's emit-after-check rule).

export function wrU8(p: usize, v: u32): usize {
  store<u8>(p, v);
  return p + 1;
}

export function wrU16(p: usize, v: u32): usize {
  store<u8>(p, v >> 8);
  store<u8>(p + 1, v);
  return p + 2;
}

/** Two-byte length then the bytes (UTF-8 string or binary data). */
export function wrBinary(p: usize, src: usize, len: i32): usize {
  p = wrU16(p, <u32>len);
  memory.copy(p, src, <usize>len);
  return p + <usize>len;
}

export function wrBytes(p: usize, src: usize, len: i32): usize {
  memory.copy(p, src, <usize>len);
  return p + <usize>len;
}
