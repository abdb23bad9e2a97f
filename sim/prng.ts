// The simulator's only source of randomness: a seeded PRNG whose whole state is one u32, so
// thousands of sensors can each own a stream and a run is reproduced from its seed.
import { Mulberry32 } from "../host/mulberry32.ts";

/** Odd constant of the Weyl sequence (2^32 / golden ratio): consecutive ids land far apart. */
const GOLDEN_U32 = 0x9e3779b9;
/** Used when mixing happens to yield 0, so a derived seed is never 0. */
const NONZERO_SEED = 0x6d2b79f5;

/** mulberry32 (host/mulberry32.ts), with the draws the sensor models need. */
export class Prng extends Mulberry32 {
  /** Integer in [0, n); n up to 2^32 reaches every value. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller); the pair's second value is dropped to keep the state one number. */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Derives a per-sensor seed from the fleet seed and a sensor id (well mixed, never 0).
 * For one fleet seed, distinct u32 ids give distinct seeds (both steps are bijections; the one
 * id that would map to 0 shares NONZERO_SEED with at most one other).
 */
export function sensorSeed(fleetSeed: number, id: number): number {
  const h = fmix32((fmix32(fleetSeed >>> 0) + Math.imul(id >>> 0, GOLDEN_U32)) >>> 0);
  return h === 0 ? NONZERO_SEED : h;
}
