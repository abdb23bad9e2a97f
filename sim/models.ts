// The fleet's sensor models: one file per model under models/, chosen by name here. Each model's
// state is a few numbers plus its own PRNG, because thousands of sensors exist at once.
import { AccelerometerModel, ACCELEROMETER_SPEC } from "./models/accelerometer.ts";
import { CounterModel, COUNTER_SPEC } from "./models/counter.ts";
import { GpsModel, GPS_SPEC } from "./models/gps.ts";
import { TemperatureModel, TEMPERATURE_SPEC } from "./models/temperature.ts";
import type { ModelName, ModelSpec, SensorModel } from "./models/types.ts";
import { Prng, sensorSeed } from "./prng.ts";

export type { Channel, ModelName, ModelSpec, Reading, SensorModel } from "./models/types.ts";
export { ACCEL_BURST_SAMPLES } from "./models/accelerometer.ts";

export const MODEL_NAMES: readonly ModelName[] = ["temperature", "accelerometer", "gps", "counter"];

/** Channels, ranges and bursts of each model: what the payload encoders format and size by. */
export const MODEL_SPECS: Readonly<Record<ModelName, ModelSpec>> = {
  temperature: TEMPERATURE_SPEC,
  accelerometer: ACCELEROMETER_SPEC,
  gps: GPS_SPEC,
  counter: COUNTER_SPEC,
};

/**
 * Salt of the model's stream: a sensor's own stream (e.g. its jitter) is seeded with
 * sensorSeed(seed, id), and the model must not replay the same numbers.
 */
const MODEL_STREAM = 0x6d6f646c; // "modl"

/** Creates one sensor's model state, deterministic for (seed, id). */
export function createModel(name: ModelName, seed: number, id: number): SensorModel {
  const prng = new Prng(sensorSeed(sensorSeed(seed, id), MODEL_STREAM));
  switch (name) {
    case "temperature": return new TemperatureModel(prng);
    case "accelerometer": return new AccelerometerModel(prng);
    case "gps": return new GpsModel(prng);
    case "counter": return new CounterModel(prng);
  }
  throw new RangeError(`unknown sensor model '${name as string}'`);
}
