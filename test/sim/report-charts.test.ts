// The chart builders of report.html on their own: round tick values, a log axis that never
// divides by zero, gaps and lone points in a line, a day of outage windows drawn as a bounded
// number of shapes, and a histogram row for a group with nothing to show.
import { describe, expect, it } from "vitest";
import { logHistograms } from "../../sim/charts/log-histograms.ts";
import { logTicks, niceTicks } from "../../sim/charts/svg.ts";
import { timeChart, type TimeChart } from "../../sim/charts/time-chart.ts";

const DAY_S = 86_400;
const PLOT_WIDTH_PX = 960;

const chart = (over: Partial<TimeChart>): string => timeChart({
  title: "t", xs: [1, 2, 3], xMaxS: 3, lines: [{ name: "a", color: "#000", values: [1, 2, 3] }], scale: "linear", format: String, shaded: [], ...over,
});
const paths = (svg: string) => [...svg.matchAll(/<path d="([^"]*)" fill="none" stroke="#000"/g)].map((m) => m[1]);

describe("niceTicks", () => {
  it("counts from 0 past the max in steps of 1, 2, 2.5 or 5 times a power of ten", () => {
    expect(niceTicks(835, 4)).toEqual([0, 250, 500, 750, 1000]);
    expect(niceTicks(3, 4)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0.4, 4)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
  });

  it("is 0 and 1 when there is nothing to show", () => {
    expect(niceTicks(0, 4)).toEqual([0, 1]);
  });
});

describe("logTicks", () => {
  it("is powers of ten, topped by 2, 5 or 10 times the last below the max", () => {
    expect(logTicks(1, 12_000)).toEqual([1, 10, 100, 1000, 10_000, 20_000]);
    expect(logTicks(1, 450)).toEqual([1, 10, 100, 500]);
    expect(logTicks(1, 100)).toEqual([1, 10, 100]);
  });

  it("has two ticks at least, so an axis of zeros still has a height", () => {
    expect(logTicks(1, 0)).toEqual([1, 10]);
  });
});

describe("timeChart", () => {
  it("draws a log axis of all zeros without a NaN", () => {
    expect(chart({ scale: "log", lines: [{ name: "a", color: "#000", values: [0, 0, 0] }] })).not.toContain("NaN");
  });

  it("starts a new subpath after a gap and draws a lone point as a short dash", () => {
    expect(paths(chart({ lines: [{ name: "a", color: "#000", values: [1, undefined, 3] }] }))[0]).toMatch(/^M[\d,]+h1M[\d,]+h1$/);
    expect(paths(chart({}))[0].match(/M/g)).toHaveLength(1);
  });

  it("draws a day of outage windows every 30 s as at most one shape per pixel", () => {
    const shaded = Array.from({ length: DAY_S / 30 }, (_, i) => ({ fromS: i * 30 + 10, toS: i * 30 + 20, label: "field" }));
    const svg = chart({ xs: [DAY_S], xMaxS: DAY_S, lines: [{ name: "a", color: "#000", values: [1] }], shaded });
    const shades = svg.match(/<title>outage: field<\/title>/g)!.length;
    expect(shades).toBeGreaterThan(0);
    expect(shades).toBeLessThanOrEqual(PLOT_WIDTH_PX);
  });

  it("says so when no period was recorded", () => {
    expect(chart({ xs: [], lines: [{ name: "a", color: "#000", values: [] }] })).toContain("no periods recorded");
  });
});

describe("logHistograms", () => {
  it("shows a row without samples as 'no <unit>' and marks p50 and p99 on the others", () => {
    const svg = logHistograms("h", [
      { label: "quiet", histogram: [{ upToMs: 1, count: 0 }], p50: 0, p99: 0 },
      { label: "busy", histogram: [{ upToMs: 1, count: 5 }, { upToMs: 2, count: 0 }, { upToMs: 4, count: 1 }], p50: 1, p99: 4 },
    ], "deliveries");
    expect(svg).toContain(">no deliveries</text>");
    expect(svg).toContain(">p50 1 ms · p99 4 ms</text>");
    expect(svg.match(/<rect [^>]*><title>busy: /g)).toHaveLength(2);
  });
});
