// A pulse counter (water or energy meter): a u32 register that only counts up, wrapping as hardware does.
import type { Prng } from "../prng.ts";
import type { ModelSpec, Reading, SensorModel } from "./types.ts";

/** Pulses counted between two readings: 1..COUNTER_PULSES_MAX. */
export const COUNTER_PULSES_MAX = 5;
const U32_MAX = 0xffff_ffff;

export const COUNTER_SPEC: ModelSpec = {
  channels: { c: { decimals: 0, min: 0, max: U32_MAX } },
};

export class CounterModel implements SensorModel {
  readonly name = "counter";
  private c = 0;

  constructor(private readonly prng: Prng) {}

  next(_tMs: number): Reading {
    this.c = (this.c + 1 + this.prng.int(COUNTER_PULSES_MAX)) >>> 0;
    return { model: this.name, values: [["c", this.c]] };
  }
}
