// Nearest-rank percentiles, the one definition the report's latency figures use.

/** The smallest sample with at least share `q` of the samples at or below it (`sorted` ascending, not empty). */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** p50 and p99 of unsorted samples (0 and 0 for none). */
export function p50p99(samples: ArrayLike<number>): { p50: number; p99: number } {
  if (samples.length === 0) return { p50: 0, p99: 0 };
  const s = Float64Array.from(samples).sort();
  return { p50: nearestRank(s, 0.5), p99: nearestRank(s, 0.99) };
}
