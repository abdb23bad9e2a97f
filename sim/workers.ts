// mote sim --workers N|auto: one process per core on this machine. The fleet is split into N
// shards; each runs in a child process (sim/cli.ts, as `mote sim` with the same flags plus
// `--shard k/N --json --quiet --report DIR/shard-k`), which writes its own report there and prints
// it as JSON; this process reads the N reports from the children's stdout and merges them
// (sim/merge-report.ts) into DIR. A Ctrl-C is passed on to every child once (they run in process
// groups of their own, so the terminal's goes to this process only): each drains and reports, as a
// single run would. Every wait is bounded: a child that dies, or outlives the run's bound, is one
// line naming its shard and exit 1, and no child outlives this process.
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FleetConfig } from "./config-types.ts";
import type { FleetReport } from "./report-types.ts";
import { mergeReports } from "./merge-report.ts";
import { checkShards } from "./merge-read.ts";
import { publishMerged } from "./merge.ts";
import { runRecord } from "./run-record.ts";
import { WorkersProgress, workerProgress } from "./workers-progress.ts";

interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Beyond publishing and draining: starting the fleet, connecting, writing the report. */
const WORKER_GRACE_S = 600;
/** On virtual time a bound in wall seconds comes from the messages to simulate, at no less than this rate per worker. */
const VIRTUAL_MESSAGES_PER_S_MIN = 1000;
/** After a Ctrl-C: time for the children to drain (--drain), close and report before they are killed. */
export const WORKER_INTERRUPT_GRACE_MS = 60_000;
const MS_PER_S = 1000;

// The sources run through tsx (a clone); the compiled copy (dist/sim/cli.js, the package) runs as is.
const HERE = fileURLToPath(import.meta.url);
const FROM_SOURCE = HERE.endsWith(".ts");
const CLI = join(dirname(HERE), FROM_SOURCE ? "cli.ts" : "cli.js");

/** Flags every worker gets its own value of (arity 1), and flags it must not have (arity 0). */
const OWN_VALUE = new Set(["--workers", "--report", "--shard"]);
const OWN_SWITCH = new Set(["--json", "--quiet"]);

/**
 * The argv of worker k of n: the same fleet, its own shard, its report as JSON and in its own
 * directory, and its progress as JSON lines (the parent prints the fleet's) unless the run is quiet.
 */
function workerArgv(argv: string[], k: number, n: number, dir: string, quiet: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].split("=")[0];
    if (OWN_VALUE.has(flag)) i += argv[i].includes("=") ? 0 : 1;
    else if (!OWN_SWITCH.has(flag)) out.push(argv[i]);
  }
  // --workers 1: a config file's "workers" must not split the worker again.
  return [...out, "--workers", "1", "--shard", `${k}/${n}`, "--json", ...(quiet ? ["--quiet"] : []), "--report", join(dir, `shard-${k}`)];
}

/** The longest the children may take (ms). */
function boundMs(cfg: FleetConfig, n: number): number {
  const ramp = cfg.ramp > 0 ? cfg.sensors / cfg.ramp : 0;
  if (cfg.time === "real") return (cfg.durationS + cfg.drainS + ramp + WORKER_GRACE_S) * MS_PER_S;
  const messages = cfg.groups.reduce((m, g) => m + (g.count * cfg.durationS * MS_PER_S) / g.intervalMs, 0) / n;
  return (messages / VIRTUAL_MESSAGES_PER_S_MIN + WORKER_GRACE_S) * MS_PER_S;
}

