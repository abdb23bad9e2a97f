// Reading shard reports for mote sim merge: a report directory (its report.json), a report.json, or
// the JSON document `mote sim --json` printed. Each must be a whole report of this tool, and together
// they must be shards of one fleet: the same seed, duration and configuration, each its own k of the
// same n. Anything else is a usage error of one line naming the file and the difference.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { usageError } from "../host/errors.ts";
import type { FleetReport, LatencySummary } from "./report-types.ts";

export interface ShardInput {
  /** Where it was read from, as given. */
  source: string;
  report: FleetReport;
}

/** Keys of the resolved configuration that differ from shard to shard of one fleet by design. */
const PER_PROCESS_KEYS = new Set(["shard", "reportDir", "json", "progress", "workers", "broker"]);

const fail = (m: string): never => {
  throw usageError(m);
};

/** The report at `path`: a directory's report.json, or the file itself. */
export function readShard(path: string): ShardInput {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, "report.json") : path;
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    fail(`cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // A log that holds stdout and stderr together (kubectl logs): the report is its one JSON line.
    data = reportLine(text) ?? fail(`'${file}' is not JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  const problem = shapeProblem(data);
  if (problem) fail(`'${file}' is not a report of mote sim to merge: ${problem}`);
  return { source: file, report: data as FleetReport };
}

/** The last line of a log that parses as a report of this tool (progress lines and `report: path` around it). */
function reportLine(text: string): unknown {
  const lines = text.split("\n").filter((l) => l.startsWith("{\"tool\":"));
  for (const line of lines.reverse()) {
    try {
      return JSON.parse(line);
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Why a summary's samples cannot be added up (undefined: they can). */
function summaryProblem(s: LatencySummary | undefined, where: string): string | undefined {
  if (!s || !Array.isArray(s.histogram)) return `no ${where}`;
  const n = s.histogram.reduce((a, b) => a + b.count, 0);
  if (n === 0) return undefined;
  if (!Array.isArray(s.buckets)) return `${where} has no buckets (written by a mote sim before merging existed; run it again)`;
  const ok = s.buckets.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => Number.isFinite(x) && x >= 0));
  if (!ok || s.buckets.reduce((a, [, c]) => a + c, 0) !== n) return `${where}.buckets do not add up to its histogram`;
  return undefined;
}

/** What a report lacks for merging (undefined: nothing). */
function shapeProblem(d: unknown): string | undefined {
  const r = d as Partial<FleetReport> | null;
  if (typeof r !== "object" || r === null || Array.isArray(r) || r.tool !== "mqtt-mote sim") return "no \"tool\": \"mqtt-mote sim\"";
  if (r.shards) return "it is a merged report already (merge the shards' own reports)";
  for (const k of ["shard", "messages", "groups", "series", "run", "connections", "device", "health", "errors", "worstSensors"] as const) {
    if (r[k] === undefined) return `no "${k}"`;
  }
  for (const [i, g] of r.groups!.entries()) {
    if (!g.measured) return `groups.${i} has no "measured" (written by a mote sim before merging existed; run it again)`;
    const p = summaryProblem(g.latencyMs, `groups.${i}.latencyMs`) ?? summaryProblem(g.connectMs, `groups.${i}.connectMs`);
    if (p) return p;
  }
  const late = r.series!.points.findIndex((p) => p.delivered > 0 && !Array.isArray(p.latencyBuckets));
  if (late >= 0) return `series.points.${late} has no latencyBuckets`;
  return undefined;
}

/** The first difference between `here` and `there`, in words ("" when they are equal). */
function difference(here: unknown, there: unknown, path: string): string {
  if (typeof here !== "object" || typeof there !== "object" || here === null || there === null) {
    const [h, t] = [JSON.stringify(here), JSON.stringify(there)];
    return h === t ? "" : `${path} is ${h ?? "absent"} here, ${t ?? "absent"} there`;
  }
  for (const k of new Set([...Object.keys(here), ...Object.keys(there)])) {
    const d = difference((here as Record<string, unknown>)[k], (there as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return "";
}

const fleetConfig = (r: FleetReport) => Object.fromEntries(Object.entries(r.run.config).filter(([k]) => !PER_PROCESS_KEYS.has(k)));

/** Checks that `shards` are distinct shards of one fleet; returns them ordered by k. */
export function checkShards(shards: ShardInput[]): ShardInput[] {
  if (shards.length === 0) fail("no shard reports given");
  const [first] = shards;
  const a = first.report;
  const seen = new Map<number, string>();
  for (const s of shards) {
    const b = s.report;
    const not = `'${s.source}' is not a shard of the same fleet as '${first.source}'`;
    if (b.seed !== a.seed) fail(`${not}: seed ${b.seed} vs ${a.seed}`);
    if (b.configuredDurationS !== a.configuredDurationS) fail(`${not}: duration ${b.configuredDurationS} s vs ${a.configuredDurationS} s`);
    if (b.shard.n !== a.shard.n) fail(`${not}: shard ${b.shard.k}/${b.shard.n} of ${b.shard.n} shards, not ${a.shard.n}`);
    const d = difference(fleetConfig(b), fleetConfig(a), "config");
    if (d) fail(`${not}: ${d}`);
    const twice = seen.get(b.shard.k);
    if (twice !== undefined) fail(`shard ${b.shard.k}/${b.shard.n} is given twice: '${twice}' and '${s.source}'`);
    seen.set(b.shard.k, s.source);
  }
  return [...shards].sort((x, y) => x.report.shard.k - y.report.shard.k);
}

/** Shards of n that are not among `shards` (k values). */
export function missingShards(shards: ShardInput[]): number[] {
  const n = shards[0].report.shard.n;
  const have = new Set(shards.map((s) => s.report.shard.k));
  return Array.from({ length: n }, (_, i) => i + 1).filter((k) => !have.has(k));
}
