// What the report says, read from report.md and report.html as rendered from the sample report
// (test/fixtures/sim/sample-report.json, a failed run with a bottlenecked simulator and four
// outage windows): the summary panel first, the sections in one order in both files, human units,
// outage windows shaded on every time chart, charts that add to the tables, and what it takes to
// repeat the run. report-files.test.ts checks that every cell holds report.json's value.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { html, markdown } from "../../sim/report.ts";
import { summaryRows } from "../../sim/report-summary.ts";
import { compactJson } from "../../sim/report-tables-run.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import { fromHtml, fromHuman, htmlTables, markdownTables } from "../support/report-files.ts";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "sim", "sample-report.json");
const sample = (): FleetReport => JSON.parse(readFileSync(FIXTURE, "utf8"));
const passing = (): FleetReport => ({ ...sample(), verdict: { passed: true, problems: [] } });
const SECTIONS = ["Over time", "Messages", "Latency, publish to delivery", "Connecting", "Sensor groups", "Bytes", "Device memory",
  "Simulator health", "Reproducibility"];
const TIME_CHARTS = ["message-rate", "byte-rate", "latency-over-time", "connected", "errors-over-time"];
const SERIES_ROWS_MAX = 20;
const BODY_TEXT_PX_MIN = 14;
const CHART_TEXT_PX_MIN = 12;
const AEDES = "With the embedded broker it includes aedes's per-client state.";

/** The SVG of one chart of report.html, by its id. */
const chart = (page: string, id: string) => new RegExp(`<figure id="chart-${id}">([\\s\\S]*?)</figure>`).exec(page)?.[1] ?? "";
const texts = (svg: string) => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => fromHtml(m[1]));

