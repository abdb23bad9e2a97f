// A vibration monitor on a machine: usually one quiet sample (gravity on z), sometimes a burst of
// samples of the machine's vibration. Bursts are what make this model's payloads large.
import type { Prng } from "../prng.ts";
import { clamp, quantize, type Channel, type ModelSpec, type Reading, type SensorModel } from "./types.ts";

export const ACCEL_BURST_SAMPLES = 16;
/** Chance that a reading is a burst rather than one quiet sample. */
export const ACCEL_BURST_PROBABILITY = 0.05;
export const GRAVITY_MS2 = 9.81;
/** The part's full scale, ±8 g: readings saturate here. */
export const ACCEL_RANGE_MS2 = 78.45;
export const ACCEL_QUIET_NOISE_SD_MS2 = 0.02;
export const ACCEL_BURST_NOISE_SD_MS2 = 0.1;
/** A burst's vibration amplitude is drawn from [AMPLITUDE_MIN, AMPLITUDE_MIN + AMPLITUDE_SPAN). */
export const ACCEL_AMPLITUDE_MIN_MS2 = 2;
export const ACCEL_AMPLITUDE_SPAN_MS2 = 3;
/** Each sensor's machine vibrates at one frequency in [FREQ_MIN, FREQ_MIN + FREQ_SPAN). */
export const ACCEL_FREQ_MIN_HZ = 20;
export const ACCEL_FREQ_SPAN_HZ = 60;
/** Burst samples are taken at 400 Hz. */
export const ACCEL_SAMPLE_PERIOD_S = 0.0025;
/** How strongly the vibration shows on x, y and z, and its phase on each axis. */
const AXIS_GAIN = [1, 0.5, 0.3] as const;
const AXIS_PHASE = [0, Math.PI / 2, Math.PI / 4] as const;

const AXIS: Channel = { decimals: 2, min: -ACCEL_RANGE_MS2, max: ACCEL_RANGE_MS2 };

export const ACCELEROMETER_SPEC: ModelSpec = {
  channels: { n: { decimals: 0, min: 1, max: ACCEL_BURST_SAMPLES } },
  burst: { countChannel: "n", samplesMax: ACCEL_BURST_SAMPLES, axis: AXIS },
};

export class AccelerometerModel implements SensorModel {
  readonly name = "accelerometer";
  private readonly omega: number;

  constructor(private readonly prng: Prng) {
    this.omega = 2 * Math.PI * (ACCEL_FREQ_MIN_HZ + ACCEL_FREQ_SPAN_HZ * prng.next());
  }

  next(_tMs: number): Reading {
    const samples = this.prng.next() < ACCEL_BURST_PROBABILITY ? this.burst() : [this.quiet()];
    return { model: this.name, values: [["n", samples.length]], samples };
  }

  private quiet(): [number, number, number] {
    const noise = () => ACCEL_QUIET_NOISE_SD_MS2 * this.prng.normal();
    return [this.axis(noise()), this.axis(noise()), this.axis(GRAVITY_MS2 + noise())];
  }

  private burst(): [number, number, number][] {
    const amplitude = ACCEL_AMPLITUDE_MIN_MS2 + ACCEL_AMPLITUDE_SPAN_MS2 * this.prng.next();
    const phase = 2 * Math.PI * this.prng.next();
    const out: [number, number, number][] = [];
    for (let k = 0; k < ACCEL_BURST_SAMPLES; k++) {
      const angle = this.omega * k * ACCEL_SAMPLE_PERIOD_S + phase;
      const vibration = (a: 0 | 1 | 2) =>
        amplitude * AXIS_GAIN[a] * Math.sin(angle + AXIS_PHASE[a]) + ACCEL_BURST_NOISE_SD_MS2 * this.prng.normal();
      out.push([this.axis(vibration(0)), this.axis(vibration(1)), this.axis(GRAVITY_MS2 + vibration(2))]);
    }
    return out;
  }

  private axis(v: number): number {
    return quantize(clamp(v, AXIS.min, AXIS.max), AXIS);
  }
}
