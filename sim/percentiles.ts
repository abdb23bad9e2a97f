// Nearest rank, the one definition of the report's percentiles: sim/histogram.ts reads it over
// buckets, and its tests check that against this reading over raw samples.

/** The smallest sample with at least share `q` of the samples at or below it (`sorted` ascending, not empty). */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}
