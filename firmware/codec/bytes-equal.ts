// Byte-wise equality of two ranges. A plain loop: AssemblyScript's memory.compare is inlined
// at every call site, which costs more Wasm than the comparisons here need.
export function bytesEqual(a: usize, b: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  }
  return true;
}
