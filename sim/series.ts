// The fleet over time: every period, what was published and delivered, the bytes each way, the
// latencies of the deliveries in it (p50/p99), sensors connected, errors and reconnects. The
// report's time-series charts are drawn from these points; a long run gets a longer period so a
// day of a fleet stays a few hundred points.
import { p50p99 } from "./percentiles.ts";

/** At most this many points per run (the period grows in whole seconds to fit). */
export const SERIES_POINTS_MAX = 600;
const MS_PER_S = 1000;

/** One period, ending at tS: counts are within the period, `connected` at its end. */
export interface SeriesPoint {
  tS: number;
  published: number;
  delivered: number;
  bytesUp: number;
  bytesDown: number;
  /** Of the deliveries in this period (0 when none). */
  latencyP50Ms: number;
  latencyP99Ms: number;
  connected: number;
  errors: number;
  reconnects: number;
}

export interface TimeSeries {
  periodS: number;
  points: SeriesPoint[];
}

/** Running totals of the fleet, read once per period; `latencies` are the samples since the last read. */
export interface FleetTotals {
  published: number;
  delivered: number;
  bytesUp: number;
  bytesDown: number;
  connected: number;
  errors: number;
  reconnects: number;
  latencies: number[];
}

/** The sampling period for a run that lasts about `runS` seconds. */
export function seriesPeriodMs(runS: number): number {
  return Math.max(1, Math.ceil(runS / SERIES_POINTS_MAX)) * MS_PER_S;
}

export class SeriesRecorder {
  readonly points: SeriesPoint[] = [];
  private last: FleetTotals | undefined;

  constructor(readonly periodMs: number) {}

  /** Records the period that ends now (`tMs` after the fleet start). */
  record(tMs: number, now: FleetTotals): SeriesPoint {
    const was = this.last;
    const delta = (k: "published" | "delivered" | "bytesUp" | "bytesDown" | "errors" | "reconnects") => now[k] - (was?.[k] ?? 0);
    const { p50, p99 } = p50p99(now.latencies);
    const point: SeriesPoint = {
      tS: Math.round(tMs / 100) / 10,
      published: delta("published"), delivered: delta("delivered"), bytesUp: delta("bytesUp"), bytesDown: delta("bytesDown"),
      latencyP50Ms: p50, latencyP99Ms: p99, connected: now.connected, errors: delta("errors"), reconnects: delta("reconnects"),
    };
    this.last = now;
    this.points.push(point);
    return point;
  }

  series(): TimeSeries {
    return { periodS: this.periodMs / MS_PER_S, points: this.points };
  }
}
