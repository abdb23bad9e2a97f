// The three report files written from one FleetReport (test/fixtures/sim/sample-report.json):
// report.json is the object, every number report.md shows for a field is that field's value, every
// report.html cell marked data-key="<path>" holds the value at that path (exactly in data-value when
// the cell shows human units), and report.html is one self-contained page. Both files are parsed
// back here, not compared with the renderer's output. What the sections say: report-content.test.ts.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { html, latencySummary, markdown, writeReports } from "../../sim/report.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import {
  cellProblem, fromHuman, fromMarkdownNumber, htmlTables, keyedCells, leaves, markdownTables, matches, parseAs, valueAt,
} from "../support/report-files.ts";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "sim", "sample-report.json");
const sample = (): FleetReport => JSON.parse(readFileSync(FIXTURE, "utf8"));
const SVG_CHARTS = 7;

/**
 * Report fields without a table cell of their own: the time series is thinned (its charts draw every
 * point, and its `connected` is the timeline's), the groups' histogram bounds are the overall rows',
 * the connect-time histograms are drawn, and the verdict's problems, the command line and the
 * configuration are shown as text (report-content.test.ts checks them there).
 */
const SHOWN_ELSEWHERE = [
  /^connections\.timeline\./, /^series\.points\./, /^groups\.\d+\.latencyMs\.histogram\.\d+\.upToMs$/, /^groups\.\d+\.connectMs\.histogram\./,
  /^verdict\.problems\./, /^run\.commandLine$/, /^run\.config\./,
];
/** Fields that must have a data-key cell; `*` stands for every key or index. */
const REQUIRED = [
  "messages.*", "latencyMs.p50", "latencyMs.p99", "latencyMs.max", "bytesByPacketType.*.bytes", "groups.*.messages.*",
  "groups.*.message.mqtt5Alias.total", "device.wasmBytes", "device.memoryRegions.*", "device.hostBytesPerSensor",
  "groups.*.connectMs.p50", "groups.*.connectMs.p99", "groups.*.connectMs.max", "worstSensors.*.*", "outages.*.*",
  "health.eventLoopLagMs.*", "health.cpuPercent", "health.warning", "run.toolVersion", "run.nodeVersion", "run.host.*", "seed",
];
/** The message-count table: the one with a "refused locally" column. */
const messageTable = (md: string) => markdownTables(md).find((x) => x.head.includes("refused locally"))!;

let dir: string;
let report: FleetReport;
let jsonPath: string;
let md: string;
let page: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mote-report-"));
  report = sample();
  jsonPath = writeReports(join(dir, "out"), report);
  md = readFileSync(join(dir, "out", "report.md"), "utf8");
  page = readFileSync(join(dir, "out", "report.html"), "utf8");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeReports", () => {
  it("creates the directory and returns the absolute path of report.json", () => {
    expect(isAbsolute(jsonPath)).toBe(true);
    expect(jsonPath).toBe(join(dir, "out", "report.json"));
  });

  it("writes report.json that parses back to the report", () => {
    expect(JSON.parse(readFileSync(jsonPath, "utf8"))).toEqual(sample());
  });

  it("writes report.md and report.html as markdown() and html() render them", () => {
    expect(md).toBe(markdown(report));
    expect(page).toBe(html(report));
  });
});

describe("report.md", () => {
  it("shows the overall and per-group message counts", () => {
    const t = messageTable(md);
    const counts = (label: string) => t.rows.find((row) => row[0] === label)!.slice(2, 2 + Object.keys(report.messages).length).map(fromMarkdownNumber);
    expect(counts("all")).toEqual(Object.values(report.messages));
    for (const g of report.groups) expect(counts(g.name)).toEqual(Object.values(g.messages));
    // Then the most a sensor of the group held at once.
    for (const g of report.groups) expect(fromMarkdownNumber(t.rows.find((row) => row[0] === g.name)!.at(-1)!)).toBe(g.maxQueuedPerSensor);
  });

  it("shows p50, p99 and max latency overall and per group, in ms or s", () => {
    const t = markdownTables(md).find((x) => x.head.includes("p99") && x.rows[0][0] === "all")!;
    const shown = (label: string) => t.rows.find((row) => row[0] === label)!.slice(1).map(fromHuman);
    expect(shown("all")).toEqual([report.latencyMs.p50, report.latencyMs.p99, report.latencyMs.max].map((ms) => expect.closeTo(ms, -2)));
    for (const g of report.groups) expect(shown(g.name)).toEqual([g.latencyMs.p50, g.latencyMs.p99, g.latencyMs.max].map((ms) => expect.closeTo(ms, -2)));
  });

  it("shows each field a table cell stands for with the report's value, in the same place as report.html", () => {
    const mdTables = markdownTables(md);
    const pages = htmlTables(page);
    expect(mdTables.length).toBe(pages.length);
    let checked = 0;
    mdTables.forEach((t, i) => {
      const rows = [t.head, ...t.rows];
      expect(rows.map((r) => r.length), pages[i].id).toEqual(pages[i].rows.map((r) => r.length));
      pages[i].rows.forEach((cells, r) => cells.forEach((c, k) => {
        if (c.key === undefined) return;
        const want = valueAt(report, c.key);
        // A cell in human units reads the same in both files; report.html holds its exact value.
        if (c.value !== undefined) expect(rows[r][k], c.key).toBe(c.text);
        else expect(parseAs(rows[r][k], want), c.key).toBe(want);
        checked++;
      }));
    });
    expect(checked).toBe(keyedCells(page).length);
  });
});

