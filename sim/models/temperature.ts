// A room or outdoor thermometer: a random walk that drifts back towards the sensor's own base.
import type { Prng } from "../prng.ts";
import { clamp, quantize, type ModelSpec, type Reading, type SensorModel } from "./types.ts";

/** Each sensor's base temperature is drawn from [BASE_MIN_C, BASE_MIN_C + BASE_SPAN_C). */
export const TEMPERATURE_BASE_MIN_C = 15;
export const TEMPERATURE_BASE_SPAN_C = 10;
/** Standard deviation of one reading's step. */
export const TEMPERATURE_STEP_SD_C = 0.05;
/** Fraction of the distance to the base recovered per reading: gentle, so the walk stays visible (sd ≈ 0.5 °C). */
export const TEMPERATURE_REVERSION = 0.005;
/** The measuring range of the sensor (a DS18B20-like part saturates here). */
export const TEMPERATURE_MIN_C = -40;
export const TEMPERATURE_MAX_C = 85;

export const TEMPERATURE_SPEC: ModelSpec = {
  channels: { t: { decimals: 2, min: TEMPERATURE_MIN_C, max: TEMPERATURE_MAX_C } },
};

export class TemperatureModel implements SensorModel {
  readonly name = "temperature";
  private readonly base: number;
  private t: number;

  constructor(private readonly prng: Prng) {
    this.base = TEMPERATURE_BASE_MIN_C + TEMPERATURE_BASE_SPAN_C * prng.next();
    this.t = this.base;
  }

  next(_tMs: number): Reading {
    const step = TEMPERATURE_STEP_SD_C * this.prng.normal() + TEMPERATURE_REVERSION * (this.base - this.t);
    this.t = clamp(this.t + step, TEMPERATURE_MIN_C, TEMPERATURE_MAX_C);
    return { model: this.name, values: [["t", quantize(this.t, TEMPERATURE_SPEC.channels.t)]] };
  }
}
