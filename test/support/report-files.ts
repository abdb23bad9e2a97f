// Reads the fleet report's files back for tests: report.md's tables, report.html's keyed cells,
// and the leaves of report.json, so a test can check the three agree without the renderer's help.
import type { FleetReport } from "../../sim/report-types.ts";

export type Leaf = [path: string, value: number | string];

export function leaves(v: unknown, path = ""): Leaf[] {
  if (typeof v === "number" || typeof v === "string") return [[path, v]];
  return Object.entries(v as object).flatMap(([k, x]) => leaves(x, path ? `${path}.${k}` : k));
}

export function valueAt(r: FleetReport, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], r);
}

export const matches = (pattern: string, path: string) => new RegExp(`^${pattern.replace(/\./g, "\\.").replace(/\*/g, "[^.]+")}$`).test(path);

export const fromMarkdownNumber = (s: string) => Number(s.replace(/,/g, ""));
export const fromHtml = (s: string) =>
  s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[e]!);

/** Markdown tables: header cells and body rows, cells unescaped (`\|` is a pipe, `\\` a backslash). */
export function markdownTables(md: string): { head: string[]; rows: string[][] }[] {
  const split = (line: string) => {
    const cells: string[] = [];
    let cell = "";
    for (let i = 1; i < line.length; i++) {
      if (line[i] === "\\") cell += line[++i];
      else if (line[i] === "|") cells.push(cell.trim()), (cell = "");
      else cell += line[i];
    }
    return cells;
  };
  const blocks = md.split(/\n(?!\|)/).map((b) => b.split("\n").filter((l) => l.startsWith("|"))).filter((b) => b.length > 0);
  return blocks.map((lines) => ({ head: split(lines[0]), rows: lines.slice(2).map(split) }));
}

export interface HtmlCell {
  key?: string;
  text: string;
  /** data-value: the exact number of a cell shown in human units ("5.97 MB" holds 5970000). */
  value?: string;
}
/** HTML tables by id: rows of cells (the header row included, as cells without keys). */
export function htmlTables(page: string): { id: string; rows: HtmlCell[][] }[] {
  return [...page.matchAll(/<table id="([^"]+)">([\s\S]*?)<\/table>/g)].map(([, id, body]) => ({
    id,
    rows: [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, tr]) =>
      [...tr.matchAll(/<t[dh]([^>]*)>([^<]*)<\/t[dh]>/g)].map(([, attrs, text]) => ({
        key: /data-key="([^"]*)"/.exec(attrs)?.[1],
        text: fromHtml(text),
        value: /data-value="([^"]*)"/.exec(attrs)?.[1],
      }))),
  }));
}

export const keyedCells = (page: string) => htmlTables(page).flatMap((t) => t.rows.flat()).filter((c): c is Required<HtmlCell> => c.key !== undefined);

export const parseAs = (text: string, like: unknown) => (typeof like === "number" ? fromMarkdownNumber(text) : text);

const SCALE: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, ms: 1, s: 1e3, min: 60e3, h: 3600e3, "%": 1 };

/** A number in human units back to bytes or milliseconds: "5.97 MB" is 5970000, "4 min 10 s" 250000, "14%" 14; NaN when it is not one. */
export function fromHuman(text: string): number {
  const parts = [...text.matchAll(/(-?[\d.]+) ?(B|kB|MB|GB|TB|ms|s|min|h|%)(?= |$)/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join(" ") !== text) return NaN;
  return parts.reduce((sum, m) => sum + Number(m[1]) * SCALE[m[2]], 0);
}

/** Human units keep three significant digits or whole units of the next step down: within 5% (or half a unit). */
const HUMAN_TOLERANCE = 0.05;

/** Why an HTML cell does not show `want` (undefined: it does); a human-unit cell holds it exactly in data-value and roughly in its text. */
export function cellProblem(c: HtmlCell, want: unknown): string | undefined {
  if (c.value === undefined) return parseAs(c.text, want) === want ? undefined : `shows ${c.text}, the report has ${String(want)}`;
  if (Number(c.value) !== want) return `data-value ${c.value}, the report has ${String(want)}`;
  const shown = fromHuman(c.text);
  // A seconds cell (a key ending in S) shows its value * 1000 as milliseconds.
  const exact = c.key?.endsWith("S") ? Number(want) * 1000 : Number(want);
  return Math.abs(shown - exact) <= Math.max(0.5, HUMAN_TOLERANCE * Math.abs(exact)) ? undefined : `shows ${c.text} for ${String(want)}`;
}
