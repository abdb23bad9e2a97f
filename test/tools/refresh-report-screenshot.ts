// `npm run report:screenshot`: runs the demo fleet (sim/demo.json, as `npm start` does, for 20 s so
// the trucks' outage at 15 s is in it), renders its report.html in headless Chromium at 1280 CSS
// pixels wide, the whole page, and writes test/fixtures/sim/demo-report.png with a palette of 256
// colours (a page's flat colours and text edges survive it; the file stays well under 1 MB).
// A script, not a test: the picture changes with every run's timing, so it is refreshed on purpose.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromiumMissing, probe, screenshot } from "../support/chromium.ts";
import { decodePng, encodeIndexedPng } from "../support/png.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = join(ROOT, "test", "fixtures", "sim", "demo-report.png");
const WIDTH = 1280;
const DEMO_DURATION = "20s";
/** The demo's run (20 s and its drain) with room for a slow machine. */
const DEMO_TIMEOUT_MS = 180_000;
const PNG_BYTES_MAX = 1_000_000;

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), "mote-screenshot-"));
  try {
    await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", "sim/cli.ts", "--config", "sim/demo.json",
      "--duration", DEMO_DURATION, "--report", dir, "--quiet"], { cwd: ROOT, timeout: DEMO_TIMEOUT_MS, killSignal: "SIGKILL" });
    const page = join(dir, "report.html");
    const found = await probe(page, WIDTH);
    const shot = await screenshot(page, join(dir, "report.png"), WIDTH, found.height);
    if (shot.console.length > 0 || shot.fileLoads.length > 0) throw new Error(`the page is not clean: ${[...shot.console, ...shot.fileLoads].join("\n")}`);
    const png = encodeIndexedPng(decodePng(readFileSync(join(dir, "report.png"))));
    if (png.length > PNG_BYTES_MAX) throw new Error(`the screenshot is ${png.length} bytes, more than ${PNG_BYTES_MAX}`);
    writeFileSync(OUT, png);
    console.log(`${relative(ROOT, OUT)}: ${WIDTH} x ${found.height} pixels, ${png.length} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`report:screenshot: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
