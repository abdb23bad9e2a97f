// The driver's work, one async function per kind (sync, a step list, open, close, send, read,
// probe, escape). Each issues commands through the AT engine, asks replies.ts what each result
// means, and returns a value: a Fault when the work failed, never an exception. They hold no
// state of their own; the loop (modem-driver.ts) applies what they return.
import type { AtEngine, AtResult, Exchange } from "../at-engine.ts";
import { fill, type Dialect, type DialectParams, type Step } from "../dialect.ts";
import type { PassthroughEnd } from "./passthrough.ts";
import {
  ABORTED, commandFault, isBusy, openOutcome, probeFault, readOutcome, retryDelayMs, sendOutcome, stepOutcome, syncAttempt,
  type ReadOutcome,
} from "./replies.ts";
import { fault, type DriverState, type Fault } from "./states.ts";
import type { Timing } from "./options.ts";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Guard times must not be cut short: a timer may fire a little before its time on performance.now(). */
async function sleepUntil(deadline: number): Promise<void> {
  for (let left = deadline - performance.now(); left > 0; left = deadline - performance.now()) await sleep(Math.ceil(left));
}

/** What the work needs of the driver. */
export interface StepContext {
  readonly engine: AtEngine;
  readonly dialect: Dialect;
  readonly timing: Timing;
  /** APN, SSID, password: what the dialect's steps may use. */
  readonly params: DialectParams;
  readonly transparent: boolean;
  readonly path: string;
  readonly baudRate: number;
  readonly msPerByte: number;
  readonly passthroughEnd: PassthroughEnd;
  /** The modem may hold a socket: set by an open, cleared by a close. */
  modemSocket: boolean;
  /** The driver's state now (an error reply keeps it). */
  state(): DriverState;
  /** A fault came from outside (URC, port) since the work began: stop at the next wait. */
  raised(): boolean;
  /** When the last byte went to the port (guard times count from it). */
  lastWrite(): number;
  /** Resolves once the port has sent everything written. */
  drain(): Promise<void>;
}

/** No more than a pause between sync attempts, or after a noisy one. */
const SYNC_PAUSE_MS = 100;
/** After a late sync: a late OK to an earlier attempt must arrive before the next command. */
const SYNC_SETTLE_MS = 200;
/** The sync attempt that first tries the transparent-mode escape: a modem left in passthrough takes AT for data. */
const ESCAPE_ATTEMPT = 2;

/** One command; "busy" replies (the modem is still at something else) are tried again a few times. */
async function runCommand(ctx: StepContext, ex: Exchange): Promise<AtResult> {
  for (let attempt = 0; ; attempt++) {
    const r = await ctx.engine.run(ex);
    if (!isBusy(ctx.dialect, r, attempt)) return r;
    await sleep(retryDelayMs(ctx.timing.retryDelayMs, attempt));
    if (ctx.raised()) return r;
  }
}

function exchange(ctx: StepContext, st: Step, params: DialectParams, more: Partial<Exchange> = {}): Promise<AtResult> {
  return runCommand(ctx, {
    cmd: fill(st.cmd, params),
    timeoutMs: st.timeoutMs * ctx.timing.timeoutScale,
    ok: st.ok ?? ctx.dialect.ok,
    fail: st.fail ?? ctx.dialect.fail,
    then: st.then,
    ...more,
  });
}

/** Runs a dialect's step list; steps needing a parameter nobody gave are skipped. */
export async function runSteps(ctx: StepContext, list: readonly Step[]): Promise<Fault | undefined> {
  const params = { ...ctx.params, password: ctx.params.password ?? "" };
  for (const st of list) {
    if (st.needs && params[st.needs] === undefined) continue;
    const out = stepOutcome(ctx.state(), st, await exchange(ctx, st, params));
    if (out.then === "fail") return out.fault;
    if (out.then === "done") return undefined;
  }
  return undefined;
}

/** `AT` until OK, then the dialect's sync steps (echo off, verbose errors). */
export async function sync(ctx: StepContext): Promise<Fault | undefined> {
  const { syncAttempts, syncReplyMs } = ctx.timing;
  if (ctx.engine.payOwed()) await sleep(Math.min(SYNC_PAUSE_MS, syncReplyMs)); // its SEND OK / FAIL comes first
  ctx.engine.reset();
  let attempt = 0;
  for (;; attempt++) {
    if (attempt >= syncAttempts) return fault(`modem: no reply to AT on ${ctx.path} at ${ctx.baudRate} baud`, "SYNC");
    if (attempt === ESCAPE_ATTEMPT && ctx.dialect.transparent) await escape(ctx);
    const r = await runCommand(ctx, { cmd: "AT", timeoutMs: syncReplyMs, ok: ctx.dialect.ok, fail: ctx.dialect.fail });
    const next = syncAttempt(r);
    if (next === "synced") break;
    if (next === "aborted") return ABORTED;
    if (next === "pause-then-again") await sleep(Math.min(SYNC_PAUSE_MS, syncReplyMs));
  }
  if (attempt > 0) await sleep(Math.min(SYNC_SETTLE_MS, syncReplyMs));
  return runSteps(ctx, ctx.dialect.sync);
}

