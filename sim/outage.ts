// A group's scheduled outages on the fleet's clock: whether the link is down now, and, while the
// schedule runs, cutting every live transport of the group the moment an outage starts. A
// transport opened during an outage fails as a refused connect would.
import { Duplex } from "node:stream";
import type { Outage } from "./link-spec.ts";

export const LINK_DOWN_MESSAGE = "link down (scheduled outage)";
/** A connection attempt while the link is down: not a cut (there was no link to cut), counted apart. */
export const LINK_DOWN_ATTEMPT_MESSAGE = "link down (scheduled outage): connection attempt failed";
export const LINK_DOWN_CODE = "ENETDOWN";
const MS_PER_S = 1000;
/** setTimeout's longest delay; a later outage start is reached by re-arming. */
const TIMER_DELAY_MAX_MS = 2 ** 31 - 1;

function linkDownError(message = LINK_DOWN_MESSAGE): Error {
  return Object.assign(new Error(message), { code: LINK_DOWN_CODE });
}

/** Errors a schedule of outages causes, by what they were: live links cut, and connection attempts while down. */
export function outageErrors(errors: { example: string; count: number }[]): { cuts: number; attempts: number } {
  const count = (m: string) => errors.filter((e) => e.example === m).reduce((n, e) => n + e.count, 0);
  return { cuts: count(LINK_DOWN_MESSAGE), attempts: count(LINK_DOWN_ATTEMPT_MESSAGE) };
}

/** Outages started by `elapsedMs` after the fleet start (each repetition counts). */
function startedBy(o: Outage, elapsedMs: number): number {
  const since = elapsedMs - o.atS * MS_PER_S;
  if (since < 0) return 0;
  return o.everyS > 0 ? Math.floor(since / (o.everyS * MS_PER_S)) + 1 : 1;
}

function downAt(o: Outage, elapsedMs: number): boolean {
  const since = elapsedMs - o.atS * MS_PER_S;
  if (since < 0) return false;
  const phase = o.everyS > 0 ? since % (o.everyS * MS_PER_S) : since;
  return phase < o.forS * MS_PER_S;
}

/** The first start after `elapsedMs`, or Infinity when none is left. */
function nextStart(o: Outage, elapsedMs: number): number {
  const at = o.atS * MS_PER_S;
  if (elapsedMs < at) return at;
  return o.everyS > 0 ? at + startedBy(o, elapsedMs) * o.everyS * MS_PER_S : Infinity;
}

/** Every outage window (seconds after the fleet start) that starts before `untilS`, cut at it. */
export function outageWindows(outages: Outage[], untilS: number): { fromS: number; toS: number }[] {
  const windows: { fromS: number; toS: number }[] = [];
  for (const o of outages) {
    for (let from = o.atS; from < untilS; from += o.everyS) {
      windows.push({ fromS: from, toS: Math.min(untilS, from + o.forS) });
      if (!(o.everyS > 0)) break;
    }
  }
  return windows.sort((a, b) => a.fromS - b.fromS);
}

export class OutageSchedule {
  private readonly live = new Set<Duplex>();
  private timer: NodeJS.Timeout | undefined;
  /** `started` when the timer last cut the live transports. */
  private cutAt = 0;
  /** The schedule is over (publishing ended): the link stays up. */
  private over = false;

  constructor(
    private readonly outages: Outage[],
    private readonly startMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  isDown(): boolean {
    if (this.over) return false;
    const t = this.now() - this.startMs;
    return this.outages.some((o) => downAt(o, t));
  }

  /** Count of outages that have started so far. */
  get started(): number {
    return this.startedBy(this.now() - this.startMs);
  }

  private startedBy(elapsedMs: number): number {
    return this.outages.reduce((n, o) => n + startedBy(o, elapsedMs), 0);
  }

  /** Registers a live transport, to be destroyed when an outage starts; one opened while down is cut at once. */
  track(t: Duplex): void {
    this.live.add(t);
    t.once("close", () => this.live.delete(t));
    // Deferred so the caller can attach its "error" listener first, as with a socket's errors.
    if (this.isDown()) setImmediate(() => t.destroy(linkDownError()));
  }

  /** A transport for `open()` while the link is down: "error" then "close" on the next timer tick. */
  refused(): Duplex {
    const t = Object.assign(new Duplex({ read() {}, write(_c, _e, cb) { cb(); } }), { connecting: true });
    const timer = setTimeout(() => {
      t.connecting = false;
      t.destroy(linkDownError(LINK_DOWN_ATTEMPT_MESSAGE));
    }, 0);
    t.once("close", () => clearTimeout(timer));
    return t;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.cutAt = this.started;
    this.arm();
  }

  /** Ends the schedule: no more cuts, and the link is up from now on. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.over = true;
  }

  private arm(t = this.now() - this.startMs): void {
    const next = Math.min(...this.outages.map((o) => nextStart(o, t)));
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.fire(), Math.min(TIMER_DELAY_MAX_MS, Math.max(0, Math.ceil(next - t))));
    this.timer.unref();
  }

  /**
   * Cuts the live transports if an outage has started since the last cut; a timer that fires
   * early only re-arms. One reading of the clock serves both decisions: read twice, a timer a
   * hair early would find no outage started yet and then no outage left to wait for.
   */
  private fire(): void {
    this.timer = undefined;
    const t = this.now() - this.startMs;
    const started = this.startedBy(t);
    if (started > this.cutAt) {
      this.cutAt = started;
      for (const live of [...this.live]) live.destroy(linkDownError());
    }
    this.arm(t);
  }
}
