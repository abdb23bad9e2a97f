// report.html: the summary panel first (pass or fail at a glance, a failed row in red and marked
// ✗), then the sections of report-sections.ts with their tables and inline SVG charts. Each number
// cell is marked with its JSON path (data-key="groups.0.latencyMs.p99"), and a cell shown in human
// units keeps the exact value (data-value), so the page can be checked against report.json.
// One file: no scripts, no stylesheets or fonts fetched, nothing linked outside the page.
import type { FleetReport } from "./report-types.ts";
import { CHARTS } from "./report-charts.ts";
import { escapeHtml } from "./charts/svg.ts";
import { cellText, formatNumber, isNumeric, type Block, type Cell, type Section, type Table, type Unit } from "./report-cells.ts";
import { headline, reportSections } from "./report-sections.ts";
import { summaryRows } from "./report-summary.ts";

const PASS_COLOR = "#1a7f37";
const FAIL_COLOR = "#b42318";
const UNIT_WORDS: Record<Unit, string> = { bytes: "bytes", ms: "ms", s: "s", percent: "%" };

// Body text 16px, tables 15px, preformatted text 14px; chart text is 13px (charts/svg.ts).
const STYLE = `body{font:16px/1.5 sans-serif;color:#1f2328;max-width:1000px;margin:24px auto;padding:0 16px}
h1{font-size:28px;margin:0 0 12px}h2{font-size:22px;margin:36px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:17px;margin:20px 0 6px}p.note{margin:4px 0 10px;color:#3d444d}
.panel{border:1px solid #d0d7de;border-left:8px solid ${PASS_COLOR};border-radius:6px;padding:14px 18px;background:#f6f8fa}
.panel.fail{border-left-color:${FAIL_COLOR}}
.badge{display:inline-block;font-size:22px;font-weight:bold;color:#fff;background:${PASS_COLOR};border-radius:4px;padding:2px 14px;margin-bottom:10px}
.fail .badge{background:${FAIL_COLOR}}
dl.rows{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}dt{font-weight:bold}dd{margin:0}
.bad{color:${FAIL_COLOR};font-weight:bold}.ok{color:${PASS_COLOR}}p.headline{margin:10px 0 0;color:#3d444d}
nav{margin:16px 0;font-size:15px}nav a{margin-right:14px}
.scroll{overflow-x:auto}table{border-collapse:collapse;margin:4px 0 12px;font-size:15px}
td,th{padding:3px 10px;border-bottom:1px solid #d8dee4;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:14px 0 20px}svg.chart{display:block;overflow:visible}
pre{font-size:14px;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;overflow-x:auto;white-space:pre-wrap}`;

function cell(c: Cell): string {
  const cls = isNumeric(c) ? ` class="n"` : "";
  if (!("key" in c)) return `<td${cls}>${escapeHtml(c.text)}</td>`;
  const exact = c.unit && typeof c.value === "number"
    ? ` data-value="${c.value}" title="${escapeHtml(`${formatNumber(c.value)} ${UNIT_WORDS[c.unit]}`)}"`
    : "";
  return `<td${cls} data-key="${escapeHtml(c.key)}"${exact}>${escapeHtml(cellText(c))}</td>`;
}

function table(t: Table): string {
  const parts = [`<h3>${escapeHtml(t.title)}</h3>`];
  if (t.note) parts.push(`<p class="note">${escapeHtml(t.note)}</p>`);
  if (t.rows.length === 0) return [...parts, `<p id="${t.id}">${escapeHtml(t.empty ?? "None.")}</p>`].join("\n");
  return [...parts, `<div class="scroll"><table id="${t.id}">`, `<tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`,
    ...t.rows.map((cells) => `<tr>${cells.map(cell).join("")}</tr>`), "</table></div>"].join("\n");
}

function block(b: Block, r: FleetReport): string {
  if ("table" in b) return table(b.table);
  if ("pre" in b) return `<h3>${escapeHtml(b.pre.title)}</h3>\n<pre id="${b.pre.id}">${escapeHtml(b.pre.text)}</pre>`;
  const chart = CHARTS[b.chart];
  if (!chart) throw new Error(`report.html has no chart '${b.chart}'`);
  return `<figure id="chart-${b.chart}">${chart(r)}</figure>`;
}

function section(s: Section, r: FleetReport): string {
  return [`<section id="${s.id}">`, `<h2>${escapeHtml(s.title)}</h2>`, ...(s.note ? [`<p class="note">${escapeHtml(s.note)}</p>`] : []),
    ...s.blocks.map((b) => block(b, r)), "</section>"].join("\n");
}

/** The summary panel: the verdict as a badge, the rows of sim/report-summary.ts, the run in one sentence. */
function panel(r: FleetReport): string {
  const rows = summaryRows(r).map((row) => {
    const mark = row.bad ? "✗ " : row.label === "result" ? "✓ " : "";
    const cls = row.bad ? ` class="bad"` : row.label === "result" ? ` class="ok"` : "";
    return `<dt${cls}>${mark}${escapeHtml(row.label)}</dt><dd${cls}>${escapeHtml(row.text)}</dd>`;
  }).join("\n");
  const verdict = r.verdict.passed ? "pass" : "fail";
  return `<section id="summary" class="panel ${verdict}">\n<div class="badge">${verdict.toUpperCase()}</div>\n<dl class="rows">\n${rows}\n</dl>\n` +
    `<p class="headline">${escapeHtml(headline(r))}</p>\n</section>`;
}

export function html(r: FleetReport): string {
  const sections = reportSections(r);
  const contents = sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mqtt-mote fleet report: ${r.verdict.passed ? "PASS" : "FAIL"}</title>
<style>${STYLE}</style></head><body>
<h1>mqtt-mote fleet report</h1>
${panel(r)}
<nav>${contents}</nav>
${sections.map((s) => section(s, r)).join("\n")}
</body></html>
`;
}
