// Durations and shard specs as users write them on the command line.
import { usageError } from "../host/errors.ts";


const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30s", "500ms", "2m", "1h", "30d", or a bare number in `bareUnit`; returns milliseconds. */
export function parseDuration(text: string, bareUnit: "s" | "ms"): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) throw usageError(`'${text}' is not a duration (e.g. 30s, 500ms, 2m, 30d)`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? bareUnit]);
}

/** The K-th of N slices of a fleet (1-based). */
export interface Shard {
  k: number;
  n: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw usageError(`'${text}' is not K/N (e.g. 2/4)`);
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || k < 1 || k > n) throw usageError(`'${text}': K must be from 1 to N`);
  return { k, n };
}

/**
 * The ids of shard k of n among `total` sensors: a contiguous range [first, end). Shards are
 * disjoint and together cover 0..total-1 exactly, whatever the machine count.
 */
export function shardRange(total: number, s: Shard): { first: number; end: number } {
  return { first: Math.floor(((s.k - 1) * total) / s.n), end: Math.floor((s.k * total) / s.n) };
}
