// A fixed-bucket histogram of whole milliseconds, so latency percentiles stay exact where they
// matter, cost bounded memory over a month of samples, and merge: the histogram of two shards is
// the sum of theirs, and its percentiles are those of one process that saw every sample.
//
// Buckets: one per value from 0 to EXACT_MAX_MS (1024 ms); above it, HDR-style, 128 buckets per
// power of two, each 1/128 of its power wide: value v > 1024 falls in the bucket of v - 1's top
// 8 bits. A bucket is named by its highest value, so a percentile read from a bucket is never
// below the samples it stands for (at most 1/128 above them, never above the exact max, which is
// kept apart), and the buckets of a power of two
// nest inside the report's chart buckets (upToMs/2 < v <= upToMs). Values are rounded to whole
// ms and held within 0..VALUE_MAX_MS (49.7 days): BUCKETS buckets in all, whatever the run's length.

/** Every value up to this has a bucket of its own. */
export const EXACT_MAX_MS = 1024;
/** Buckets per power of two above EXACT_MAX_MS: the relative width of a bucket is 1/SUB_BUCKETS. */
const SUB_BUCKETS = 128;
const SUB_BITS = 7;
/** The exponent of the first power of two above the exact range (2^10 = 1024). */
const FIRST_EXPONENT = 10;
/** Larger values count as this one (2^32 ms, about 49.7 days). */
export const VALUE_MAX_MS = 2 ** 32;
/** Exact buckets 0..1024, then 128 per power of two for 2^10..2^31 (of v - 1). */
export const BUCKETS = EXACT_MAX_MS + 1 + (32 - FIRST_EXPONENT) * SUB_BUCKETS;

/** The sparse form in report.json: [bucket value (ms), count], ascending by value. */
export type SparseHistogram = [valueMs: number, count: number][];

/** The bucket of a value (already whole, 0..VALUE_MAX_MS). */
function bucketOf(v: number): number {
  if (v <= EXACT_MAX_MS) return v;
  const u = v - 1;
  const e = 31 - Math.clz32(u);
  return EXACT_MAX_MS + 1 + (e - FIRST_EXPONENT) * SUB_BUCKETS + ((u >>> (e - SUB_BITS)) - SUB_BUCKETS);
}

/** A bucket's value: the highest value it holds. */
export function bucketValue(i: number): number {
  if (i <= EXACT_MAX_MS) return i;
  const j = i - EXACT_MAX_MS - 1;
  const e = FIRST_EXPONENT + Math.floor(j / SUB_BUCKETS);
  return (SUB_BUCKETS + (j % SUB_BUCKETS) + 1) * 2 ** (e - SUB_BITS);
}

export class Histogram {
  /** Counts per bucket (doubles: exact to 2^53 samples). */
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  /** The largest value added, exactly (0 when empty). */
  max = 0;

  /** A histogram from its sparse form; `max` is the exact maximum when known (else the highest bucket's value). */
  static from(sparse: SparseHistogram, max?: number): Histogram {
    const h = new Histogram();
    for (const [v, n] of sparse) h.add(v, n);
    if (max !== undefined) h.max = max;
    return h;
  }

  /** Counts `n` samples of value `ms` (rounded to a whole ms, negative as 0). */
  add(ms: number, n = 1): void {
    if (n <= 0) return;
    const v = Math.min(VALUE_MAX_MS, Math.max(0, Math.round(ms)));
    this.counts[bucketOf(v)] += n;
    this.count += n;
    if (v > this.max) this.max = v;
  }

  /** Adds every sample of `other`. */
  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    if (other.max > this.max) this.max = other.max;
  }

  clear(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
  }

  /**
   * Nearest rank over the buckets: the value of the bucket holding the smallest sample with at
   * least share `q` of the samples at or below it, or the max if that is lower (0 when empty).
   * Exact for samples up to EXACT_MAX_MS; above, at most 1/128 above the sample.
   */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(0, Math.ceil(q * this.count) - 1) + 1;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(bucketValue(i), this.max);
    }
    return this.max;
  }

  /** The non-empty buckets, ascending: [bucket value, count]. */
  sparse(): SparseHistogram {
    const out: SparseHistogram = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) out.push([bucketValue(i), this.counts[i]]);
    return out;
  }
}
