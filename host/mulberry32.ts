// mulberry32: a seeded PRNG whose whole state is one u32. The modem emulator and the fleet
// simulator both draw from it (each adds the draws it needs), so a run replays from its seed.

const TWO_POW_32 = 2 ** 32;

export class Mulberry32 {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  }
}
