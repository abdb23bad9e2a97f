// The emulator's seeded PRNG (mulberry32, host/mulberry32.ts): every random choice of the
// emulator comes from one of these, so a run with the same seed and the same traffic makes the
// same choices.
import { Mulberry32 } from "../../host/mulberry32.ts";

export class Prng extends Mulberry32 {
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.next() < p;
  }

  /** Exponentially distributed, with this mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
}
