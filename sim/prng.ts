// The simulator's seeds: its only source of randomness is the one PRNG family (host/prng.ts),
// whose whole state is one u32, so thousands of sensors can each own a stream derived here and a
// run is reproduced from its seed.
export { Prng } from "../host/prng.ts";

/** Odd constant of the Weyl sequence (2^32 / golden ratio): consecutive ids land far apart. */
const GOLDEN_U32 = 0x9e3779b9;
/** Used when mixing happens to yield 0, so a derived seed is never 0. */
const NONZERO_SEED = 0x6d2b79f5;

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
