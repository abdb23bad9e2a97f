// The fleet report in three forms written from one object, so they cannot disagree:
// report.json (the data), report.md (tables), report.html (the same tables, self-contained, inline SVG).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FleetReport, LatencySummary } from "./report-types.ts";
import { markdown } from "./report-markdown.ts";
import { html } from "./report-html.ts";
import { nearestRank } from "./percentiles.ts";

export type { FleetReport, LatencySummary };
export { markdown, html };

const P50 = 0.5;
const P99 = 0.99;

/**
 * p50/p99 (nearest rank: the smallest sample with at least that share of samples at or below it),
 * max, and power-of-two buckets (the first holds v <= 1, then upToMs/2 < v <= upToMs, up to the
 * first bound at or above the max). Sorts once and buckets in one pass.
 */
export function latencySummary(samples: number[]): LatencySummary {
  if (samples.length === 0) return { p50: 0, p99: 0, max: 0, histogram: [] };
  const s = Float64Array.from(samples).sort();
  const rank = (q: number) => nearestRank(s, q);
  const max = s[s.length - 1];
  const histogram: { upToMs: number; count: number }[] = [];
  let i = 0;
  for (let upToMs = 1; ; upToMs *= 2) {
    const from = i;
    while (i < s.length && s[i] <= upToMs) i++;
    histogram.push({ upToMs, count: i - from });
    if (upToMs >= max) break;
  }
  return { p50: rank(P50), p99: rank(P99), max, histogram };
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
