// startEmulator: a serial line (a socat pty pair, a real port, or an in-process line), the AT
// engine, one dialect, and the impairments: scripted, scheduled from the seed, or injected by the caller.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { AtEngine } from "./at-engine.ts";
import { Bg96 } from "./bg96.ts";
import type { Dialect, DialectEnv, Moment } from "./dialect.ts";
import { EspAt } from "./esp-at.ts";
import { Prng } from "../../host/prng.ts";
import { SerialLine } from "./serial-line.ts";
import { startPtyPair, type PtyPair } from "./socat.ts";
import { Transcript } from "./transcript.ts";
import type { Emulator, EmulatorOptions, EmulatorStats, Injection, InjectionKind } from "./types.ts";

const DEFAULT_BAUD = 115200;

/** Per-dialect defaults; EmulatorOptions override each. */
const DEFAULTS = {
  "esp-at": { latencyMs: 2, bootMs: 500, bearerDelayMs: 200, recvBufferBytes: 5744, sendBufferBytes: 2920, guardTimeMs: 20 },
  bg96: { latencyMs: 10, bootMs: 5000, bearerDelayMs: 1000, recvBufferBytes: 10240, sendBufferBytes: 4096, guardTimeMs: 1000 },
} as const;
const CONNECT_TIMEOUT_MS = 10000;
const URC_HOLD_MS = 2000;

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const defaults = DEFAULTS[options.dialect];
  if (defaults === undefined) throw new Error(`unknown dialect ${String(options.dialect)} (esp-at or bg96)`);
  if ([options.link, options.port, options.line].filter((x) => x !== undefined).length > 1) throw new Error("link, port and line exclude each other");
  if (!(options.baudRate === undefined || options.baudRate >= 300)) throw new Error(`bad baud rate ${options.baudRate}`);
  const t0 = performance.now();
  const clock = () => performance.now() - t0;
  const seed = options.seed ?? 1;
  const prng = new Prng(seed);
  const impairments = options.impairments ?? {};
  const transcript = new Transcript(clock, options.transcript);
  const counts = { commands: 0, errors: 0, sendFails: 0, reboots: 0, injections: 0 };

  let pair: PtyPair | undefined;
  let dir: string | undefined;
  let path = options.port ?? options.line?.path;
  if (path === undefined) {
    dir = mkdtempSync(join(tmpdir(), "mote-modem-"));
    path = options.link ?? join(dir, "tty");
    pair = await startPtyPair(path, join(dir, "modem"), dir).catch((err: unknown) => {
      rmSync(dir!, { recursive: true, force: true });
      throw err;
    });
    pair.onExit = (log) => transcript.event(`socat exited: ${log.trim().split("\n").pop() ?? ""}`);
  }

  let dialect: Dialect | undefined;
  const armed = new Set<Moment>();
  const line = await SerialLine.open({
    path: pair?.inner ?? path,
    line: options.line,
    baudRate: options.baudRate ?? DEFAULT_BAUD,
    paceInput: pair !== undefined,
    prng,
    impairments,
    clock,
    onInput: (bytes) => engine.feed(bytes),
    onOutputIdle: () => dialect?.pump(),
    onEvent: (text) => transcript.event(text),
  }).catch(async (err: unknown) => {
    await pair?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    throw err;
  });

  const moment = (at: Moment) => {
    if (!armed.has(at) && !prng.chance(impairments.urcRate)) return;
    if (dialect!.urc(at)) {
      armed.delete(at);
      transcript.event(`urc at ${at}`);
      dialect!.pump();
    }
  };
  const engine = new AtEngine({
    clock,
    write: (bytes) => line.write(bytes),
    outputPending: () => line.outputPending,
    transcript,
    latencyMs: options.latencyMs ?? defaults.latencyMs,
    get busyReply() { return dialect?.busyReply; },
    onCommand: () => counts.commands++,
    onError: () => counts.errors++,
    onMoment: (at) => moment(at),
  });

  const reboot = (clearLine: boolean) => {
    counts.reboots++;
    transcript.event("reboot");
    if (clearLine) line.clear();
    armed.clear();
    dialect!.reboot();
    engine.reboot(bootMs, () => dialect!.banner());
  };
  const bootMs = options.bootMs ?? defaults.bootMs;
  const env: DialectEnv = {
    engine,
    transcript,
    prng,
    recvBufferBytes: options.recvBufferBytes ?? defaults.recvBufferBytes,
    sendBufferBytes: options.sendBufferBytes ?? defaults.sendBufferBytes,
    connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    rttMs: options.rttMs ?? 0,
    bootMs,
    bearerDelayMs: options.bearerDelayMs ?? defaults.bearerDelayMs,
    guardTimeMs: options.guardTimeMs ?? defaults.guardTimeMs,
    outputPending: () => line.outputPending,
    holding: () => armed.has("prompt") || armed.has("read"),
    reboot,
    countSendFail: () => counts.sendFails++,
  };
  dialect = options.dialect === "esp-at" ? new EspAt(env) : new Bg96(env);
  engine.table = dialect.table;

  const timers = new Set<NodeJS.Timeout>();
  const timer = (ms: number, fn: () => void) => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
  };
  const inject = (what: InjectionKind | Injection) => {
    const inj: Injection = typeof what === "string" ? { kind: what } : what;
    counts.injections++;
    transcript.event(`inject ${inj.kind}${inj.socket !== undefined ? ` socket ${inj.socket}` : ""}${inj.at ? ` at ${inj.at}` : ""}`);
    switch (inj.kind) {
      case "remote-close": return dialect!.remoteClose(inj.socket);
      case "bearer-loss": return dialect!.bearerLoss();
      case "reboot": return reboot(true);
      case "noise": return line.injectNoise(inj.bytes ?? 8);
      case "drop": return line.dropNext(inj.bytes ?? 1);
      case "stall": return dialect!.stall(true);
      case "resume": return dialect!.stall(false);
      case "urc": {
        const at = inj.at ?? "prompt";
        if (at === "now") {
          if (dialect!.urc("now")) dialect!.pump();
          return;
        }
        armed.add(at);
        // An armed URC keeps data notices back; a host that never prompts or reads must not
        // wait forever for them.
        timer(URC_HOLD_MS, () => {
          if (!armed.delete(at)) return;
          transcript.event(`urc at ${at}: no moment within ${URC_HOLD_MS} ms`);
          if (!env.holding()) dialect!.releaseHeld();
        });
        return;
      }
      default: throw new Error(`unknown injection ${String(inj.kind)}`);
    }
  };

  for (const step of impairments.script ?? []) timer(step.atMs, () => inject(step.inject));
  const schedule = impairments.schedule;
  if (schedule !== undefined && schedule.kinds.length > 0) {
    const next = () => timer(prng.exponential(schedule.meanIntervalMs), () => {
      inject(schedule.kinds[prng.between(0, schedule.kinds.length - 1)]!);
      next();
    });
    next();
  }

  let stopped: Promise<void> | undefined;
  return {
    path,
    dialect: options.dialect,
    inject,
    stats(): EmulatorStats {
      const net = dialect!.socketStats();
      return {
        seed,
        serialIn: line.serialIn,
        serialOut: line.serialOut,
        serialWrites: line.writes,
        ...counts,
        netIn: dialect!.netIn,
        netOut: dialect!.netOut,
        dropped: line.dropped,
        noise: line.noise,
        sockets: net,
      };
    },
    stop() {
      stopped ??= (async () => {
        for (const t of timers) clearTimeout(t);
        engine.halt();
        dialect!.reboot();
        transcript.event("stop");
        transcript.flush();
        await line.close();
        await pair?.stop();
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
