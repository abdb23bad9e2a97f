// The three report files written from one FleetReport (test/fixtures/sim/sample-report.json):
// report.json is the object, every number report.md shows for a field is that field's value, every
// report.html cell marked data-key="<path>" holds the value at that path, and report.html is one
// self-contained page. Both files are parsed back here, not compared with the renderer's output.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { html, latencySummary, markdown, writeReports } from "../../sim/report.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import { fromMarkdownNumber, htmlTables, keyedCells, leaves, markdownTables, matches, parseAs, valueAt } from "../support/report-files.ts";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "sim", "sample-report.json");
const sample = (): FleetReport => JSON.parse(readFileSync(FIXTURE, "utf8"));
const TIMELINE_ROWS_MAX = 20;
const SVG_CHARTS_MIN = 4;

/** Report fields shown only in part: the timeline is thinned, and the groups' histogram bounds are the overall rows'. */
const SHOWN_IN_PART = [/^connections\.timeline\./, /^groups\.\d+\.latencyMs\.histogram\.\d+\.upToMs$/];
/** Fields that must have a data-key cell; `*` stands for every key or index. */
const REQUIRED = [
  "messages.*", "latencyMs.p50", "latencyMs.p99", "latencyMs.max", "bytesByPacketType.*.bytes", "groups.*.messages.*",
  "groups.*.message.mqtt5Alias.total", "device.wasmBytes", "device.memoryRegions.*", "device.hostBytesPerSensor",
];

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
  it("summarises the run in its first paragraph", () => {
    const paragraph = md.split("\n\n")[1];
    for (const part of ["1,000 sensors", "shard 2 of 4", report.broker, "MQTT 5.0", "profile default", "120 s", `seed ${report.seed}`]) {
      expect(paragraph).toContain(part);
    }
  });

  it("shows the overall and per-group message counts", () => {
    const t = markdownTables(md).find((x) => x.head.includes("published"))!;
    const counts = (label: string) => t.rows.find((row) => row[0] === label)!.slice(2).map(fromMarkdownNumber);
    expect(counts("all")).toEqual(Object.values(report.messages));
    for (const g of report.groups) expect(counts(g.name)).toEqual(Object.values(g.messages));
  });

  it("shows p50, p99 and max latency overall and per group", () => {
    const t = markdownTables(md).find((x) => x.head.includes("p99"))!;
    const shown = (label: string) => t.rows.find((row) => row[0] === label)!.slice(1).map(fromMarkdownNumber);
    expect(shown("all")).toEqual([report.latencyMs.p50, report.latencyMs.p99, report.latencyMs.max]);
    for (const g of report.groups) expect(shown(g.name)).toEqual([g.latencyMs.p50, g.latencyMs.p99, g.latencyMs.max]);
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
        expect(parseAs(rows[r][k], want), c.key).toBe(want);
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

  it("holds in every data-key cell the report's value at that path", () => {
    const cells = keyedCells(page);
    expect(cells.length).toBeGreaterThan(0);
    for (const c of cells) {
      const want = valueAt(report, c.key);
      expect(want === undefined ? "no such path" : parseAs(c.text, want), c.key).toBe(want);
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

  it("shows every field of the report except the thinned timeline and the groups' bucket bounds", () => {
    const keys = new Set(keyedCells(page).map((c) => c.key));
    const missing = leaves(report).map(([p]) => p).filter((p) => !keys.has(p) && !SHOWN_IN_PART.some((re) => re.test(p)));
    expect(missing).toEqual([]);
  });

  it(`shows at most ${TIMELINE_ROWS_MAX} timeline samples, the first and the last among them`, () => {
    const t = htmlTables(page).find((x) => x.id === "timeline")!;
    const times = t.rows.slice(1).map((r) => r[0].key);
    const last = report.connections.timeline.length - 1;
    expect(report.connections.timeline.length).toBeGreaterThan(TIMELINE_ROWS_MAX);
    expect(times.length).toBe(TIMELINE_ROWS_MAX);
    expect(times[0]).toBe("connections.timeline.0.tS");
    expect(times.at(-1)).toBe(`connections.timeline.${last}.tS`);
  });

  it(`is self-contained: no scripts, no links to fetch, at least ${SVG_CHARTS_MIN} inline SVG charts`, () => {
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<(script|link|img|iframe)\b|src=|url\(/i);
    expect(page.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(SVG_CHARTS_MIN);
  });

  it("labels the packet types in its bytes chart", () => {
    for (const type of Object.keys(report.bytesByPacketType)) expect(page).toContain(`>${type}</text>`);
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
    const t = markdownTables(out).find((x) => x.head.includes("published"))!;
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
