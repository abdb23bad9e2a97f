// report.html in a real browser: a small fleet runs in process (two groups on the embedded broker,
// one with two link outages within the run), and headless Chromium renders its report. The page
// must render to a full-size, non-blank PNG with the outage shading and the verdict's colour in it,
// log nothing to the console, load nothing but itself, and draw every chart with a box and shapes.
// A deliberately broken page shows that each of these checks can fail. Without Chromium the test
// fails and says how to install it; CI installs it (.ci/run).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSim } from "../../sim/main.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import { chromiumMissing, probe, screenshot, type PageProbe, type Screenshot } from "../support/chromium.ts";
import { PNG_SIGNATURE, decodePng, distinctColours, type Png } from "../support/png.ts";

const WIDTH = 1280;
const CHARTS = 7;
const SHAPES_MIN = 3;
const COLOURS_MIN = 16;
const PNG_BYTES_MIN = 50_000;
const BODY_TEXT_PX_MIN = 14;
const CHART_TEXT_PX_MIN = 12;
const SETUP_TIMEOUT_MS = 180_000;
/** The outage shading (charts/time-chart.ts) and the PASS badge's green (report-html.ts), as RGB. */
const SHADE_RGB = [0xf6, 0xc9, 0xc9];
const PASS_RGB = [0x1a, 0x7f, 0x37];

let dir: string;
let report: FleetReport;
let page: string;
let pngFile: string;
let found: PageProbe;
let shot: Screenshot;
let png: Png;

const pixelsOf = (image: Png, rgb: number[]) => {
  let n = 0;
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    if (image.pixels[i] === rgb[0] && image.pixels[i + 1] === rgb[1] && image.pixels[i + 2] === rgb[2]) n++;
  }
  return n;
};

beforeAll(async () => {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  dir = mkdtempSync(join(tmpdir(), "mote-browser-"));
  const config = join(dir, "fleet.json");
  writeFileSync(config, JSON.stringify({
    sensors: 20, interval: "500ms",
    // Two windows, both over before the drain: a periodic outage would go on cutting the link while
    // the drain waits, and a slow machine could then end the run with messages still queued.
    groups: [{ name: "steady" }, { name: "cut", link: "outage=1s@1s;1s@2500ms" }],
  }));
  let err = "";
  const code = await runSim(["--config", config, "--duration", "4s", "--drain", "15s", "--report", join(dir, "report"), "--quiet"],
    { out: () => {}, err: (t) => (err += t) });
  if (code !== 0) throw new Error(`the fleet run exited ${code}: ${err}`);
  report = JSON.parse(readFileSync(join(dir, "report", "report.json"), "utf8"));
  page = join(dir, "report", "report.html");
  pngFile = join(dir, "report.png");
  found = await probe(page, WIDTH);
  shot = await screenshot(page, pngFile, WIDTH, found.height);
  png = decodePng(readFileSync(pngFile));
}, SETUP_TIMEOUT_MS);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("report.html in headless Chromium", () => {
  it("comes from a run with an outage window to shade", () => {
    expect(report.verdict.passed).toBe(true);
    expect(report.outages).toEqual([{ group: "cut", fromS: 1, toS: 2 }, { group: "cut", fromS: 2.5, toS: 3.5 }]);
  });

  it("renders the whole page to a PNG: its signature, 1280 pixels wide, as tall as the page, not one colour", () => {
    const file = readFileSync(pngFile);
    expect(file.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)).toBe(true);
    expect(file.length).toBeGreaterThan(PNG_BYTES_MIN);
    expect(png.width).toBe(WIDTH);
    expect(png.height).toBe(found.height);
    expect(distinctColours(png, COLOURS_MIN)).toBe(COLOURS_MIN);
  });

  it("shows the PASS badge's green and the outage shading in the picture", () => {
    expect(pixelsOf(png, PASS_RGB)).toBeGreaterThan(100);
    expect(pixelsOf(png, SHADE_RGB)).toBeGreaterThan(100);
  });

  it("logs nothing to the console and loads no file besides itself", () => {
    expect(shot.console).toEqual([]);
    expect(shot.fileLoads).toEqual([]);
  });

  it("fetches nothing and has no broken image", () => {
    expect(found.resources).toEqual([]);
    expect(found.brokenImages).toEqual([]);
  });

  it(`draws every chart: ${CHARTS} SVGs, each with a box of some size and shapes in it`, () => {
    expect(found.charts.length).toBe(CHARTS);
    for (const c of found.charts) {
      expect(c.width, c.id).toBeGreaterThan(0);
      expect(c.height, c.id).toBeGreaterThan(0);
      expect(c.shapes, c.id).toBeGreaterThanOrEqual(SHAPES_MIN);
    }
  });

  it(`sets text at ${BODY_TEXT_PX_MIN}px or more and chart text at ${CHART_TEXT_PX_MIN}px or more, and fits the window's width`, () => {
    expect(found.minTextPx).toBeGreaterThanOrEqual(BODY_TEXT_PX_MIN);
    expect(found.minChartTextPx).toBeGreaterThanOrEqual(CHART_TEXT_PX_MIN);
    expect(found.width).toBeLessThanOrEqual(WIDTH);
  });
});

describe("the browser checks", () => {
  it("catch a broken page: a script error, a missing image, an empty chart", async () => {
    const bad = join(dir, "broken.html");
    writeFileSync(bad, `<!doctype html><html><body><h1>broken</h1><img src="missing.png" alt="">
<figure id="chart-empty"><svg width="100" height="50"></svg></figure><script>notDefined();</script></body></html>`);
    const badShot = await screenshot(bad, join(dir, "broken.png"), WIDTH, 600);
    expect(badShot.console.join("\n")).toContain("notDefined is not defined");
    expect(badShot.fileLoads.some((u) => u.endsWith("/missing.png"))).toBe(true);
    const badProbe = await probe(bad, WIDTH);
    expect(badProbe.brokenImages.length).toBe(1);
    expect(badProbe.charts).toEqual([{ id: "chart-empty", width: 0, height: 0, shapes: 0 }]);
  }, SETUP_TIMEOUT_MS);
});
