// What every sensor model produces, and the declared range and precision of each channel: the
// payload encoders format and pack by these, and size their worst case from them.

export type ModelName = "temperature" | "accelerometer" | "gps" | "counter";

/** One reading: named numeric channels (fixed-point precision in the model's spec), or a burst of samples. */
export interface Reading {
  model: ModelName;
  /** Scalar channels, e.g. [["t", 21.37]] or [["lat", 52.5201], ["lon", 13.4049], ["spd", 12.5]]. */
  values: [name: string, value: number][];
  /** Accelerometer bursts: samples of [x, y, z] in m/s² (empty or absent for other models). */
  samples?: [number, number, number][];
}

export interface SensorModel {
  readonly name: ModelName;
  /** The next reading, taken at tMs (u32 ms since the fleet start). */
  next(tMs: number): Reading;
}

/** A channel's decimals (the binary encoding stores value × 10^decimals) and its closed range. */
export interface Channel {
  readonly decimals: number;
  readonly min: number;
  readonly max: number;
}

/** What a model publishes: its scalar channels in publishing order, and its bursts if it has any. */
export interface ModelSpec {
  readonly channels: Readonly<Record<string, Channel>>;
  readonly burst?: {
    /** The scalar channel that carries the number of samples. */
    readonly countChannel: string;
    readonly samplesMax: number;
    /** Range and precision of each of x, y, z. */
    readonly axis: Channel;
  };
}

/** Rounds to a channel's precision; the encoders then see exactly the published value. */
export function quantize(value: number, ch: Channel): number {
  const scale = 10 ** ch.decimals;
  return Math.round(value * scale) / scale + 0; // + 0 turns -0 into 0
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
