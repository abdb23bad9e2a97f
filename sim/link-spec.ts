// The link a group of simulated sensors sees, as data: the model, the --link flag that sets it,
// and the words a report uses for it. A wrong flag is an error with one clear line, never a
// silent default.
import { usageError } from "../host/errors.ts";


export interface Outage {
  /** first outage start, seconds after the fleet start */
  atS: number;
  /** length in seconds */
  forS: number;
  /** repeat period in seconds (0 = once) */
  everyS: number;
  /**
   * Written as a time of day (`2h@02:00/1d`): seconds after midnight. The fleet sets atS to the
   * first such moment after its start (virtual time starts at midnight; real time at the UTC time
   * of day it starts), see outagesFrom.
   */
  timeOfDayS?: number;
}

export interface LinkModel {
  /** One-way delay added to every chunk, each direction. */
  latencyMs: number;
  /** Extra uniform random delay 0..jitterMs per chunk; byte order is preserved, as on TCP. */
  jitterMs: number;
  /** 0..1: probability a chunk is lost on the wire; it is retransmitted (delayed), never dropped. */
  loss: number;
  /** Bits per second per direction, 0 = unlimited. */
  bandwidthBps: number;
  outages: Outage[];
}

export const DIRECT: LinkModel = Object.freeze({ latencyMs: 0, jitterMs: 0, loss: 0, bandwidthBps: 0, outages: Object.freeze([]) as unknown as Outage[] });

export function isDirect(m: LinkModel): boolean {
  return m.latencyMs === 0 && m.jitterMs === 0 && m.loss === 0 && m.bandwidthBps === 0 && m.outages.length === 0;
}


const MS_PER_S = 1000;
const PERCENT = 100;
/** Bandwidth suffixes: 64k is 64,000 bit/s, 2M is 2,000,000 (decimal, as line rates are quoted). */
const BANDWIDTH_SUFFIX: Record<string, number> = { "": 1, k: 1e3, M: 1e6 };
const KEYS = ["latency", "jitter", "loss", "bandwidth", "outage"] as const;
type Key = (typeof KEYS)[number];

/** A non-negative decimal with an optional suffix; the sign is captured so "-5ms" is reported as negative. */
const QUANTITY = /^(-?)(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z%]*)$/;

function fail(part: string, problem: string): never {
  throw usageError(`--link: '${part}' ${problem}`);
}

/** Splits "12.5ms" into 12.5 and "ms"; anything else is an error naming the part. */
function quantity(part: string, text: string): { n: number; unit: string } {
  const m = QUANTITY.exec(text.trim());
  if (!m) fail(part, "is not a number");
  if (m[1] === "-") fail(part, "must not be negative");
  return { n: Number(m[2]), unit: m[3] };
}

const TIME_UNIT_MS: Record<string, number> = { ms: 1, s: MS_PER_S, m: 60 * MS_PER_S, h: 3600 * MS_PER_S, d: 86_400 * MS_PER_S };
const S_PER_DAY = 86_400;

/** A time in milliseconds; a bare number is milliseconds unless a unit is required. */
function durationMs(part: string, text: string, unitRequired: boolean): number {
  const { n, unit } = quantity(part, text);
  const scale = TIME_UNIT_MS[unit];
  if (scale !== undefined) return n * scale;
  if (unit === "" && !unitRequired) return n;
  if (unit === "") fail(part, "needs a unit on every time (ms, s, m, h or d)");
  fail(part, `has an unknown time unit '${unit}' (use ms, s, m, h or d)`);
}

/** An outage start: a time after the fleet start (10s, 2h) or a time of day (02:00, 23:30:15). */
function outageStart(part: string, text: string): { atS: number; timeOfDayS?: number } {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return { atS: durationMs(part, text, true) / MS_PER_S };
  const [h, min, sec] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || sec > 59) fail(part, `has no time of day '${text.trim()}' (00:00 to 23:59:59)`);
  const timeOfDayS = h * 3600 + min * 60 + sec;
  return { atS: timeOfDayS, timeOfDayS };
}

function loss(part: string, text: string): number {
  const { n, unit } = quantity(part, text);
  if (unit !== "" && unit !== "%") fail(part, "must be a percentage (1%) or a fraction (0.01)");
  const p = unit === "%" ? n / PERCENT : n;
  if (!(p < 1)) fail(part, "must be from 0% to below 100%");
  return p;
}

function bandwidth(part: string, text: string): number {
  const { n, unit } = quantity(part, text);
  const scale = BANDWIDTH_SUFFIX[unit];
  if (scale === undefined) fail(part, `has an unknown suffix '${unit}' (use k or M, e.g. 64k)`);
  if (!(n > 0)) fail(part, "must be above 0 bit/s");
  return n * scale;
}

