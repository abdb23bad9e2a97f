// Progress while the fleet runs: a live line rewritten in place on a terminal, a plain line every
// few seconds otherwise (logs, CI), or JSON lines with --json.
import { realTimers, virtualTimeInstalled } from "./virtual-timers.ts";
import { humanMs } from "./human-units.ts";

export interface ProgressSnapshot {
  elapsedS: number;
  /** Publishing time: as configured, or as it was once publishing ended (earlier on Ctrl-C). */
  totalS: number;
  /** The most the drain may last. */
  drainS: number;
  phase: "starting" | "running" | "draining";
  connected: number;
  sensors: number;
  published: number;
  delivered: number;
  errors: number;
  /** CONNECTs the broker refused, and the latest refusal's reason (with its code), among the errors. */
  refused: number;
  refusedReason?: string;
  /** Links cut by scheduled outages: the run doing what was asked, shown apart from the errors. */
  outageCuts?: number;
  bytesUp: number;
  bytesDown: number;
}

/** Live line refresh on a terminal, and the period of plain lines elsewhere. */
const TTY_REFRESH_MS = 500;
const LINE_PERIOD_MS = 5000;

const si = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));

/** Simulated time in words: "45 s", "3 h 20 min", "12 d 4 h". */
function simulated(s: number): string {
  const DAY_S = 86_400;
  if (s < DAY_S) return humanMs(s * 1000);
  const d = Math.floor(s / DAY_S);
  const h = Math.floor((s % DAY_S) / 3600);
  return `${d} d${h > 0 ? ` ${h} h` : ""}`;
}

/**
 * Where a run on virtual time is: simulated time done and asked for, how many times faster than
 * real time it goes (`perS.simulatedS` simulated seconds per wall second), and the wall time left.
 */
function virtualWhere(s: ProgressSnapshot, simulatedPerS: number): string {
  const left = simulatedPerS > 0 && s.phase !== "draining" ? ` about ${humanMs((Math.max(0, s.totalS - s.elapsedS) / simulatedPerS) * 1000)} left,` : "";
  return `${simulated(s.elapsedS)} of ${simulated(s.totalS)} simulated, ${s.phase},${left} ${si(simulatedPerS)}x real time`;
}

export function progressLine(s: ProgressSnapshot, perS: { msgs: number; bytes: number; simulatedS?: number }): string {
  const where = perS.simulatedS !== undefined ? virtualWhere(s, perS.simulatedS) : s.phase === "draining"
    ? `${s.elapsedS.toFixed(0)} s: published ${s.totalS.toFixed(0)} s, draining ${Math.max(0, s.elapsedS - s.totalS).toFixed(0)}/${s.drainS.toFixed(0)} s`
    : `${s.elapsedS.toFixed(0)}/${s.totalS.toFixed(0)} s ${s.phase}, ${Math.max(0, s.totalS - s.elapsedS).toFixed(0)} s left`;
  return `[${where}] connected ${s.connected}/${s.sensors}, ` +
    `${si(perS.msgs)} msg/s, ${si(perS.bytes)} B/s, published ${s.published}, delivered ${s.delivered}, errors ${s.errors}` +
    (s.refused > 0 ? ` (${s.refused} logins refused: ${s.refusedReason?.replace(/^connection refused: /, "")})` : "") +
    (s.outageCuts ? `, ${s.outageCuts} links cut by scheduled outages` : "");
}

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private last: ProgressSnapshot | undefined;
  private lastAt = 0;
  private readonly tty: boolean;

  constructor(private readonly snapshot: () => ProgressSnapshot, private readonly mode: "auto" | "none", private readonly json: boolean,
    private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = !json && out.isTTY === true;
  }

  start(): void {
    if (this.mode === "none") return;
    this.started = true;
    this.lastAt = realTimers.now();
    // Wall time, also on virtual time: progress is for the person waiting.
    this.timer = realTimers.setInterval(() => this.tick(), this.tty ? TTY_REFRESH_MS : LINE_PERIOD_MS);
    this.timer.unref();
  }

  stop(): void {
    realTimers.clearInterval(this.timer);
    if (!this.started || this.stopped) return;
    this.stopped = true;
    this.tick();
    if (this.tty) this.out.write("\n");
  }

  private tick(): void {
    const s = this.snapshot();
    const now = realTimers.now();
    // Wall seconds since the last line (the first: since start()); on virtual time elapsedS is simulated.
    const dt = (now - this.lastAt) / 1000;
    // On virtual time the rates are the simulator's, per wall second, and it says how fast simulated time goes.
    const perS = {
      msgs: dt > 0 ? (s.published - (this.last?.published ?? 0)) / dt : 0,
      bytes: dt > 0 ? (s.bytesUp + s.bytesDown - (this.last ? this.last.bytesUp + this.last.bytesDown : 0)) / dt : 0,
      ...(virtualTimeInstalled() && { simulatedS: dt > 0 ? (s.elapsedS - (this.last?.elapsedS ?? 0)) / dt : 0 }),
    };
    this.last = s;
    this.lastAt = now;
    if (this.json) {
      const simulated = perS.simulatedS === undefined ? {} : { simulatedPerS: Math.round(perS.simulatedS) };
      this.out.write(JSON.stringify({ progress: { ...s, msgsPerS: Math.round(perS.msgs), bytesPerS: Math.round(perS.bytes), ...simulated } }) + "\n");
    }
    else if (this.tty) this.out.write(`\r\x1b[K${progressLine(s, perS)}`);
    else this.out.write(progressLine(s, perS) + "\n");
  }
}
