// report.md: the report's tables as GitHub-flavoured Markdown.
import type { FleetReport } from "./report-types.ts";
import { cellText, isNumeric, reportTables, summary, type Cell, type Table } from "./report-tables.ts";

/** A table cell: a backslash and a pipe would end or break the cell, a newline the row. */
const escapeMarkdownCell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

function table(t: Table): string[] {
  const out = [`## ${t.title}`, ""];
  if (t.note) out.push(t.note, "");
  if (t.rows.length === 0) return [...out, t.empty ?? "None.", ""];
  // Numbers align right; a column is numeric when its first row's cell is.
  const align = t.head.map((_, i) => (t.rows[0][i] && isNumeric(t.rows[0][i]) ? "---:" : "---"));
  return [
    ...out,
    row(t.head.map(escapeMarkdownCell)),
    `|${align.join("|")}|`,
    ...t.rows.map((cells: Cell[]) => row(cells.map((c) => escapeMarkdownCell(cellText(c))))),
    "",
  ];
}

export function markdown(r: FleetReport): string {
  return [`# mqtt-mote fleet report`, "", summary(r), "", ...reportTables(r).flatMap(table)].join("\n");
}
