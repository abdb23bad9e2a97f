// The one PRNG family of host and simulator: mulberry32, a seeded generator whose whole state is
// one u32, with every draw its users need. The fleet simulator (sensor models, link faults) and
// the modem emulator (line faults, scheduled injections) draw from it, so a run replays from its
// seed. (The firmware has its own, in AssemblyScript: it is the device's, not ours.)

const TWO_POW_32 = 2 ** 32;

export class Prng {
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

  /** Integer in [0, n); n up to 2^32 reaches every value. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability p (never for an undefined or non-positive p, and then draws nothing). */
  chance(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.next() < p;
  }

  /** Exponentially distributed, with this mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Standard normal (Box-Muller); the pair's second value is dropped to keep the state one number. */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}
