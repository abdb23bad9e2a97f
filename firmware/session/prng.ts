// xorshift32, seeded by the host: reconnect jitter is random across a fleet yet replayable
// in a test from the seed. The firmware has no other source of randomness.
let state: u32 = 0x9e3779b9;

export function prngSeed(seed: u32): void {
  state = seed != 0 ? seed : 0x9e3779b9; // zero is xorshift's fixed point
}

export function prngNext(): u32 {
  let x = state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  state = x;
  return x;
}
