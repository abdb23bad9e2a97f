// mote sim --workers: `bin/mote sim --workers auto` on this machine runs one shard per core in child
// processes against the embedded broker and merges their reports: the merged counts are the sums of
// the shard reports each child wrote (report/shard-K/report.json), one shard per core. A child that
// dies is one line naming its shard and exit 1, and no other child is left running; --workers with
// --shard is a usage error.
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetReport } from "../../sim/report-types.ts";

const MOTE = join(import.meta.dirname, "..", "..", "bin", "mote");
const run = promisify(execFile);
const CORES = availableParallelism();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mote-workers-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Processes whose parent is `pid` (ps exits 1 when there are none yet). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)]).toString().trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as FleetReport;

describe(`mote sim --workers auto (${CORES} cores here)`, () => {
  const out = () => join(dir, "auto");
  let stdout: string;
  let merged: FleetReport;
  let shards: FleetReport[];

  beforeAll(async () => {
    ({ stdout } = await run(process.execPath, [MOTE, "sim", "--workers", "auto", "--sensors", String(6 * CORES), "--model", "temperature,gps",
      "--duration", "3s", "--interval", "250ms", "--report", out()], { timeout: 120_000 }));
    merged = read(join(out(), "report.json"));
    const dirs = readdirSync(out()).filter((d) => /^shard-\d+$/.test(d)).sort();
    shards = dirs.map((d) => read(join(out(), d, "report.json")));
  }, 150_000);

  it("runs one shard per core, each in its own process with its own report", () => {
    expect(shards.length).toBe(CORES);
    expect(shards.map((s) => `${s.shard.k}/${s.shard.n}`)).toEqual(Array.from({ length: CORES }, (_, i) => `${i + 1}/${CORES}`));
    expect(merged.shards!.map((s) => s.k)).toEqual(shards.map((s) => s.shard.k));
    expect(stdout).toMatch(new RegExp(`shards +${CORES} of ${CORES} merged`));
    expect(stdout.trim().split("\n").at(-1)).toBe(`report: ${join(out(), "report.json")}`);
  });

  it("merges counts that are the sums of the shard reports", () => {
    const sum = (f: (r: FleetReport) => number) => shards.reduce((n, r) => n + f(r), 0);
    expect(merged.sensors).toBe(6 * CORES);
    for (const k of ["published", "delivered", "lost", "duplicates", "refusedLocally"] as const) expect(merged.messages[k], k).toBe(sum((r) => r.messages[k]));
    merged.groups.forEach((g, i) => expect(g.messages.delivered).toBe(sum((r) => r.groups[i].messages.delivered)));
    expect(merged.bytesByPacketType.PUBLISH.bytes).toBe(sum((r) => r.bytesByPacketType.PUBLISH.bytes));
    expect(merged.connections.connects).toBe(sum((r) => r.connections.connects));
    expect(merged.latencyMs.histogram.reduce((n, b) => n + b.count, 0)).toBe(merged.messages.delivered);
    expect(merged.messages.published).toBeGreaterThanOrEqual(6 * CORES * 8);
    expect(merged.messages.delivered).toBe(merged.messages.published);
    expect(merged.verdict.passed).toBe(true);
  });

  it("records the command line as typed, --workers included", () => {
    expect(merged.run.commandLine).toContain("--workers auto");
    expect(merged.run.config.workers).toBe(CORES);
  });
});

describe("mote sim --workers 2 when a worker dies", () => {
  it("says which shard died, exits 1, and leaves no worker running", async () => {
    const child = spawn(process.execPath, [MOTE, "sim", "--workers", "2", "--sensors", "8", "--duration", "60s", "--report", join(dir, "dies")],
      { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // The workers are the children of this mote; kill the second once it has started its fleet.
    let workers: number[] = [];
    try {
      for (let i = 0; i < 100 && workers.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
        workers = childrenOf(child.pid!);
      }
      expect(workers).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 3000));
      process.kill(workers[1], "SIGKILL");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await exited;
      clearTimeout(timer);
      expect(code).toBe(1);
      expect(err).toMatch(/^mote sim: shard 2\/2 \(pid \d+\) was killed by SIGKILL without a report$/m);
      const alive = workers.filter((pid) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2].startsWith("Z"));
      expect(alive).toEqual([]);
    } finally {
      // Whatever failed above, nothing this test started outlives it (a pid is killed only while it is still ours).
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      for (const pid of workers) {
        try {
          if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(join(dir, "dies"))) process.kill(pid, "SIGKILL");
        } catch {
          // Gone already.
        }
      }
    }
  }, 60_000);
});

describe("mote sim --workers with --shard", () => {
  it("is a usage error: one line, exit 2", async () => {
    const r = await run(process.execPath, [MOTE, "sim", "--workers", "2", "--shard", "1/2", "--report", join(dir, "usage")]).catch((e) => e);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^mote sim: --workers and --shard do not go together/);
  });
});
