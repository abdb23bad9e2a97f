// Histograms of durations, one row per group on one shared logarithmic time axis: the report's
// power-of-two buckets are equal widths on it, so groups a thousand times apart read side by side.
// Bar heights are log-scaled counts, so a tail of a few samples (what p99 is made of) stays
// visible next to a bucket of thousands; p50 and p99 are marked on each row.
import { AXIS_COLOR, MUTED_COLOR, legend, line, rect, svg, text } from "./svg.ts";
import { humanMs } from "../human-units.ts";

export interface HistogramRow {
  label: string;
  /** Power-of-two buckets: the first holds v <= 1, then upToMs/2 < v <= upToMs. */
  histogram: { upToMs: number; count: number }[];
  p50: number;
  p99: number;
}

const LABEL_RIGHT = 132;
const LABEL_CHARS_MAX = 18;
const PLOT_LEFT = 150;
const PLOT_WIDTH = 600;
const PERCENTILES_LEFT = PLOT_LEFT + PLOT_WIDTH + 16;
const NOTE_INDENT_PX = 6;
/** A row's text sits this far below the middle of its bars, so its middle meets theirs. */
const TEXT_CENTRE_SHIFT = 4;
/** Space under a row's baseline, before the next row's tallest bar. */
const ROW_FOOT_PX = 4;
/** p50 and p99 markers stand this far above the tallest bar. */
const MARKER_OVERHANG_PX = 2;
const LEGEND_TOP = 30;
const ROWS_TOP = 56;
const ROW_HEIGHT = 46;
const BAR_MAX_PX = 36;
const BAR_MIN_PX = 2;
const BAR_GAP_PX = 1;
const AXIS_SPACE = 30;
const LABEL_BASELINE = 18;
const TICK_PX = 4;
/** Bucket labels on the axis at least this far apart. */
const AXIS_LABEL_SPACING_PX = 56;
const BAR_COLOR = "#4a7fb0";
const P50_COLOR = "#1d3557";
const P99_COLOR = "#c1121f";
const MARKER_WIDTH = 2;

/** Where a duration lies in bucket widths: bucket k (k >= 1) spans (2^(k-1), 2^k] and sits between k and k + 1. */
const bucketPosition = (ms: number) => (ms <= 1 ? Math.max(0, ms) : Math.log2(ms) + 1);

const shortLabel = (s: string) => (s.length > LABEL_CHARS_MAX ? `${s.slice(0, LABEL_CHARS_MAX - 1)}…` : s);

export function logHistograms(title: string, rows: HistogramRow[], unitName: string): string {
  const buckets = Math.max(1, ...rows.map((r) => r.histogram.length));
  const width = PLOT_WIDTH / buckets;
  const px = (pos: number) => PLOT_LEFT + Math.round(Math.min(pos, buckets) * width);
  const bottom = ROWS_TOP + rows.length * ROW_HEIGHT;
  const body = rows.map((r, i) => {
    const base = ROWS_TOP + (i + 1) * ROW_HEIGHT - ROW_FOOT_PX;
    const middle = base - BAR_MAX_PX / 2 + TEXT_CENTRE_SHIFT;
    const most = r.histogram.reduce((m, b) => Math.max(m, b.count), 0);
    const label = text(LABEL_RIGHT, middle, shortLabel(r.label), ` text-anchor="end"`);
    if (most === 0) return label + text(PLOT_LEFT + NOTE_INDENT_PX, middle, `no ${unitName}`, ` fill="${MUTED_COLOR}"`);
    const bars = r.histogram.map((b, k) => {
      if (b.count === 0) return "";
      const h = Math.max(BAR_MIN_PX, Math.round((BAR_MAX_PX * Math.log10(1 + b.count)) / Math.log10(1 + most)));
      const from = k === 0 ? "0" : humanMs(b.upToMs / 2);
      return rect(px(k) + BAR_GAP_PX, base - h, Math.max(1, px(k + 1) - px(k) - 2 * BAR_GAP_PX), h, BAR_COLOR,
        `${r.label}: ${b.count} ${unitName} above ${from}, up to ${humanMs(b.upToMs)}`);
    }).join("");
    const marker = (ms: number, color: string, dash: string) =>
      line(px(bucketPosition(ms)), base - BAR_MAX_PX - MARKER_OVERHANG_PX, px(bucketPosition(ms)), base, color, ` stroke-width="${MARKER_WIDTH}"${dash}`);
    const percentiles = text(PERCENTILES_LEFT, middle, `p50 ${humanMs(r.p50)} · p99 ${humanMs(r.p99)}`);
    return label + bars + line(PLOT_LEFT, base, PLOT_LEFT + PLOT_WIDTH, base, AXIS_COLOR) +
      marker(r.p50, P50_COLOR, "") + marker(r.p99, P99_COLOR, ` stroke-dasharray="4 2"`) + percentiles;
  }).join("");
  const every = Math.max(1, Math.ceil(AXIS_LABEL_SPACING_PX / width));
  const ticks = Array.from({ length: buckets }, (_, k) => k).filter((k) => (buckets - 1 - k) % every === 0).map((k) =>
    line(px(k + 1), bottom, px(k + 1), bottom + TICK_PX, AXIS_COLOR) +
    text(px(k + 1), bottom + LABEL_BASELINE, humanMs(2 ** k), ` text-anchor="middle"`)).join("");
  const key = legend([
    { name: `${unitName} per bucket (height: log scale)`, color: BAR_COLOR },
    { name: "p50", color: P50_COLOR },
    { name: "p99", color: P99_COLOR, dashed: true },
  ], PLOT_LEFT, LEGEND_TOP);
  return svg(bottom + AXIS_SPACE, title, key + body + ticks);
}
