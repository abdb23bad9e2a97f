// report.html's charts, by the id a report section names them with (report-sections.ts). Each adds
// what a table cannot show: the fleet over time with its outage windows, and the shape of the
// latency and connect-time distributions. The exact numbers stay in the tables.
import type { FleetReport } from "./report-types.ts";
import type { SeriesPoint } from "./series.ts";
import { logHistograms } from "./charts/log-histograms.ts";
import { timeChart, type TimeLine } from "./charts/time-chart.ts";
import { humanBytes, humanMs } from "./human-units.ts";
import { formatNumber } from "./report-cells.ts";

const PUBLISHED = "#2a6f97";
const DELIVERED = "#e07a1f";
const UP = "#2a9d8f";
const DOWN = "#8e5ea2";
const P50 = "#1d3557";
const P99 = "#c1121f";
const CONNECTED = "#2a6f97";
const ERRORS = "#c1121f";
const RECONNECTS = "#e07a1f";
/** The latency chart's floor: sub-millisecond deliveries are drawn at 1 ms. */
const LATENCY_FLOOR_MS = 1;
const RATE_DECIMALS = 1;
const MS_PER_S = 1000;

/** A rate with at most one decimal: 0.5, 12, 1,234. */
const rate = (v: number) => formatNumber(Number(v.toFixed(RATE_DECIMALS)));

function overTime(r: FleetReport, title: string, lines: TimeLine[], scale: "linear" | "log", format: (v: number) => string): string {
  return timeChart({
    title, xs: r.series.points.map((p) => p.tS), xMaxS: r.durationS + r.drainedS, lines, scale, logFloor: LATENCY_FLOOR_MS, format,
    shaded: r.outages.map((o) => ({ fromS: o.fromS, toS: o.toS, label: o.group })),
  });
}

/** Per second: a period's count over its length. */
const perSecond = (r: FleetReport, f: (p: SeriesPoint) => number) => r.series.points.map((p) => f(p) / r.series.periodS);
/** A period's latency, or a gap when nothing was delivered in it. */
const latencyOf = (r: FleetReport, f: (p: SeriesPoint) => number) => r.series.points.map((p) => (p.delivered > 0 ? f(p) : undefined));
const period = (r: FleetReport) => humanMs(r.series.periodS * MS_PER_S);

export const CHARTS: Record<string, (r: FleetReport) => string> = {
  "message-rate": (r) => overTime(r, "Messages per second", [
    { name: "published", color: PUBLISHED, values: perSecond(r, (p) => p.published) },
    { name: "delivered", color: DELIVERED, values: perSecond(r, (p) => p.delivered), dashed: true },
  ], "linear", (v) => `${rate(v)}/s`),
  "byte-rate": (r) => overTime(r, "MQTT bytes per second, all sensors", [
    { name: "up (device to broker)", color: UP, values: perSecond(r, (p) => p.bytesUp) },
    { name: "down (broker to device)", color: DOWN, values: perSecond(r, (p) => p.bytesDown) },
  ], "linear", (v) => `${humanBytes(v)}/s`),
  "latency-over-time": (r) => overTime(r, "Latency of the period's deliveries (log scale)", [
    { name: "p50", color: P50, values: latencyOf(r, (p) => p.latencyP50Ms) },
    { name: "p99", color: P99, values: latencyOf(r, (p) => p.latencyP99Ms), dashed: true },
  ], "log", humanMs),
  connected: (r) => overTime(r, "Sensors connected", [
    { name: "connected", color: CONNECTED, values: r.series.points.map((p) => p.connected) },
  ], "linear", formatNumber),
  "errors-over-time": (r) => overTime(r, `Errors and reconnects per ${period(r)}`, [
    { name: "errors", color: ERRORS, values: r.series.points.map((p) => p.errors) },
    { name: "reconnects", color: RECONNECTS, values: r.series.points.map((p) => p.reconnects), dashed: true },
  ], "linear", formatNumber),
  "latency-histograms": (r) => logHistograms("Latency distribution per group (log time axis)", [
    { label: "all", histogram: r.latencyMs.histogram, p50: r.latencyMs.p50, p99: r.latencyMs.p99 },
    ...r.groups.map((g) => ({ label: g.name, histogram: g.latencyMs.histogram, p50: g.latencyMs.p50, p99: g.latencyMs.p99 })),
  ], "deliveries"),
  "connect-histograms": (r) => logHistograms("CONNECT to CONNACK per group (log time axis)",
    r.groups.map((g) => ({ label: g.name, histogram: g.connectMs.histogram, p50: g.connectMs.p50, p99: g.connectMs.p99 })), "connections"),
};
