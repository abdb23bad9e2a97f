// Headless Chromium (the Debian package `chromium`) looking at a report page: a screenshot with
// the browser's log (console messages, files it loaded), and a probe that runs a small script in
// a copy of the page and reads the result back from the DOM Chromium dumps. Every run has its own
// profile directory, a time limit, and is killed with its whole process group when it overruns.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const CHROMIUM = "chromium";
/** One page load, from start to exit; a report page takes about a second. */
export const CHROMIUM_TIMEOUT_MS = 60_000;
/** The screenshot's height when a page is taller (Chromium's own limit is higher; this keeps files small). */
export const SCREENSHOT_HEIGHT_MAX = 30_000;
const OUTPUT_BYTES_MAX = 64 * 1024 * 1024;

/** Why Chromium cannot run here (undefined: it can). */
export function chromiumMissing(): string | undefined {
  if (spawnSync("sh", ["-c", `command -v ${CHROMIUM}`], { stdio: "ignore" }).status === 0) return undefined;
  return `${CHROMIUM} is not installed: the report's browser test needs it (apt-get install chromium; .ci/run installs it)`;
}

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs Chromium headless with a fresh profile; rejects when it outlives the time limit (after killing it). */
async function chromium(args: string[]): Promise<Run> {
  const profile = mkdtempSync(join(tmpdir(), "mote-chromium-"));
  // Root needs --no-sandbox; the resolver rule keeps the browser's own background requests off the network.
  const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-background-networking",
    `--user-data-dir=${profile}`, "--host-resolver-rules=MAP * ~NOTFOUND"];
  try {
    return await new Promise<Run>((resolve, reject) => {
      const child = spawn(CHROMIUM, [...flags, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += stdout.length < OUTPUT_BYTES_MAX ? d.toString() : ""));
      child.stderr.on("data", (d: Buffer) => (stderr += stderr.length < OUTPUT_BYTES_MAX ? d.toString() : ""));
      const timer = setTimeout(() => {
        try { process.kill(-child.pid!, "SIGKILL"); } catch { /* already gone */ }
        reject(new Error(`${CHROMIUM} did not finish within ${CHROMIUM_TIMEOUT_MS} ms: ${args.at(-1)}`));
      }, CHROMIUM_TIMEOUT_MS);
      child.on("error", (e) => (clearTimeout(timer), reject(e)));
      child.on("close", (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export interface Screenshot {
  /** Messages the page logged to its console (uncaught exceptions included), as Chromium's log shows them. */
  console: string[];
  /** Files the page loaded besides itself (a report must load none). */
  fileLoads: string[];
}

/** Renders `page` at `width` × `height` CSS pixels into `png`. */
export async function screenshot(page: string, png: string, width: number, height: number): Promise<Screenshot> {
  const url = pathToFileURL(page).href;
  const run = await chromium(["--enable-logging=stderr", "--v=0", "--vmodule=file_url_loader_factory=1", `--screenshot=${png}`,
    `--window-size=${width},${Math.min(height, SCREENSHOT_HEIGHT_MAX)}`, url]);
  if (run.code !== 0) throw new Error(`${CHROMIUM} --screenshot exited ${run.code}: ${run.stderr.slice(-2000)}`);
  const lines = run.stderr.split("\n");
  return {
    console: lines.filter((l) => /:CONSOLE[:(]/.test(l)),
    fileLoads: lines.flatMap((l) => /FileURLLoader::Start: (\S+)/.exec(l)?.[1] ?? []).filter((u) => u !== url),
  };
}

/** What the probe script saw in the rendered page. */
export interface PageProbe {
  /** Every <svg>: its figure's id, its drawn box, and how many of its shapes have a size. */
  charts: { id: string; width: number; height: number; shapes: number }[];
  /** Images that did not load. */
  brokenImages: string[];
  /** Resources fetched (Resource Timing): a self-contained page has none. */
  resources: string[];
  /** The page's full size in CSS pixels. */
  width: number;
  height: number;
  /** The smallest text outside and inside the charts, in CSS pixels as rendered. */
  minTextPx: number;
  minChartTextPx: number;
}

// Runs after the load event, in a copy of the page; writes its findings into <pre id="probe-result">.
const PROBE = `<script>addEventListener("load", () => {
  const shapes = "rect,path,line,polyline,polygon,circle";
  const charts = [...document.querySelectorAll("svg")].map((s) => {
    const box = s.getBBox();
    const drawn = [...s.querySelectorAll(shapes)].filter((e) => { const b = e.getBBox(); return b.width > 0 || b.height > 0; }).length;
    return { id: s.closest("figure") ? s.closest("figure").id : "", width: box.width, height: box.height, shapes: drawn };
  });
  const texts = [...document.body.querySelectorAll("*")].filter((e) => !e.closest("svg") && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  const px = (e) => parseFloat(getComputedStyle(e).fontSize);
  const chartPx = (t) => px(t) * t.getScreenCTM().a;
  const out = document.createElement("pre");
  out.id = "probe-result";
  out.textContent = JSON.stringify({
    charts, brokenImages: [...document.images].filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.src),
    resources: performance.getEntriesByType("resource").map((e) => e.name),
    width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
    minTextPx: Math.min(...texts.map(px)), minChartTextPx: Math.min(...[...document.querySelectorAll("svg text")].map(chartPx)),
  });
  document.body.append(out);
});</script>`;

/** Loads a copy of `page` with the probe script appended and returns what the script found. */
export async function probe(page: string, width: number): Promise<PageProbe> {
  const dir = mkdtempSync(join(tmpdir(), "mote-probe-"));
  try {
    const copy = join(dir, "probe.html");
    copyFileSync(page, copy);
    appendFileSync(copy, PROBE);
    const run = await chromium([`--window-size=${width},1000`, "--dump-dom", pathToFileURL(copy).href]);
    const found = /<pre id="probe-result">([^<]*)<\/pre>/.exec(run.stdout);
    if (!found) throw new Error(`the probe wrote no result (exit ${run.code}): ${run.stderr.slice(-2000)}`);
    const text = found[1].replace(/&(lt|gt|amp|quot|nbsp);/g, (_, e: string) => ({ lt: "<", gt: ">", amp: "&", quot: '"', nbsp: "\u00a0" })[e]!);
    return JSON.parse(text) as PageProbe;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