interface Worker {
  k: number;
  child: ChildProcess;
  stdout: Buffer[];
  lastLine: string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(k: number, n: number, argv: string[], cfg: FleetConfig, io: Output, seen: Set<string>, progress?: WorkersProgress): Worker {
  const args = workerArgv(argv, k, n, cfg.reportDir, progress === undefined);
  const child = spawn(process.execPath, ["--expose-gc", ...(FROM_SOURCE ? ["--import", "tsx"] : []), CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"], detached: true,
  });
  const w: Worker = {
    k, child, stdout: [], lastLine: "",
    done: new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on("data", (b: Buffer) => w.stdout.push(b));
  let partial = "";
  child.stderr!.on("data", (b: Buffer) => {
    const lines = (partial + b.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines.filter((l) => l.trim() !== "" && !l.startsWith("report: "))) {
      const p = workerProgress(line);
      if (p) {
        progress?.note(k, p);
        continue;
      }
      w.lastLine = line.replace(/^mote sim: /, "");
      // The same warning from every worker is said once.
      if (seen.has(w.lastLine)) continue;
      seen.add(w.lastLine);
      io.err(`mote sim: shard ${k}/${n}: ${w.lastLine}\n`);
    }
  });
  child.on("error", (e) => (w.lastLine = e.message));
  return w;
}

/** Kills a worker and whatever it started (its process group). */
function kill(w: Worker): void {
  if (w.child.exitCode !== null || w.child.signalCode !== null || w.child.pid === undefined) return;
  try {
    process.kill(-w.child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** A worker's report from its stdout, or why it gave none. */
function parseReport(w: Worker, end: { code: number | null; signal: NodeJS.Signals | null }): FleetReport | string {
  const how = end.signal ? `was killed by ${end.signal}` : `exited ${end.code}`;
  const text = Buffer.concat(w.stdout).toString().trim();
  try {
    if (text !== "") return JSON.parse(text) as FleetReport;
  } catch {
    // Not a report: said below.
  }
  return `${how} without a report${w.lastLine ? ` (its last line: ${w.lastLine})` : ""}`;
}

/** Runs the fleet as cfg.workers shards in child processes and merges their reports; returns the exit status. */
export async function runWorkers(argv: string[], cfg: FleetConfig, io: Output, stop?: Promise<void>): Promise<number> {
  if (cfg.shard.n > 1 || argv.some((a) => a.split("=")[0] === "--shard")) {
    io.err("mote sim: --workers and --shard do not go together: each worker runs a shard (on many machines, run --shard K/N on each " +
      "and merge with mote sim merge) (see mote sim --help)\n");
    return 2;
  }
  if (cfg.board) {
    io.err("mote sim: --board runs in one process: drop --workers (see mote sim --help)\n");
    return 2;
  }
  const n = Math.min(cfg.workers, cfg.sensors);
  if (cfg.progress !== "none") io.err(`mote sim: ${n} workers, one shard each; their reports go to ${join(cfg.reportDir, "shard-K")}\n`);
  const seen = new Set<string>();
  const progress = cfg.progress === "none" ? undefined : new WorkersProgress(n, cfg.json, io.err);
  const workers = Array.from({ length: n }, (_, i) => start(i + 1, n, argv, cfg, io, seen, progress));
  const killAll = () => workers.forEach(kill);
  process.on("exit", killAll);
  let timer: NodeJS.Timeout | undefined;
  let interruptTimer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), boundMs(cfg, n))));
  void stop?.then(() => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGINT");
    interruptTimer = setTimeout(killAll, cfg.drainS * MS_PER_S + WORKER_INTERRUPT_GRACE_MS);
  });
  try {
    const reports: FleetReport[] = [];
    const pending = new Map(workers.map((w) => [w.k, w.done.then((end) => ({ w, end }))]));
    while (pending.size > 0) {
      const next = await Promise.race([...pending.values(), timedOut]);
      if (next === "timeout") {
        io.err(`mote sim: shard ${[...pending.keys()][0]}/${n} was still running after ${Math.round(boundMs(cfg, n) / MS_PER_S)} s; stopped\n`);
        return 1;
      }
      pending.delete(next.w.k);
      const r = parseReport(next.w, next.end);
      if (typeof r === "string") {
        io.err(`mote sim: shard ${next.w.k}/${n} (pid ${next.w.child.pid}) ${r}\n`);
        return 1;
      }
      reports.push(r);
    }
    const shards = checkShards(reports.map((report) => ({ source: join(cfg.reportDir, `shard-${report.shard.k}`), report })));
    return publishMerged(mergeReports(shards.map((s) => s.report), runRecord(argv, cfg)), cfg.reportDir, cfg.json, io, "mote sim");
  } catch (e) {
    io.err(`mote sim: merging the workers' reports: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    progress?.stop();
    clearTimeout(timer);
    clearTimeout(interruptTimer);
    killAll();
    process.off("exit", killAll);
  }
}
