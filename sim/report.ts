// The fleet report in three forms written from one object, so they cannot disagree:
// report.json (the data), report.md (tables), report.html (the same tables, self-contained, inline SVG).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FleetReport, LatencySummary } from "./report-types.ts";
import { markdown } from "./report-markdown.ts";
import { html } from "./report-html.ts";
import { Histogram } from "./histogram.ts";

export type { FleetReport, LatencySummary };
export { markdown, html };

const P50 = 0.5;
const P99 = 0.99;

/**
 * p50/p99 by nearest rank over the fine histogram (sim/histogram.ts: exact up to 1024 ms, at most
 * 1/128 high above, never above the max), the exact max, power-of-two chart buckets (the first
 * holds v <= 1, then upToMs/2 < v <= upToMs, up to the first bound at or above the max) and the
 * fine buckets themselves, which is what merged reports add up. Samples are whole milliseconds.
 */
export function latencySummary(samples: number[] | Histogram): LatencySummary {
  const h = samples instanceof Histogram ? samples : histogramOf(samples);
  if (h.count === 0) return { p50: 0, p99: 0, max: 0, histogram: [] };
  const fine = h.sparse();
  const histogram: { upToMs: number; count: number }[] = [];
  let i = 0;
  // A fine bucket's value lies in the same power-of-two bucket as every sample it holds.
  for (let upToMs = 1; ; upToMs *= 2) {
    let count = 0;
    for (; i < fine.length && fine[i][0] <= upToMs; i++) count += fine[i][1];
    histogram.push({ upToMs, count });
    if (upToMs >= h.max) break;
  }
  return { p50: h.percentile(P50), p99: h.percentile(P99), max: h.max, histogram, buckets: fine };
}

function histogramOf(samples: number[]): Histogram {
  const h = new Histogram();
  for (const v of samples) h.add(v);
  return h;
}

/** Writes report.json, report.md and report.html into dir (created if missing); returns report.json's absolute path. */
export function writeReports(dir: string, r: FleetReport): string {
  const d = resolve(dir);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "report.json"), JSON.stringify(r, null, 2) + "\n");
  writeFileSync(join(d, "report.md"), markdown(r));
  writeFileSync(join(d, "report.html"), html(r));
  return join(d, "report.json");
}
