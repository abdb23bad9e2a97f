// Strict UTF-8 as MQTT requires (spec 1.5.4): well-formed [MQTT-1.5.4-1], no surrogates,
// no overlong forms, nothing above U+10FFFF, and no U+0000 [MQTT-1.5.4-2].

export function utf8Valid(ptr: usize, len: i32): bool {
  let end = ptr + <usize>len;
  while (ptr < end) {
    let c = <u32>load<u8>(ptr++);
    if (c < 0x80) {
      if (c == 0) return false;
      continue;
    }
    // A lead byte starts a 2-, 3- or 4-byte sequence; C0, C1 (overlong) and F5-FF never do.
    if (c < 0xc2 || c > 0xf4) return false;
    let need: i32 = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
    c &= 0x3f >> need;
    if (ptr + <usize>need > end) return false;
    for (let i = 0; i < need; i++) {
      let b = <u32>load<u8>(ptr++);
      if ((b & 0xc0) != 0x80) return false;
      c = (c << 6) | (b & 0x3f);
    }
    // Overlong 3- and 4-byte forms, surrogates, and code points above U+10FFFF.
    if ((need == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (need == 3 && (c < 0x10000 || c > 0x10ffff))) return false;
  }
  return true;
}
