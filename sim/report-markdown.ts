// report.md: the same content as report.html, as text. The summary panel's rows first (a failed row
// marked ✗), then the same sections as GitHub-flavoured Markdown tables; the charts' numbers are in
// those tables (the time series as at most SERIES_ROWS_MAX evenly spaced rows).
import type { FleetReport } from "./report-types.ts";
import { cellText, isNumeric, type Block, type Cell, type Section, type Table } from "./report-cells.ts";
import { headline, reportSections } from "./report-sections.ts";
import { summaryRows } from "./report-summary.ts";

/** A table cell: a backslash and a pipe would end or break the cell, a newline the row. */
const escapeMarkdownCell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
/** Running text: characters Markdown would read as emphasis, links, code or HTML. */
const escapeMarkdownText = (s: string) => s.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

function table(t: Table): string[] {
  const out = [`### ${t.title}`, ""];
  if (t.note) out.push(escapeMarkdownText(t.note), "");
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

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
function fenced(text: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [fence, text, fence, ""];
}

function block(b: Block): string[] {
  if ("table" in b) return table(b.table);
  if ("pre" in b) return [`### ${b.pre.title}`, "", ...fenced(b.pre.text)];
  return []; // A chart: report.html draws it; its numbers are in this section's tables.
}

function section(s: Section): string[] {
  return [`## ${s.title}`, "", ...(s.note ? [escapeMarkdownText(s.note), ""] : []), ...s.blocks.flatMap(block)];
}

function panel(r: FleetReport): string[] {
  const rows = summaryRows(r).map((x) => `- ${x.bad ? "✗ " : x.label === "result" ? "✓ " : ""}**${x.label}**: ${escapeMarkdownText(x.text)}`);
  return [`**${r.verdict.passed ? "PASS" : "FAIL"}**`, "", ...rows, "", escapeMarkdownText(headline(r)), ""];
}

export function markdown(r: FleetReport): string {
  return ["# mqtt-mote fleet report", "", ...panel(r), ...reportSections(r).flatMap(section)].join("\n");
}
