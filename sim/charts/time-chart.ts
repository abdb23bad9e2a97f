// A chart over the run's time: one or more lines on a linear or logarithmic value axis, with
// shaded windows (a group's link outages) behind them, so a dip or a spike can be read against
// what the fleet's links were doing at the time.
import { AXIS_COLOR, CHART_WIDTH, GRID_COLOR, MUTED_COLOR, legend, logTicks, line, niceTicks, rect, svg, text, type Series } from "./svg.ts";
import { humanMs } from "../human-units.ts";

export interface TimeLine extends Series {
  /** One value per x; undefined leaves a gap (a period with nothing to measure). */
  values: (number | undefined)[];
}

export interface Shade { fromS: number; toS: number; label: string }

export interface TimeChart {
  title: string;
  /** Seconds since the fleet started, ascending. */
  xs: number[];
  /** The x axis runs from 0 to at least this (the run and its drain). */
  xMaxS: number;
  lines: TimeLine[];
  /** log: powers of ten from logFloor; values below it are drawn at it. */
  scale: "linear" | "log";
  logFloor?: number;
  /** A tick label: the value in its unit ("12 msg/s", "3.4 kB/s", "250 ms"). */
  format: (v: number) => string;
  shaded: Shade[];
}

const PLOT_LEFT = 92;
const PLOT_RIGHT_MARGIN = 24;
const PLOT_WIDTH = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT_MARGIN;
const LEGEND_TOP = 30;
const PLOT_TOP = 54;
const PLOT_HEIGHT = 170;
const X_LABELS_SPACE = 30;
const X_LABEL_BASELINE = 18;
const Y_LABEL_GAP = 8;
const Y_LABEL_SHIFT = 4;
const Y_LABEL_SPACING_PX = 18;
const TICK_PX = 4;
const Y_TICKS = 4;
const X_TICKS = 8;
const LINE_WIDTH = 2;
const SHADE_COLOR = "#f6c9c9";
const MS_PER_S = 1000;
/** Tick steps of a time axis: whole seconds, minutes, hours, days. */
const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

function timeTicks(maxS: number): number[] {
  const raw = maxS / X_TICKS;
  const step = TIME_STEPS_S.find((s) => s >= raw) ?? Math.ceil(raw / TIME_STEPS_S[TIME_STEPS_S.length - 1]) * TIME_STEPS_S[TIME_STEPS_S.length - 1];
  const ticks: number[] = [];
  for (let t = 0; t <= maxS; t += step) ticks.push(t);
  return ticks;
}

/** Windows closer than a pixel drawn as one, so a day of periodic outages stays a few hundred shapes. */
function mergedShades(shaded: Shade[], px: (s: number) => number): { x0: number; x1: number; label: string }[] {
  const sorted = [...shaded].sort((a, b) => a.fromS - b.fromS);
  const out: { x0: number; x1: number; labels: Set<string> }[] = [];
  for (const s of sorted) {
    const x0 = px(s.fromS);
    const x1 = Math.max(px(s.toS), x0 + 1);
    const last = out[out.length - 1];
    if (last && x0 <= last.x1 + 1) {
      last.x1 = Math.max(last.x1, x1);
      last.labels.add(s.label);
    } else out.push({ x0, x1, labels: new Set([s.label]) });
  }
  return out.map((m) => ({ x0: m.x0, x1: m.x1, label: [...m.labels].join(", ") }));
}

/** A path through the defined values; a gap starts a new subpath, a lone point is a short dash. */
function pathOf(xs: number[], values: (number | undefined)[], px: (s: number) => number, py: (v: number) => number): string {
  const parts: string[] = [];
  let run = 0;
  values.forEach((v, i) => {
    if (v === undefined) {
      if (run === 1) parts.push("h1");
      run = 0;
      return;
    }
    parts.push(`${run === 0 ? "M" : "L"}${px(xs[i])},${py(v)}`);
    run++;
  });
  if (run === 1) parts.push("h1");
  return parts.join("");
}

/** Grid lines at every tick; labels from the top down, each far enough below the last one drawn (a log axis's top can sit close to a decade). */
function yAxis(ticks: number[], py: (v: number) => number, format: (v: number) => string): string {
  let lastLabelY = -Infinity;
  return [...ticks].reverse().map((v) => {
    const grid = line(PLOT_LEFT, py(v), PLOT_LEFT + PLOT_WIDTH, py(v), GRID_COLOR);
    if (py(v) - lastLabelY < Y_LABEL_SPACING_PX) return grid;
    lastLabelY = py(v);
    return grid + text(PLOT_LEFT - Y_LABEL_GAP, py(v) + Y_LABEL_SHIFT, format(v), ` text-anchor="end"`);
  }).join("");
}

export function timeChart(c: TimeChart): string {
  const xMax = Math.max(c.xMaxS, c.xs[c.xs.length - 1] ?? 0, 1);
  const defined = c.lines.flatMap((l) => l.values.filter((v): v is number => v !== undefined));
  const vMax = defined.reduce((m, v) => Math.max(m, v), 0);
  const floor = c.logFloor ?? 1;
  const yTicks = c.scale === "log" ? logTicks(floor, vMax) : niceTicks(vMax, Y_TICKS);
  const yTop = yTicks[yTicks.length - 1];
  const bottom = PLOT_TOP + PLOT_HEIGHT;
  const px = (s: number) => PLOT_LEFT + Math.round((s / xMax) * PLOT_WIDTH);
  const share = c.scale === "log"
    ? (v: number) => Math.log10(Math.max(v, floor) / floor) / Math.log10(yTop / floor)
    : (v: number) => v / yTop;
  const py = (v: number) => bottom - Math.round(share(v) * PLOT_HEIGHT);
  const shades = mergedShades(c.shaded, px).map((m) => rect(m.x0, PLOT_TOP, m.x1 - m.x0, PLOT_HEIGHT, SHADE_COLOR, `outage: ${m.label}`)).join("");
  const grid = yAxis(yTicks, py, c.scale === "log" ? (v) => (v === floor ? `≤ ${c.format(v)}` : c.format(v)) : c.format);
  const xTicks = timeTicks(xMax).map((t) => line(px(t), bottom, px(t), bottom + TICK_PX, AXIS_COLOR) +
    text(px(t), bottom + X_LABEL_BASELINE, t === 0 ? "0 s" : humanMs(t * MS_PER_S), ` text-anchor="middle"`)).join("");
  const axes = `<path d="M${PLOT_LEFT},${PLOT_TOP}V${bottom}H${PLOT_LEFT + PLOT_WIDTH}" fill="none" stroke="${AXIS_COLOR}"/>`;
  const lines = c.lines.map((l) => `<path d="${pathOf(c.xs, l.values, px, py)}" fill="none" stroke="${l.color}" stroke-width="${LINE_WIDTH}" ` +
    `stroke-linejoin="round" stroke-linecap="round"${l.dashed ? ` stroke-dasharray="6 3"` : ""}/>`).join("");
  const key = legend([...c.lines, ...(c.shaded.length > 0 ? [{ name: "link outage", color: SHADE_COLOR }] : [])], PLOT_LEFT, LEGEND_TOP);
  const empty = c.xs.length > 0 ? ""
    : text(PLOT_LEFT + PLOT_WIDTH / 2, PLOT_TOP + PLOT_HEIGHT / 2, "no periods recorded", ` text-anchor="middle" fill="${MUTED_COLOR}"`);
  return svg(bottom + X_LABELS_SPACE, c.title, key + shades + grid + axes + xTicks + lines + empty);
}