/** Closes the modem's socket (an optional step: "not open" is fine). */
export async function closeModemSocket(ctx: StepContext): Promise<Fault | undefined> {
  const f = await runSteps(ctx, [ctx.dialect.close]);
  if (!f) ctx.modemSocket = false;
  return f;
}

/** Opens the TCP socket; in transparent mode the stream starts here too. */
export async function openSocket(ctx: StepContext, host: string, port: number): Promise<Fault | undefined> {
  const d = ctx.dialect;
  const st = ctx.transparent ? d.open.transparent ?? d.open.pull : d.open.pull;
  const params = { ...ctx.params, host, port };
  ctx.passthroughEnd.reset();
  for (let attempt = 0; ; attempt++) {
    ctx.modemSocket = true;
    const r = await exchange(ctx, st, params, { passthrough: ctx.transparent && !d.transparent?.start });
    const out = openOutcome(d, st, `${host}:${port}`, r, attempt);
    if (out.then === "opened") break;
    if (out.then === "fail") return out.fault;
    const closed = out.then === "close-and-retry" || out.closeFirst ? await closeModemSocket(ctx) : undefined;
    if (closed) return closed;
    if (out.then === "close-and-retry") continue;
    ctx.modemSocket = false;
    return out.fault;
  }
  if (!(ctx.transparent && d.transparent?.start)) return undefined;
  const r = await exchange(ctx, d.transparent.start, params, { untilPrompt: true, passthrough: true });
  return "ok" in r ? undefined : commandFault(ctx.state(), r);
}

/** Sends one chunk (at most the dialect's maximum); 0 when given up because of a fault or an abort. */
export async function send(ctx: StepContext, payload: Buffer, aborted: () => boolean): Promise<{ sent: number } | Fault> {
  const d = ctx.dialect.send;
  const ex: Exchange = { cmd: fill(d.cmd, { n: payload.length }), payload, ok: d.ok, fail: d.fail, timeoutMs: d.timeoutMs * ctx.timing.timeoutScale };
  for (let attempt = 0; ; attempt++) {
    const out = sendOutcome(ctx.dialect, await runCommand(ctx, ex), attempt, ctx.timing.retryDelayMs);
    if (out.then === "sent") return { sent: payload.length };
    if (out.then === "fail") return out.fault;
    await sleep(out.afterMs);
    if (ctx.raised() || aborted()) return { sent: 0 };
  }
}

/** Transparent mode: the bytes go as they are; done when the port has sent them. */
export async function sendTransparent(ctx: StepContext, chunks: readonly Buffer[]): Promise<void> {
  for (const bytes of chunks) ctx.engine.writeRaw(bytes);
  await ctx.drain();
}

/** Reads at most `want` bytes of what waits in the modem. */
export async function read(ctx: StepContext, want: number): Promise<ReadOutcome> {
  const d = ctx.dialect.read;
  const r = await runCommand(ctx, {
    cmd: fill(d.cmd, { n: want }), maxDataBytes: want,
    ok: ctx.dialect.ok,
    fail: ctx.dialect.fail,
    timeoutMs: d.timeoutMs * ctx.timing.timeoutScale + want * ctx.msPerByte,
  });
  return readOutcome(ctx.dialect, r);
}

/** `AT` while idle: an unplugged port only shows on a write, a hung modem only on a command. */
export async function probe(ctx: StepContext): Promise<Fault | undefined> {
  return probeFault(ctx.path, await runCommand(ctx, { cmd: "AT", timeoutMs: ctx.timing.syncReplyMs, ok: ctx.dialect.ok, fail: ctx.dialect.fail }));
}

/** Leaves transparent mode: silence, the escape alone, silence. */
export async function escape(ctx: StepContext): Promise<void> {
  const t = ctx.dialect.transparent!;
  const guard = ctx.timing.guardMs ?? t.guardMs;
  const tok = ctx.engine.tokenizer;
  await sleepUntil(ctx.lastWrite() + guard);
  const confirmed = t.escapeReply && tok.inPassthrough ? ctx.passthroughEnd.escapeConfirmed() : undefined;
  ctx.engine.writeRaw(Buffer.from(t.escape, "latin1"));
  await sleepUntil(ctx.lastWrite() + guard);
  if (confirmed) await Promise.race([confirmed, sleep(guard)]); // the modem may answer only after its own guard time
  ctx.passthroughEnd.stopWaiting();
  if (tok.inPassthrough) ctx.engine.passthrough(false);
}