describe("the summary panel", () => {
  it("opens report.md: the verdict, then every summary row in order, a failed row marked ✗, then the run in a sentence", () => {
    const r = sample();
    const lines = markdown(r).split("\n");
    expect(lines.slice(0, 3)).toEqual(["# mqtt-mote fleet report", "", "**FAIL**"]);
    const rows = summaryRows(r);
    const listed = lines.slice(4, 4 + rows.length);
    rows.forEach((row, i) => {
      expect(listed[i].startsWith(`- ${row.bad ? "✗ " : ""}**${row.label}**: `), listed[i]).toBe(true);
      expect(listed[i].replace(/\\(.)/g, "$1")).toContain(row.text);
    });
    expect(lines[5 + rows.length]).toMatch(/^1,000 sensors \(shard 2 of 4/);
  });

  it("opens report.html: a red FAIL badge, then the rows, failed ones in red and marked ✗, the verdict's problems named", () => {
    const page = html(sample());
    expect(page.indexOf(`<section id="summary" class="panel fail">`)).toBeLessThan(page.indexOf("<section id=\"over-time\">"));
    expect(page).toContain(`<div class="badge">FAIL</div>`);
    expect(page).toMatch(/\.fail \.badge\{background:#b42318\}/);
    for (const row of summaryRows(sample()).filter((x) => x.bad)) expect(page).toContain(`<dt class="bad">✗ ${row.label}</dt>`);
    for (const problem of sample().verdict.problems) expect(page).toContain(problem);
  });

  it("is a green PASS for a run that kept its promises", () => {
    const page = html(passing());
    expect(page).toContain(`<section id="summary" class="panel pass">`);
    expect(page).toContain(`<div class="badge">PASS</div>`);
    expect(page).toContain(`<dt class="ok">✓ result</dt>`);
    expect(markdown(passing()).split("\n")[2]).toBe("**PASS**");
  });
});

describe("the sections", () => {
  it("follow the panel in the same order in both files", () => {
    const r = sample();
    expect([...markdown(r).matchAll(/^## (.*)$/gm)].map((m) => m[1])).toEqual(SECTIONS);
    expect([...html(r).matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => fromHtml(m[1]))).toEqual(SECTIONS);
  });

  it(`show the time series as at most ${SERIES_ROWS_MAX} evenly spaced rows, the first and the last among them`, () => {
    const r = sample();
    const rows = htmlTables(html(r)).find((t) => t.id === "series")!.rows.slice(1);
    expect(r.series.points.length).toBeGreaterThan(SERIES_ROWS_MAX);
    expect(rows.length).toBe(SERIES_ROWS_MAX);
    expect(rows[0][0].key).toBe("series.points.0.tS");
    expect(rows.at(-1)![0].key).toBe(`series.points.${r.series.points.length - 1}.tS`);
    expect(markdownTables(markdown(r)).find((t) => t.head.includes("bytes up"))!.rows.length).toBe(SERIES_ROWS_MAX);
  });

  it("show bytes as B/kB/MB and durations as ms/s in their tables", () => {
    const tables = htmlTables(html(sample()));
    const cells = (id: string, from: number) => tables.find((t) => t.id === id)!.rows.slice(1).flatMap((row) => row.slice(from));
    for (const c of cells("per-sensor", 1)) expect(c.text).toMatch(/^\d+(\.\d+)? (B|kB|MB|GB)$/);
    for (const c of [...cells("latency", 1), ...cells("connect", 1)]) expect(c.text).toMatch(/^\d+(\.\d+)? (ms|s)$/);
    expect(cells("per-sensor", 1).map((c) => fromHuman(c.text))).toContain(6_080_000);
  });

  it("say that host memory includes aedes's state only when the broker is the embedded one", () => {
    const embedded = { ...sample(), broker: "embedded aedes (in process)" };
    expect(html(sample())).not.toContain("aedes");
    expect(markdown(sample())).not.toContain("aedes");
    expect(html(embedded)).toContain(AEDES.replace("'", "&#39;"));
    expect(markdown(embedded)).toContain(AEDES);
  });

  it("show the simulator's warning in the health table and in the panel", () => {
    const r = sample();
    const health = htmlTables(html(r)).find((t) => t.id === "health")!;
    expect(health.rows.find((row) => row[0].text === "warning")![1].text).toBe(r.health.warning);
    expect(summaryRows(r).find((x) => x.label === "warning")!.bad).toBe(true);
    expect(htmlTables(html({ ...r, health: { ...r.health, warning: undefined } })).find((t) => t.id === "health")!.rows.length).toBe(6);
  });

  it("end with the command line and the resolved configuration as preformatted text that reads back as the run's", () => {
    const r = sample();
    const page = html(r);
    const pre = (id: string) => fromHtml(new RegExp(`<pre id="${id}">([^<]*)</pre>`).exec(page)![1]);
    expect(pre("command-line")).toBe(r.run.commandLine);
    expect(JSON.parse(pre("config"))).toEqual(r.run.config);
    const fences = [...markdown(r).matchAll(/^```\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);
    expect(fences[0]).toBe(r.run.commandLine);
    expect(JSON.parse(fences[1])).toEqual(r.run.config);
    expect(pre("config")).toContain(`"password": "***"`);
  });

  it("use readable text: body text of at least 14px, chart text of at least 12px", () => {
    const page = html(sample());
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)![1];
    const cssSizes = [...css.matchAll(/font(?:-size)?:(\d+)px/g)].map((m) => Number(m[1]));
    expect(cssSizes.length).toBeGreaterThan(5);
    expect(Math.min(...cssSizes)).toBeGreaterThanOrEqual(BODY_TEXT_PX_MIN);
    const svgSizes = [...page.matchAll(/font-size="(\d+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...svgSizes)).toBeGreaterThanOrEqual(CHART_TEXT_PX_MIN);
  });
});

describe("the charts", () => {
  it("are the five time charts and the two per-group histograms, none redrawing a table", () => {
    const ids = [...html(sample()).matchAll(/<figure id="chart-([^"]+)">/g)].map((m) => m[1]);
    expect(ids).toEqual([...TIME_CHARTS, "latency-histograms", "connect-histograms"]);
    expect(markdown(sample())).not.toContain("<svg");
  });

  it("shade every outage window in every time chart", () => {
    const page = html(sample());
    for (const id of TIME_CHARTS) {
      const shades = [...chart(page, id).matchAll(/<rect x="(\d+)"[^>]*><title>outage: meters<\/title>/g)].map((m) => Number(m[1]));
      expect(shades.length, id).toBe(sample().outages.length);
      expect(shades, id).toEqual([...shades].sort((a, b) => a - b));
    }
    expect(chart(html({ ...sample(), outages: [] }), "message-rate")).not.toContain("outage");
  });

  it("draw messages per second as a period's count over its length", () => {
    const r = sample();
    const twoSecondPeriods = { ...r, series: { periodS: 2, points: r.series.points.map((p) => ({ ...p, published: 2000, delivered: 2000 })) } };
    expect(texts(chart(html(twoSecondPeriods), "message-rate"))).toContain("1,000/s");
    expect(texts(chart(html(twoSecondPeriods), "message-rate"))).not.toContain("2,000/s");
  });

  it("leave a gap in the latency line for a period with no delivery", () => {
    const r = sample();
    const p50 = (report: FleetReport) => /<path d="([^"]*)" fill="none" stroke="#1d3557"/.exec(chart(html(report), "latency-over-time"))![1];
    const withGap = { ...r, series: { ...r.series, points: r.series.points.map((p, i) => (i === 50 ? { ...p, delivered: 0 } : p)) } };
    expect(p50(withGap).match(/M/g)!.length).toBe(p50(r).match(/M/g)!.length + 1);
  });

  it("put the latency histograms on a log time axis: equal steps of doubling durations, one row per group and one for all", () => {
    const r = sample();
    const svg = chart(html(r), "latency-histograms");
    const ticks = [...svg.matchAll(/<text x="(\d+)" y="\d+" text-anchor="middle">([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), ms: fromHuman(m[2]) }));
    expect(ticks.length).toBeGreaterThan(3);
    const steps = ticks.slice(1).map((t, i) => t.x - ticks[i].x);
    expect(Math.max(...steps) - Math.min(...steps)).toBeLessThanOrEqual(1);
    const ratios = ticks.slice(1).map((t, i) => t.ms / ticks[i].ms);
    for (const q of ratios) expect(q).toBeCloseTo(ratios[0], 0);
    for (const label of ["all", ...r.groups.map((g) => g.name)]) expect(texts(svg)).toContain(label);
  });
});

describe("compactJson", () => {
  it("reads back as the value and puts what fits on one line", () => {
    const config = sample().run.config;
    const text = compactJson(config);
    expect(JSON.parse(text)).toEqual(config);
    expect(text).toContain(`"shard": {"k": 2, "n": 4}`);
    expect(compactJson({ a: [1, 2], b: "x" })).toBe(`{"a": [1, 2], "b": "x"}`);
  });
});
