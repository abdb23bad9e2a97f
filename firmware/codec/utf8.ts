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
    let need: i32;
    let min: u32;
    if ((c & 0xe0) == 0xc0) { need = 1; c &= 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { need = 2; c &= 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { need = 3; c &= 0x07; min = 0x10000; }
    else return false;
    if (ptr + <usize>need > end) return false;
    for (let i = 0; i < need; i++) {
      let b = <u32>load<u8>(ptr++);
      if ((b & 0xc0) != 0x80) return false;
      c = (c << 6) | (b & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}
