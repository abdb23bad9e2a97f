// Merging what shards recorded over time and what this version of the merge does not know by name.
// Each shard's series counts from its own start, so point i of every shard is the same period of
// the run: counts add up, `connected` adds up, and the period's latencies come from its merged
// histogram (sim/series.ts reads a recorded point the same way).
import { Histogram } from "./histogram.ts";
import { periodLatencies, type SeriesPoint, type TimeSeries } from "./series.ts";
import type { FleetReport } from "./report-types.ts";

const SUMMED = ["published", "delivered", "bytesUp", "bytesDown", "connected", "errors", "reconnects", "queued"] as const;

/** Point by point: counts summed, tS the latest of the shards' (their clocks differ by a timer's lateness). */
export function mergeSeries(all: TimeSeries[]): TimeSeries {
  const periodS = all[0].periodS;
  if (all.some((s) => s.periodS !== periodS)) throw new Error(`shard series have different periods: ${all.map((s) => s.periodS).join(", ")} s`);
  const length = Math.max(...all.map((s) => s.points.length));
  const points: SeriesPoint[] = [];
  for (let i = 0; i < length; i++) {
    const at = all.flatMap((s) => (i < s.points.length ? [s.points[i]] : []));
    const h = new Histogram();
    for (const p of at) h.merge(Histogram.from(p.latencyBuckets ?? [], p.latencyMaxMs ?? 0));
    const sum = (k: (typeof SUMMED)[number]) => at.reduce((n, p) => n + (p[k] ?? 0), 0);
    points.push({
      tS: Math.max(...at.map((p) => p.tS)),
      published: sum("published"), delivered: sum("delivered"), bytesUp: sum("bytesUp"), bytesDown: sum("bytesDown"),
      ...periodLatencies(h), connected: sum("connected"), errors: sum("errors"), reconnects: sum("reconnects"),
      queued: sum("queued"),
    });
  }
  return { periodS, points };
}

/** The connections timeline, sample by sample as the series. */
export function mergeTimeline(all: FleetReport["connections"]["timeline"][]): FleetReport["connections"]["timeline"] {
  const length = Math.max(...all.map((t) => t.length));
  return Array.from({ length }, (_, i) => {
    const at = all.flatMap((t) => (i < t.length ? [t[i]] : []));
    return { tS: Math.max(...at.map((x) => x.tS)), connected: at.reduce((n, x) => n + x.connected, 0) };
  });
}

/** Names of amounts that add up across shards (seconds, bytes, counts); other differing numbers are averaged. */
const EXTENSIVE = /(S|Seconds|Ms|Bytes|Count|count|messages|published|delivered|lost)$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Digits after the point of the most precise of `xs` (so integers stay integers). */
const decimals = (xs: number[]) => Math.max(...xs.map((x) => (String(x).split(".")[1] ?? "").length));

/**
 * A field this merge does not know by name, from every shard that has it: equal values kept,
 * objects merged key by key, amounts (names ending in S, Ms, Bytes, count...) summed, other
 * numbers averaged over the shards weighted by their sensors, strings listed once each,
 * booleans true when any is, arrays concatenated.
 */
export function mergeUnknown(key: string, values: unknown[], weights: number[]): unknown {
  if (values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]))) return values[0];
  if (values.every(isObject)) {
    const keys = [...new Set(values.flatMap((v) => Object.keys(v)))];
    return Object.fromEntries(keys.map((k) => {
      const has = values.flatMap((v, i) => (k in v ? [i] : []));
      return [k, mergeUnknown(k, has.map((i) => values[i][k]), has.map((i) => weights[i]))];
    }));
  }
  if (values.every((v) => typeof v === "number")) {
    const xs = values as number[];
    if (EXTENSIVE.test(key)) return round(xs.reduce((a, b) => a + b, 0), decimals(xs));
    const w = weights.reduce((a, b) => a + b, 0);
    const mean = w > 0 ? xs.reduce((a, x, i) => a + x * weights[i], 0) / w : xs.reduce((a, b) => a + b, 0) / xs.length;
    return round(mean, decimals(xs));
  }
  if (values.every((v) => typeof v === "boolean")) return values.some(Boolean);
  if (values.every(Array.isArray)) return values.flat();
  return [...new Set(values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))))].join(", ");
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The simulator's speed: shards run side by side, so the wall time is the longest shard's; CPU adds up. */
export function mergeSpeed(values: Record<string, unknown>[], published: number): Record<string, unknown> {
  const num = (k: string) => values.map((v) => (typeof v[k] === "number" ? (v[k] as number) : 0));
  const simulatedS = Math.max(...num("simulatedS"));
  const wallS = Math.max(...num("wallS"));
  const cpuS = round(num("cpuS").reduce((a, b) => a + b, 0), 2);
  return {
    ...values[0], simulatedS, wallS, cpuS,
    compression: wallS > 0 ? round(simulatedS / wallS, 1) : 0,
    messagesPerCpuS: cpuS > 0 ? Math.round(published / cpuS) : 0,
  };
}
