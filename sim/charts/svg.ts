// SVG building blocks for report.html's charts: plain elements and attributes, no scripts and no
// external references, so the report stays one self-contained file. Sizes are CSS pixels: the
// charts are drawn at their own size (never scaled down), so FONT_PX is the size a reader sees.
export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Chart text; the page's body text is larger (report-html.ts). */
export const FONT_PX = 13;
const TITLE_FONT_PX = 15;
export const CHART_WIDTH = 960;
export const TITLE_BASELINE = 18;
export const AXIS_COLOR = "#555";
export const GRID_COLOR = "#e4e4e4";
export const MUTED_COLOR = "#666";

export interface Series { name: string; color: string; dashed?: boolean }

/** A whole chart: its title as the first line, `role="img"` with the title as its label. */
export const svg = (height: number, title: string, body: string) =>
  `<svg class="chart" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" role="img" ` +
  `aria-label="${escapeHtml(title)}" font-family="sans-serif" font-size="${FONT_PX}">` +
  `<text x="0" y="${TITLE_BASELINE}" font-weight="bold" font-size="${TITLE_FONT_PX}">${escapeHtml(title)}</text>${body}</svg>`;

export const text = (x: number, y: number, s: string, extra = "") => `<text x="${x}" y="${y}"${extra}>${escapeHtml(s)}</text>`;

export const line = (x1: number, y1: number, x2: number, y2: number, color: string, extra = "") =>
  `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${color}"${extra}/>`;

export const rect = (x: number, y: number, w: number, h: number, fill: string, tooltip?: string) =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}"` + (tooltip ? `><title>${escapeHtml(tooltip)}</title></rect>` : "/>");

const SWATCH_PX = 12;
const SWATCH_GAP_PX = 5;
const LEGEND_GAP_PX = 18;
/** An estimate of a label's width for laying out legends (sans-serif digits and letters average about 0.52 em). */
const CHAR_WIDTH_EM = 0.52;
const textWidth = (s: string) => Math.ceil(s.length * FONT_PX * CHAR_WIDTH_EM);

/** A legend row: a swatch and a name per series, left to right from x. */
export function legend(series: Series[], x: number, y: number): string {
  let at = x;
  return series.map((s) => {
    const swatch = s.dashed
      ? line(at, y + SWATCH_PX / 2, at + SWATCH_PX, y + SWATCH_PX / 2, s.color, ` stroke-width="2" stroke-dasharray="4 2"`)
      : rect(at, y, SWATCH_PX, SWATCH_PX, s.color);
    const item = swatch + text(at + SWATCH_PX + SWATCH_GAP_PX, y + SWATCH_PX - 1, s.name);
    at += SWATCH_PX + SWATCH_GAP_PX + textWidth(s.name) + LEGEND_GAP_PX;
    return item;
  }).join("");
}

const NICE_STEPS = [1, 2, 2.5, 5, 10];
/** The top of a log axis: this many times the last power of ten below the max. */
const LOG_TOP_STEPS = [2, 5, 10];

/** Round tick values from 0 to at least max, about `count` of them (1, 2, 2.5 or 5 times a power of ten apart). */
export function niceTicks(max: number, count: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = NICE_STEPS.map((s) => s * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Powers of ten from `from` (at least two) while below max, then 2, 5 or 10 times the last, whichever first reaches max (12 s: ..., 10 s, 20 s). */
export function logTicks(from: number, max: number): number[] {
  const ticks = [from];
  while (ticks.length < 2 || ticks[ticks.length - 1] * 10 < max) ticks.push(ticks[ticks.length - 1] * 10);
  const last = ticks[ticks.length - 1];
  if (last < max) ticks.push(LOG_TOP_STEPS.map((s) => s * last).find((v) => v >= max)!);
  return ticks;
}
