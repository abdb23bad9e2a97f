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

export interface HtmlCell { key?: string; text: string }
/** HTML tables by id: rows of cells (the header row included, as cells without keys). */
export function htmlTables(page: string): { id: string; rows: HtmlCell[][] }[] {
  return [...page.matchAll(/<table id="([^"]+)">([\s\S]*?)<\/table>/g)].map(([, id, body]) => ({
    id,
    rows: [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, tr]) =>
      [...tr.matchAll(/<t[dh]([^>]*)>([^<]*)<\/t[dh]>/g)].map(([, attrs, text]) => ({
        key: /data-key="([^"]*)"/.exec(attrs)?.[1],
        text: fromHtml(text),
      }))),
  }));
}

export const keyedCells = (page: string) => htmlTables(page).flatMap((t) => t.rows.flat()).filter((c): c is Required<HtmlCell> => c.key !== undefined);

export const parseAs = (text: string, like: unknown) => (typeof like === "number" ? fromMarkdownNumber(text) : text);
