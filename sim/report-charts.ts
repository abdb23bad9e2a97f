// Inline SVG charts for report.html: horizontal bars (one or more series), stacked bars and a step
// chart with axes. Plain SVG elements and attributes, no scripts or external references, so the
// report stays one self-contained file.
import { formatNumber } from "./report-tables.ts";

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export interface Series { name: string; color: string }

const WIDTH = 720;
const LABEL_WIDTH = 210;
const BAR_AREA_WIDTH = 400;
const BAR_HEIGHT = 14;
const BAR_GAP = 2;
const ROW_GAP = 8;
const TITLE_HEIGHT = 26;
const LEGEND_HEIGHT = 20;
const LEGEND_ITEM_WIDTH = 120;
const VALUE_GAP = 6;
const TEXT_BASELINE = 11;
const FONT = `font-family="sans-serif" font-size="12"`;

const svg = (height: number, title: string, body: string) =>
  `<svg width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}" ${FONT}>` +
  `<text x="0" y="16" font-weight="bold">${escapeHtml(title)}</text>${body}</svg>`;

const text = (x: number, y: number, s: string, extra = "") => `<text x="${x}" y="${y}"${extra}>${escapeHtml(s)}</text>`;

function legend(series: Series[], y: number): string {
  return series.map((s, i) => {
    const x = i * LEGEND_ITEM_WIDTH;
    return `<rect x="${x}" y="${y}" width="${BAR_HEIGHT}" height="${BAR_HEIGHT}" fill="${s.color}"/>${text(x + BAR_HEIGHT + 4, y + TEXT_BASELINE, s.name)}`;
  }).join("");
}

/** Bar widths proportional to the largest value; a value above zero stays visible. */
const scale = (max: number) => (v: number) => (v > 0 ? Math.max(1, Math.round((v / Math.max(1, max)) * BAR_AREA_WIDTH)) : 0);

/** Horizontal bars: one row per label, one bar per series in it, each with its value. */
export function bars(title: string, rows: { label: string; values: number[] }[], series: Series[]): string {
  const width = scale(Math.max(0, ...rows.flatMap((r) => r.values)));
  const top = TITLE_HEIGHT + (series.length > 1 ? LEGEND_HEIGHT : 0);
  const rowHeight = series.length * (BAR_HEIGHT + BAR_GAP) + ROW_GAP;
  const body = rows.map((r, i) => {
    const y = top + i * rowHeight;
    const barsOfRow = r.values.map((v, k) => {
      const by = y + k * (BAR_HEIGHT + BAR_GAP);
      return `<rect x="${LABEL_WIDTH}" y="${by}" width="${width(v)}" height="${BAR_HEIGHT}" fill="${series[k].color}"/>` +
        text(LABEL_WIDTH + width(v) + VALUE_GAP, by + TEXT_BASELINE, formatNumber(v));
    }).join("");
    return text(0, y + TEXT_BASELINE, r.label) + barsOfRow;
  }).join("");
  const legendRow = series.length > 1 ? legend(series, TITLE_HEIGHT - 2) : "";
  return svg(top + rows.length * rowHeight + ROW_GAP, title, legendRow + body);
}

/** Horizontal stacked bars: one bar per row made of parts, with the total at its end. */
export function stackedBars(title: string, rows: { label: string; parts: number[] }[], parts: Series[]): string {
  const totals = rows.map((r) => r.parts.reduce((a, b) => a + b, 0));
  const width = scale(Math.max(0, ...totals));
  const top = TITLE_HEIGHT + LEGEND_HEIGHT;
  const rowHeight = BAR_HEIGHT + ROW_GAP;
  const body = rows.map((r, i) => {
    const y = top + i * rowHeight;
    let x = LABEL_WIDTH;
    let sum = 0;
    const segments = r.parts.map((v, k) => {
      const from = LABEL_WIDTH + width(sum);
      sum += v;
      x = LABEL_WIDTH + width(sum);
      const title = `<title>${escapeHtml(`${parts[k].name}: ${v}`)}</title>`;
      return `<rect x="${from}" y="${y}" width="${x - from}" height="${BAR_HEIGHT}" fill="${parts[k].color}">${title}</rect>`;
    }).join("");
    return text(0, y + TEXT_BASELINE, r.label) + segments + text(x + VALUE_GAP, y + TEXT_BASELINE, formatNumber(totals[i]));
  }).join("");
  return svg(top + rows.length * rowHeight + ROW_GAP, title, legend(parts, TITLE_HEIGHT - 2) + body);
}

const PLOT_LEFT = 70;
const PLOT_TOP = 34;
const PLOT_WIDTH = 600;
const PLOT_HEIGHT = 200;
const AXIS_LABEL_SPACE = 44;
const X_TICKS = 6;
const TICK_LENGTH = 4;
const LINE_COLOR = "#2a6f97";
const AXIS_COLOR = "#444";

/** A step chart (the value holds until the next point) with labelled axes starting at 0. */
export function stepChart(title: string, points: { x: number; y: number }[], xLabel: string, yLabel: string): string {
  // reduce, not Math.max(...): a day's timeline has more points than a call may take arguments.
  const xMax = points.reduce((m, p) => Math.max(m, p.x), 1);
  const yMax = points.reduce((m, p) => Math.max(m, p.y), 1);
  const px = (x: number) => PLOT_LEFT + Math.round((x / xMax) * PLOT_WIDTH);
  const py = (y: number) => PLOT_TOP + PLOT_HEIGHT - Math.round((y / yMax) * PLOT_HEIGHT);
  const bottom = PLOT_TOP + PLOT_HEIGHT;
  const path = points.length === 0 ? "" : `<path d="M${px(points[0].x)},${py(points[0].y)}` +
    points.slice(1).map((p) => `H${px(p.x)}V${py(p.y)}`).join("") + `" fill="none" stroke="${LINE_COLOR}" stroke-width="2"/>`;
  const xTicks = Array.from({ length: X_TICKS }, (_, i) => Math.round((i * xMax) / (X_TICKS - 1))).map((x) =>
    `<line x1="${px(x)}" y1="${bottom}" x2="${px(x)}" y2="${bottom + TICK_LENGTH}" stroke="${AXIS_COLOR}"/>` +
    text(px(x), bottom + 18, formatNumber(x), ` text-anchor="middle"`)).join("");
  const yTicks = [0, Math.round(yMax / 2), yMax].map((y) =>
    `<line x1="${PLOT_LEFT - TICK_LENGTH}" y1="${py(y)}" x2="${PLOT_LEFT}" y2="${py(y)}" stroke="${AXIS_COLOR}"/>` +
    text(PLOT_LEFT - 8, py(y) + 4, formatNumber(y), ` text-anchor="end"`)).join("");
  const axes = `<path d="M${PLOT_LEFT},${PLOT_TOP}V${bottom}H${PLOT_LEFT + PLOT_WIDTH}" fill="none" stroke="${AXIS_COLOR}"/>` +
    text(PLOT_LEFT + PLOT_WIDTH / 2, bottom + 36, xLabel, ` text-anchor="middle"`) +
    text(14, PLOT_TOP + PLOT_HEIGHT / 2, yLabel, ` text-anchor="middle" transform="rotate(-90 14 ${PLOT_TOP + PLOT_HEIGHT / 2})"`);
  return svg(bottom + AXIS_LABEL_SPACE, title, axes + xTicks + yTicks + path);
}
