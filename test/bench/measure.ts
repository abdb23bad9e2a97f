// Throughput measurement for the benchmarks: run a case in batches for a fixed wall time and
// report operations per second. A case is a function that performs n operations.

export type Case = (n: number) => void;

export interface MeasureOptions {
  /** Untimed run before measuring, so the JIT has compiled the hot path. */
  warmupMs: number;
  /** Timed run length. */
  runMs: number;
}

const BATCH_MS = 5;

function nowMs(): number {
  return performance.now();
}

/** Runs the case until `ms` have passed; returns ops/s and a batch size that takes about BATCH_MS. */
function runFor(fn: Case, ms: number, batch: number): { opsPerSec: number; batch: number } {
  let ops = 0;
  const start = nowMs();
  let elapsed = 0;
  while (elapsed < ms) {
    const t0 = nowMs();
    fn(batch);
    const took = nowMs() - t0;
    ops += batch;
    elapsed = nowMs() - start;
    if (took < BATCH_MS / 2) batch *= 2;
  }
  return { opsPerSec: (ops * 1000) / elapsed, batch };
}

/** Operations per second of one case, after a warm-up. */
export function measure(fn: Case, o: MeasureOptions): number {
  const warm = runFor(fn, o.warmupMs, 16);
  return runFor(fn, o.runMs, warm.batch).opsPerSec;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Measures every case `repeats` times, interleaved (A B C A B C ...) so drift hits all alike; returns medians. */
export function measureAll(cases: Record<string, Case>, repeats: number, o: MeasureOptions): Record<string, number> {
  const runs: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < repeats; r++) {
    for (const [name, fn] of Object.entries(cases)) runs[name].push(measure(fn, o));
  }
  return Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
}
