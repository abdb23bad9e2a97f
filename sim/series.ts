// The fleet over time: every period, what was published and delivered, the bytes each way, the
// latencies of the deliveries in it (p50/p99), sensors connected, errors and reconnects. The
// report's time-series charts are drawn from these points; a long run gets a longer period so a
// day of a fleet stays a few hundred points. Each point keeps its period's latency histogram, so
// the points of shard reports add up (sim/merge-series.ts) to what one process would have recorded.
import { Histogram, type SparseHistogram } from "./histogram.ts";

/** At most this many points per run (the period grows in whole seconds to fit). */
export const SERIES_POINTS_MAX = 600;
const MS_PER_S = 1000;
const P50 = 0.5;
const P99 = 0.99;

/** One period, ending at tS: counts are within the period, `connected` at its end. */
export interface SeriesPoint {
  tS: number;
  published: number;
  delivered: number;
  bytesUp: number;
  bytesDown: number;
  /** Of the deliveries in this period (0 when none), by nearest rank over latencyBuckets (exact up to 1024 ms, at most 1/128 high above). */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** The period's slowest delivery (0 when none). */
  latencyMaxMs: number;
  /** The period's latencies in their fine buckets (sim/histogram.ts). */
  latencyBuckets: SparseHistogram;
  connected: number;
  errors: number;
  reconnects: number;
  /** QoS 1/2 messages the sensors held at the period's end (accepted, not yet acknowledged): the fleet's queue. */
  queued: number;
}

export interface TimeSeries {
  periodS: number;
  points: SeriesPoint[];
}

/** Running totals of the fleet, read once per period; `latencies` are the deliveries since the last read. */
export interface FleetTotals {
  published: number;
  delivered: number;
  bytesUp: number;
  bytesDown: number;
  connected: number;
  errors: number;
  reconnects: number;
  /** QoS 1/2 messages the sensors hold now. */
  queued: number;
  latencies: Histogram;
}

/** The sampling period for a run that lasts about `runS` seconds. */
export function seriesPeriodMs(runS: number): number {
  return Math.max(1, Math.ceil(runS / SERIES_POINTS_MAX)) * MS_PER_S;
}

/** A period's latency figures from its histogram (the same for a point recorded and a point merged). */
export function periodLatencies(h: Histogram): Pick<SeriesPoint, "latencyP50Ms" | "latencyP99Ms" | "latencyMaxMs" | "latencyBuckets"> {
  return { latencyP50Ms: h.percentile(P50), latencyP99Ms: h.percentile(P99), latencyMaxMs: h.max, latencyBuckets: h.sparse() };
}

export class SeriesRecorder {
  readonly points: SeriesPoint[] = [];
  private last: FleetTotals | undefined;

  constructor(readonly periodMs: number) {}

  /** Records the period that ends now (`tMs` after the fleet start). */
  record(tMs: number, now: FleetTotals): SeriesPoint {
    const was = this.last;
    const delta = (k: "published" | "delivered" | "bytesUp" | "bytesDown" | "errors" | "reconnects") => now[k] - (was?.[k] ?? 0);
    const point: SeriesPoint = {
      tS: Math.round(tMs / 100) / 10,
      published: delta("published"), delivered: delta("delivered"), bytesUp: delta("bytesUp"), bytesDown: delta("bytesDown"),
      ...periodLatencies(now.latencies), connected: now.connected, errors: delta("errors"), reconnects: delta("reconnects"),
      queued: now.queued,
    };
    this.last = now;
    this.points.push(point);
    return point;
  }

  series(): TimeSeries {
    return { periodS: this.periodMs / MS_PER_S, points: this.points };
  }
}
