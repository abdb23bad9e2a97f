// `mote sim merge DIR|FILE... [--report OUT] [--json]`: the reports of a fleet's shards, run as
// processes on one machine (--workers) or anywhere (--shard K/N on many machines, a Kubernetes
// Indexed Job), merged into one report in OUT, as one process running the whole fleet would have
// written it (sim/merge-report.ts). Prints the summary panel like a run, or with --json the merged
// report; exits 0 when the merged verdict passed, 1 when not, 2 on a usage error (a file that is
// not a shard report, shards of different fleets, a shard given twice).
import { isKind, usageError } from "../host/errors.ts";
import { writeReports } from "./report.ts";
import { summaryText } from "./report-summary.ts";
import type { FleetReport } from "./report-types.ts";
import { checkShards, missingShards, readShard } from "./merge-read.ts";
import { mergeReports } from "./merge-report.ts";

interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The line `mote sim --help` adds after its flags. */
export const MERGE_USAGE = `
usage: mote sim merge DIR|FILE... [--report OUT] [--json]
Merges shard reports (each a --report DIR, its report.json, or what --json printed) of one fleet
into one report in OUT (default report): counts summed, histograms merged, one row per shard.
`;

interface MergeArgs {
  paths: string[];
  reportDir: string;
  json: boolean;
  help: boolean;
}

function parseMergeArgs(argv: string[]): MergeArgs {
  const a: MergeArgs = { paths: [], reportDir: "report", json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") a.help = true;
    else if (arg === "--json") a.json = true;
    else if (arg === "--report" || arg.startsWith("--report=")) {
      const v = arg === "--report" ? argv[++i] : arg.slice("--report=".length);
      if (!v || v.startsWith("--")) throw usageError("--report needs a value");
      a.reportDir = v;
    } else if (arg.startsWith("-")) throw usageError(`unknown flag '${arg}'`);
    else a.paths.push(arg);
  }
  if (!a.help && a.paths.length === 0) throw usageError("give the shard reports to merge (directories or report.json files)");
  return a;
}

/**
 * Writes the merged report to `dir` and says what a run says: the summary panel (or the report as
 * JSON), the verdict's problems, `report: <path>`. Returns the exit status (0: the verdict passed).
 */
export function publishMerged(report: FleetReport, dir: string, json: boolean, io: Output, prefix: string): number {
  const path = writeReports(dir, report);
  io.out(json ? JSON.stringify(report) + "\n" : summaryText(report));
  for (const p of report.verdict.problems) io.err(`${prefix}: ${p}\n`);
  if (report.health.warning) io.err(`${prefix}: warning: ${report.health.warning}\n`);
  if (report.interrupted) io.err(`${prefix}: interrupted after ${report.durationS} s of ${report.configuredDurationS} s; the report says so\n`);
  (json ? io.err : io.out)(`report: ${path}\n`);
  return report.verdict.passed ? 0 : 1;
}

/** Warns of shards of n not merged (a merge of some shards is allowed, and says so). */
function warnMissing(report: FleetReport, missing: number[], io: Output, prefix: string): void {
  if (missing.length === 0) return;
  const n = report.shards![0].n;
  io.err(`${prefix}: warning: ${report.shards!.length} of ${n} shards merged; missing ${missing.map((k) => `${k}/${n}`).join(", ")}\n`);
}

export function runMerge(argv: string[], io: Output): number {
  const prefix = "mote sim merge";
  let args: MergeArgs;
  let report: FleetReport;
  let missing: number[];
  try {
    args = parseMergeArgs(argv);
    if (args.help) {
      io.out(MERGE_USAGE.trimStart());
      return 0;
    }
    const shards = checkShards(args.paths.map(readShard));
    missing = missingShards(shards);
    report = mergeReports(shards.map((s) => s.report));
  } catch (e) {
    if (isKind(e, "usage")) {
      io.err(`${prefix}: ${e.message} (see mote sim --help)\n`);
      return 2;
    }
    io.err(`${prefix}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  warnMissing(report, missing, io, prefix);
  return publishMerged(report, args.reportDir, args.json, io, prefix);
}
