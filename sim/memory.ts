// How the simulator (and the scale benchmark's MQTT.js side, the same way) measures memory per
// sensor: process RSS and V8 heap + array buffers after a full GC (run node with --expose-gc),
// from a warm fleet (its first tenth started and connected: code compiled, broker and modems
// set up) to the whole fleet connected, divided by the sensors added in between.

/** The first 1/WARM_SHARE of the sensors is the warm-up, not counted. */
export const WARM_SHARE = 10;

export interface MemorySample {
  /** heapUsed + arrayBuffers. */
  heap: number;
  rss: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

export function memorySample(): MemorySample {
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

/** Sensors in the warm-up of a fleet of n: all of a tiny fleet (then nothing is left to count but n itself). */
export const warmCount = (n: number) => Math.ceil(n / WARM_SHARE);