describe("report.html", () => {
  it("gives every table a unique id", () => {
    const ids = [...page.matchAll(/<table( id="([^"]*)")?>/g)].map((m) => m[2]);
    expect(ids.every((id) => id)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("holds in every data-key cell the report's value at that path, exactly or in human units with the exact value beside", () => {
    const cells = keyedCells(page);
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.filter((c) => c.value !== undefined).length).toBeGreaterThan(0);
    for (const c of cells) {
      const want = valueAt(report, c.key);
      expect(want === undefined ? "no such path" : cellProblem(c, want), c.key).toBeUndefined();
    }
  });

  it("has a data-key cell for each required field", () => {
    const keys = new Set(keyedCells(page).map((c) => c.key));
    for (const pattern of REQUIRED) {
      const paths = leaves(report).map(([p]) => p).filter((p) => matches(pattern, p));
      expect(paths.length, pattern).toBeGreaterThan(0);
      for (const p of paths) expect(keys.has(p), p).toBe(true);
    }
  });

  it("shows every field of the report in a cell except those shown as text, drawn or thinned", () => {
    const keys = new Set(keyedCells(page).map((c) => c.key));
    const missing = leaves(report).map(([p]) => p).filter((p) => !keys.has(p) && !SHOWN_ELSEWHERE.some((re) => re.test(p)));
    expect(missing).toEqual([]);
  });

  it(`is self-contained: no scripts, nothing to fetch, links only within the page, ${SVG_CHARTS} inline SVG charts`, () => {
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<(script|link|img|iframe|object|embed)\b|src=|url\(|@import/i);
    expect([...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]).filter((h) => !h.startsWith("#"))).toEqual([]);
    expect(page.match(/<svg/g)?.length).toBe(SVG_CHARTS);
  });
});

describe("strings from the report", () => {
  const NAME = `<b>&"x|y"`;
  const EXAMPLE = `<script>alert("x")</script> | \\ done`;
  const hostile = (): FleetReport => {
    const r = sample();
    r.groups[1].name = NAME;
    r.errors[0].example = EXAMPLE;
    return r;
  };

  it("are escaped in report.html", () => {
    const out = html(hostile());
    expect(out).toContain("&lt;b&gt;&amp;&quot;x|y&quot;");
    expect(out).not.toContain(NAME);
    expect(out).not.toMatch(/<script/i);
  });

  it("keep their value in report.html cells once unescaped", () => {
    const r = hostile();
    const cells = keyedCells(html(r));
    expect(cells.find((c) => c.key === "groups.1.name")!.text).toBe(NAME);
    expect(cells.find((c) => c.key === "errors.0.example")!.text).toBe(EXAMPLE);
  });

  it("have their pipes escaped in report.md table cells", () => {
    const out = markdown(hostile());
    expect(out).toContain(`| <b>&"x\\|y" |`);
    const t = messageTable(out);
    expect(t.rows.find((row) => row[0] === NAME)!.length).toBe(t.head.length);
  });

  it("keep their value in report.md once unescaped", () => {
    const t = markdownTables(markdown(hostile())).find((x) => x.head.includes("example"))!;
    expect(t.rows[0][2]).toBe(EXAMPLE);
  });
});

describe("a report with no errors", () => {
  it("says so instead of showing an empty table", () => {
    const r = { ...sample(), errors: [] };
    expect(markdown(r)).toContain("No errors.");
    expect(html(r)).toContain("No errors.");
  });
});

describe("latencySummary", () => {
  it("is all zeros and no buckets without samples", () => {
    expect(latencySummary([])).toEqual({ p50: 0, p99: 0, max: 0, histogram: [] });
  });

  it("takes p50 and p99 by nearest rank", () => {
    const oneTo100 = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencySummary(oneTo100)).toMatchObject({ p50: 50, p99: 99, max: 100 });
  });

  it("takes the only sample for every percentile", () => {
    expect(latencySummary([7])).toMatchObject({ p50: 7, p99: 7, max: 7 });
  });

  it("puts v <= 1 in the first bucket and upToMs/2 < v <= upToMs in the others, up to the first bound at or above the max", () => {
    expect(latencySummary([0, 1, 2, 3, 4, 5, 9]).histogram).toEqual([
      { upToMs: 1, count: 2 }, { upToMs: 2, count: 1 }, { upToMs: 4, count: 2 }, { upToMs: 8, count: 1 }, { upToMs: 16, count: 1 },
    ]);
  });

  it("counts every one of 200,000 samples once", () => {
    const samples = Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 5_000);
    const s = latencySummary(samples);
    expect(s.histogram.reduce((n, b) => n + b.count, 0)).toBe(samples.length);
    expect(s.max).toBe(4_999);
    expect(s.histogram.at(-1)!.upToMs).toBe(8_192);
  });

  it("leaves its input unsorted", () => {
    const samples = [3, 1, 2];
    latencySummary(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});
