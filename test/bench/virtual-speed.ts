// Virtual time at scale (npm run bench, or on its own: npx tsx test/bench/virtual-speed.ts [--json]
// [--workers N|auto] [--only month|day]): the two targets on this machine, each a real
// `bin/mote sim --time virtual` with one worker process per core, timed from outside.
//   month: 100 sensors x 30 days at one reading a minute (4.32 M messages), target under 5 min wall;
//   day:   10,000 sensors x 1 day at one reading a minute (14.4 M messages), target under 15 min wall.
// A row gives the wall time, the time compression (simulated seconds per wall second), messages per
// CPU second (the CPU of every worker, from their reports) and whether every message arrived.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FleetReport } from "../../sim/report-types.ts";

export interface VirtualSpeedRow {
  case: string;
  sensors: number;
  simulatedS: number;
  published: number;
  delivered: number;
  wallS: number;
  /** Simulated seconds per wall second. */
  compression: number;
  cpuS: number;
  messagesPerCpuS: number;
  targetWallS: number;
  met: boolean;
  workers: number;
}

interface Target { case: string; sensors: number; duration: string; simulatedS: number; targetWallS: number }

export const VIRTUAL_TARGETS: Record<"month" | "day", Target> = {
  month: { case: "100 sensors x 30 days, 1 reading/min", sensors: 100, duration: "30d", simulatedS: 30 * 86_400, targetWallS: 300 },
  day: { case: "10,000 sensors x 1 day, 1 reading/min", sensors: 10_000, duration: "1d", simulatedS: 86_400, targetWallS: 900 },
};

/** Twice the target: a run that slow has failed anyway. */
const TIMEOUT_FACTOR = 2;

/** The CPU seconds of every process that ran the fleet: each shard's report when there were workers, else the one report. */
function cpuSeconds(dir: string, merged: FleetReport): number {
  const shards = readdirSync(dir).filter((d) => d.startsWith("shard-"));
  const reports = shards.length > 0 ? shards.map((d) => JSON.parse(readFileSync(join(dir, d, "report.json"), "utf8")) as FleetReport) : [merged];
  return reports.reduce((n, r) => n + (r.health.speed?.cpuS ?? 0), 0);
}

export async function runVirtualTarget(t: Target, workers: string): Promise<VirtualSpeedRow> {
  const dir = mkdtempSync(join(tmpdir(), "mote-virtual-bench-"));
  try {
    const args = ["sim", "--time", "virtual", "--sensors", String(t.sensors), "--duration", t.duration, "--interval", "1m", "--qos", "1",
      "--workers", workers, "--quiet", "--report", dir];
    const start = performance.now();
    const code = await new Promise<number>((resolve) =>
      execFile("bin/mote", args, { timeout: t.targetWallS * TIMEOUT_FACTOR * 1000, maxBuffer: 64 * 1024 * 1024 }, (err) =>
        resolve(err ? ((err as { code?: number }).code ?? 1) : 0)));
    const wallS = (performance.now() - start) / 1000;
    const r = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport;
    const cpuS = cpuSeconds(dir, r);
    const shards = readdirSync(dir).filter((d) => d.startsWith("shard-")).length;
    return {
      case: t.case, sensors: t.sensors, simulatedS: t.simulatedS, published: r.messages.published, delivered: r.messages.delivered,
      wallS: Math.round(wallS * 10) / 10, compression: Math.round(t.simulatedS / wallS), cpuS: Math.round(cpuS * 10) / 10,
      messagesPerCpuS: cpuS > 0 ? Math.round(r.messages.published / cpuS) : 0, targetWallS: t.targetWallS,
      met: code === 0 && wallS <= t.targetWallS && r.messages.delivered === r.messages.published, workers: Math.max(1, shards),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function virtualSpeedTable(rows: VirtualSpeedRow[]): string {
  const t = [["case", "workers", "messages", "delivered", "wall", "compression", "msg per CPU s", "target"]];
  for (const r of rows) {
    t.push([r.case, String(r.workers), r.published.toLocaleString("en"), r.delivered.toLocaleString("en"), `${r.wallS} s`,
      `${r.compression.toLocaleString("en")}x`, r.messagesPerCpuS.toLocaleString("en"), `< ${r.targetWallS} s ${r.met ? "met" : "MISSED"}`]);
  }
  const widths = t[0].map((_, c) => Math.max(...t.map((row) => row[c].length)));
  return t.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")).join("\n") + "\n";
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({ options: { json: { type: "boolean", default: false }, workers: { type: "string", default: "auto" },
    only: { type: "string" } } });
  const rows: VirtualSpeedRow[] = [];
  for (const [name, t] of Object.entries(VIRTUAL_TARGETS)) {
    if (values.only && values.only !== name) continue;
    const row = await runVirtualTarget(t, values.workers!);
    rows.push(row);
    if (values.json) process.stdout.write(JSON.stringify(row) + "\n");
  }
  if (!values.json) process.stdout.write(virtualSpeedTable(rows));
  if (rows.some((r) => !r.met)) process.exitCode = 1;
}
