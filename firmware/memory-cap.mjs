// Declares the firmware's memory maximum equal to its initial size. The module never grows its
// memory (test/build checks there is no memory.grow), and saying so in the memory section lets
// an engine reserve only that much: V8 then maps many instances' memories together instead of
// reserving gigabytes of address space for each, which is what lets one Node process hold
// 100,000 sensors (see test/bench/SCALE.md).

/** Reads an unsigned LEB128 at `at`: [value, bytes read]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i - at];
  }
}

function lebBytes(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

const MEMORY_SECTION = 5;
const LIMITS_MIN_ONLY = 0x00;
const LIMITS_MIN_MAX = 0x01;

/** The module with its one memory's limits set to [min, min]; unchanged when it already has a maximum. */
export function capMemory(wasm) {
  const bytes = Uint8Array.from(wasm);
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, sizeLen] = leb(bytes, at + 1);
    const body = at + 1 + sizeLen;
    if (id === MEMORY_SECTION) {
      const [count, countLen] = leb(bytes, body);
      if (count !== 1) throw new Error(`expected one memory, found ${count}`);
      const flags = bytes[body + countLen];
      if (flags !== LIMITS_MIN_ONLY) return bytes;
      const [min, minLen] = leb(bytes, body + countLen + 1);
      const limits = [LIMITS_MIN_MAX, ...lebBytes(min), ...lebBytes(min)];
      const newBody = [...lebBytes(1), ...limits, ...bytes.subarray(body + countLen + 1 + minLen, body + size)];
      return Uint8Array.from([...bytes.subarray(0, at), MEMORY_SECTION, ...lebBytes(newBody.length), ...newBody, ...bytes.subarray(body + size)]);
    }
    at = body + size;
  }
  throw new Error("the module has no memory section");
}
