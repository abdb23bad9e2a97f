// `mote sim` (and `npm start`, which runs it on sim/demo.json): parse the flags and config file,
// check what cannot work before the run, run the fleet, write report.json / report.md /
// report.html, print the summary panel (or with --json the report as the only thing on stdout)
// and, last, `report: <path>` (on stderr with --json, so stdout parses as one JSON document).
// Exit 0 when every QoS 1/2 message arrived (and none twice at QoS 2), 1 otherwise or on a
// runtime error, 2 on a usage error. `mote sim merge ...` merges shard reports (sim/merge.ts);
// --workers N runs the fleet as N shards in child processes and merges them (sim/workers.ts).
import { isKind } from "../host/errors.ts";
import { accessSync, constants, mkdirSync } from "node:fs";
import { parseFleetConfig, USAGE } from "./config.ts";
import { MERGE_USAGE, runMerge } from "./merge.ts";
import { runWorkers, WORKER_INTERRUPT_GRACE_MS } from "./workers.ts";
import { runFleet } from "./fleet.ts";
import { preflight } from "./guards.ts";
import { fleetReport } from "./fleet-report.ts";
import { writeReports } from "./report.ts";
import { summaryText } from "./report-summary.ts";
import type { FleetReport } from "./report-types.ts";
import { shardRange } from "./units.ts";
import { verdictOf } from "./verdict.ts";
import { humanSeconds } from "./human-units.ts";
import { TRAP_HANDLER_SENSORS_MAX, runWithoutTrapHandler, trapHandlerOff } from "./wide-address-space.ts";

export interface SimOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const std: SimOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** What a run needs after Ctrl-C besides its drain: closing the fleet and writing the report (or, with workers, their merge). */
const STOP_EXTRA_MS = 30_000;

/**
 * How long `mote sim` may take to end after the first Ctrl-C: its drain, what the workers are
 * given after a Ctrl-C (WORKER_INTERRUPT_GRACE_MS), and the report. Flags that do not parse end at once.
 */
export function simStopGraceMs(argv: string[]): number {
  try {
    const cfg = parseFleetConfig(argv);
    return cfg.drainS * 1000 + STOP_EXTRA_MS + (cfg.workers > 1 ? WORKER_INTERRUPT_GRACE_MS : 0);
  } catch {
    return STOP_EXTRA_MS;
  }
}

/** Why the run failed its promises (none: it kept them); the same as the report's verdict. */
export function verdict(r: FleetReport): string[] {
  return verdictOf(r).problems;
}

/** Why the report directory cannot be written (checked before a run, not after it). */
function reportDirProblem(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (e) {
    return `cannot write to '${dir}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

export async function runSim(argv: string[], io: SimOutput = std, stop?: Promise<void>): Promise<number> {
  if (argv[0] === "merge") return runMerge(argv.slice(1), io);
  let cfg;
  let warnings: string[] = [];
  try {
    cfg = parseFleetConfig(argv);
    if (!cfg.help) warnings = preflight(cfg);
  } catch (e) {
    if (isKind(e, "usage")) {
      io.err(`mote sim: ${e.message} (see mote sim --help)\n`);
      return 2;
    }
    throw e;
  }
  if (cfg.help) {
    io.out(USAGE + MERGE_USAGE);
    return 0;
  }
  for (const w of warnings) io.err(`mote sim: warning: ${w}\n`);
  const unwritable = reportDirProblem(cfg.reportDir);
  if (unwritable) {
    io.err(`mote sim: --report: ${unwritable} (see mote sim --help)\n`);
    return 2;
  }
  if (cfg.workers > 1) return runWorkers(argv, cfg, io, stop);
  const range = shardRange(cfg.sensors, cfg.shard);
  if (range.end - range.first > TRAP_HANDLER_SENSORS_MAX && !trapHandlerOff()) return runWithoutTrapHandler(argv, io);
  let report: FleetReport;
  try {
    report = fleetReport(await runFleet(cfg, stop, (line) => io.err(`mote sim: ${line}\n`)), argv);
  } catch (e) {
    if (isKind(e, "usage")) {
      io.err(`mote sim: ${e.message}\n`);
      return 2;
    }
    io.err(`mote sim: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const path = writeReports(cfg.reportDir, report);
  io.out(cfg.json ? JSON.stringify(report) + "\n" : summaryText(report));
  const problems = report.verdict.problems;
  for (const p of problems) io.err(`mote sim: ${p}\n`);
  if (report.health.warning) io.err(`mote sim: warning: ${report.health.warning}\n`);
  if (report.interrupted) {
    io.err(`mote sim: interrupted after ${humanSeconds(report.durationS)} of ${humanSeconds(report.configuredDurationS)}; the report says so\n`);
  }
  (cfg.json ? io.err : io.out)(`report: ${path}\n`);
  return problems.length === 0 ? 0 : 1;
}