/** "5s@10s" or "5s@10s/30s"; several joined by ";". */
function outages(part: string, text: string): Outage[] {
  return text.split(";").map((one) => {
    const m = /^([^@/]+)@([^@/]+)(?:\/([^@/]+))?$/.exec(one.trim());
    if (!m) fail(part, "must be LENGTH@START or LENGTH@START/PERIOD, e.g. 5s@10s/30s or 2h@02:00/1d");
    const forMs = durationMs(part, m[1], true);
    const start = outageStart(part, m[2]);
    const everyMs = m[3] === undefined ? 0 : durationMs(part, m[3], true);
    if (!(forMs > 0)) fail(part, "must last longer than 0 s");
    if (m[3] !== undefined && !(everyMs > forMs)) fail(part, "must repeat with a period longer than the outage");
    return { ...start, forS: forMs / MS_PER_S, everyS: everyMs / MS_PER_S };
  });
}

/** Parses a --link flag value; throws a usage MoteError with one clear line on any bad part. */
export function parseLinkSpec(spec: string): LinkModel {
  const text = spec.trim();
  if (text === "" || text === "direct") return DIRECT;
  const m: LinkModel = { latencyMs: 0, jitterMs: 0, loss: 0, bandwidthBps: 0, outages: [] };
  const seen = new Set<Key>();
  for (const raw of text.split(",")) {
    const part = raw.trim();
    if (part === "") throw usageError(`--link: '${text}' has an empty part (a stray comma?)`);
    const kv = /^(\w+)\s*=\s*(.*)$/.exec(part);
    if (!kv) fail(part, "is not key=value (e.g. latency=200ms)");
    const key = kv[1] as Key;
    if (!KEYS.includes(key)) fail(part, `has an unknown key (use ${KEYS.join(", ")})`);
    if (seen.has(key)) fail(part, `repeats the key '${key}'`);
    seen.add(key);
    const value = kv[2];
    if (key === "latency") m.latencyMs = durationMs(part, value, false);
    else if (key === "jitter") m.jitterMs = durationMs(part, value, false);
    else if (key === "loss") m.loss = loss(part, value);
    else if (key === "bandwidth") m.bandwidthBps = bandwidth(part, value);
    else m.outages = outages(part, value);
  }
  return m;
}

/**
 * The outages of a fleet that starts `startOfDayS` seconds after a midnight: those written as a
 * time of day move to their first such moment at or after the start (seconds after it).
 */
export function outagesFrom(outages: Outage[], startOfDayS: number): Outage[] {
  const sinceStart = (tod: number) => (((tod - startOfDayS) % S_PER_DAY) + S_PER_DAY) % S_PER_DAY;
  return outages.map((o) => (o.timeOfDayS === undefined ? o : { ...o, atS: sinceStart(o.timeOfDayS) }));
}

/** Seconds in words: "90 s", "5 min", "2 h", "1 d" (whole units only, else seconds). */
function showSeconds(s: number): string {
  for (const [unit, size] of [["d", S_PER_DAY], ["h", 3600], ["min", 60]] as const) if (s >= size && s % size === 0) return `${show(s / size)} ${unit}`;
  return `${show(s)} s`;
}

function showTimeOfDay(s: number): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return hms.slice(0, hms[2] > 0 ? 3 : 2).map(two).join(":");
}

/** Drops float noise (0.07 * 100 is 7.000000000000001) so reports show what the flag said. */
const show = (n: number) => String(Number(n.toPrecision(12)));

function showBandwidth(bps: number): string {
  if (bps >= 1e6 && bps % 1e6 === 0) return `${show(bps / 1e6)} Mbit/s`;
  if (bps >= 1e3 && bps % 1e3 === 0) return `${show(bps / 1e3)} kbit/s`;
  return `${show(bps)} bit/s`;
}

/** The model in words for reports: "direct", or e.g. "latency 200 ms ± 50 ms, loss 1%, 9600 bit/s, outage 5 s at 10 s every 30 s". */
export function describeLink(m: LinkModel): string {
  if (isDirect(m)) return "direct";
  const parts: string[] = [];
  if (m.latencyMs > 0 || m.jitterMs > 0) parts.push(`latency ${show(m.latencyMs)} ms${m.jitterMs > 0 ? ` ± ${show(m.jitterMs)} ms` : ""}`);
  if (m.loss > 0) parts.push(`loss ${show(m.loss * PERCENT)}%`);
  if (m.bandwidthBps > 0) parts.push(showBandwidth(m.bandwidthBps));
  for (const o of m.outages) {
    const at = o.timeOfDayS === undefined ? showSeconds(o.atS) : showTimeOfDay(o.timeOfDayS);
    parts.push(`outage ${showSeconds(o.forS)} at ${at}${o.everyS > 0 ? ` every ${showSeconds(o.everyS)}` : ""}`);
  }
  return parts.join(", ");
}
