// Progress of a run split over workers (--workers): each worker prints its progress as JSON lines
// on stderr; the parent keeps each one's latest and prints one line for the whole fleet, as a single
// process would: counts summed, the slowest worker's time and phase, rates summed (on virtual time,
// the slowest worker's pace of simulated time).
import { progressLine, type ProgressSnapshot } from "./progress.ts";
import { realTimers } from "./virtual-timers.ts";

/** One worker's progress line as it printed it (--json). */
export interface WorkerProgress extends ProgressSnapshot {
  msgsPerS: number;
  bytesPerS: number;
  simulatedPerS?: number;
}

const PHASES: ProgressSnapshot["phase"][] = ["starting", "running", "draining"];
/** How often the fleet's line is printed (as a single process prints its own off a terminal). */
const LINE_PERIOD_MS = 5000;

/** The progress of a worker's stderr line, or undefined when the line is something else. */
export function workerProgress(line: string): WorkerProgress | undefined {
  if (!line.startsWith("{\"progress\":")) return undefined;
  try {
    return (JSON.parse(line) as { progress: WorkerProgress }).progress;
  } catch {
    return undefined;
  }
}

/** The whole fleet's progress from each worker's latest. */
export function fleetProgress(all: WorkerProgress[]): WorkerProgress {
  const sum = (f: (p: WorkerProgress) => number) => all.reduce((n, p) => n + f(p), 0);
  const slowest = Math.min(...all.map((p) => PHASES.indexOf(p.phase)));
  const paces = all.flatMap((p) => (p.simulatedPerS === undefined ? [] : [p.simulatedPerS]));
  return {
    elapsedS: Math.min(...all.map((p) => p.elapsedS)), totalS: Math.max(...all.map((p) => p.totalS)), drainS: Math.max(...all.map((p) => p.drainS)),
    phase: PHASES[slowest], connected: sum((p) => p.connected), sensors: sum((p) => p.sensors), published: sum((p) => p.published),
    delivered: sum((p) => p.delivered), errors: sum((p) => p.errors), refused: sum((p) => p.refused), outageCuts: sum((p) => p.outageCuts ?? 0),
    bytesUp: sum((p) => p.bytesUp), bytesDown: sum((p) => p.bytesDown), msgsPerS: sum((p) => p.msgsPerS), bytesPerS: sum((p) => p.bytesPerS),
    ...(paces.length > 0 && { simulatedPerS: Math.min(...paces) }),
  };
}

/** Prints the fleet's line every LINE_PERIOD_MS from the workers' latest (once each has said something). */
export class WorkersProgress {
  private readonly latest = new Map<number, WorkerProgress>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly workers: number, private readonly json: boolean, private readonly err: (text: string) => void) {
    this.timer = realTimers.setInterval(() => this.print(), LINE_PERIOD_MS);
    this.timer.unref();
  }

  note(k: number, p: WorkerProgress): void {
    this.latest.set(k, p);
  }

  stop(): void {
    realTimers.clearInterval(this.timer);
  }

  private print(): void {
    if (this.latest.size < this.workers) return;
    const p = fleetProgress([...this.latest.values()]);
    if (this.json) this.err(JSON.stringify({ progress: { ...p, workers: this.workers } }) + "\n");
    else this.err(progressLine(p, { msgs: p.msgsPerS, bytes: p.bytesPerS, ...(p.simulatedPerS !== undefined && { simulatedS: p.simulatedPerS }) }) + "\n");
  }
}
