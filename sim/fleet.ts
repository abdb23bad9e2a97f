// Runs a fleet: the broker, the observer, the groups and their sensors (started at the ramp
// rate), publishing for the configured duration, then a drain until every message published
// has arrived (or the drain time is up), then an orderly DISCONNECT of everyone. Returns what
// was measured; sim/fleet-report.ts turns it into the report.
import { embeddedBroker, externalBroker, type FleetBroker } from "./broker.ts";
import { GroupRun } from "./group.ts";
import { Observer } from "./observer.ts";
import { Sensor, type SensorEnv } from "./sensor.ts";
import { modemLine, type ModemLine } from "./modem-line.ts";
import { type FleetConfig, type GroupConfig } from "./config.ts";
import { Progress, type ProgressSnapshot } from "./progress.ts";
import { sensorSeed } from "./prng.ts";
import { checkGroupBudget } from "./group-budget.ts";
import { ErrorTally, type ErrorCount } from "./error-tally.ts";
import { memorySample, warmCount } from "./memory.ts";
import { sleep } from "../host/sleep.ts";
import { BoardGroup, type BoardReport } from "./board-group.ts";
import { LINK_DOWN_ATTEMPT_MESSAGE, LINK_DOWN_MESSAGE } from "./outage.ts";
import { outagesFrom } from "./link-spec.ts";
import { drainLimitS, groupsLeftOut, planGroups } from "./fleet-plan.ts";
import { HealthMonitor, type SimulatorHealth } from "./health.ts";
import { onVirtualTime } from "./virtual-run.ts";
import { realTimers } from "./virtual-timers.ts";
import { speedOf } from "./speed.ts";
import { SeriesRecorder, seriesPeriodMs, type FleetTotals, type TimeSeries } from "./series.ts";
import { Histogram } from "./histogram.ts";
import { FleetClock } from "./fleet-clock.ts";
import { Firmware } from "../host/firmware.ts";

/** Sensors created per turn of the event loop while starting "all at once". */
const START_BATCH = 250;
/**
 * Firmware instances made per turn of the event loop ahead of their sensors. V8 counts each
 * instance's 64 KiB Wasm memory as external memory and collects the whole heap each time that
 * grows by 64 MB: once per 1,024 instances, whatever else is going on.
 */
const INSTANTIATE_BATCH = 1024;
/** How often the ramp starts its next batch. */
const RAMP_TICK_MS = 100;
/** How often the drain checks whether everything arrived. */
const DRAIN_POLL_MS = 100;
/** Wait for connections before measuring memory (all connected, or this long). */
const SETTLE_MAX_MS = 10_000;
/** After the last DISCONNECT: time for the broker to see the connections close. */
const CLOSE_GRACE_MS = 300;
const MS_PER_S = 1000;
const US_PER_S = 1e6;
const S_PER_DAY = 86_400;
/** Seeds of the groups' link randomness, apart from the sensors' seeds. */
const GROUP_SEED_BASE = 0x6000;

export interface FleetRun {
  cfg: FleetConfig;
  brokerName: string;
  shardIds: { first: number; end: number };
  groups: GroupRun[];
  startedAt: Date;
  /** From the fleet start to the end of the drain. */
  elapsedS: number;
  publishS: number;
  /** Ctrl-C (or `stop`) ended publishing before the configured duration. */
  interrupted: boolean;
  health: SimulatorHealth;
  series: TimeSeries;
  /** Per sensor of this shard: what the report's worst-sensors table ranks. */
  sensors: { id: number; group: number; published: number; delivered: number; duplicates: number; maxLatencyMs: number; reconnects: number }[];
  timeline: { tS: number; connected: number }[];
  lost: number[];
  transportErrors: number;
  errors: ErrorCount[];
  memory: { sensors: number; heapBytes: number; rssBytes: number };
  observer: { unreadable: number; foreign: number };
  /** Per group: serial bytes of its modems (undefined for groups without modems). */
  serial: ({ toModem: number; fromModem: number } | undefined)[];
  /** The emulated boards (--board), when there were any. */
  boards?: BoardReport[];
}


class Fleet {
  /** When it ran (wall clock, also on virtual time). */
  readonly startedAt = new realTimers.Date();
  private readonly t0 = performance.now();
  readonly clock = () => performance.now() - this.t0;
  readonly groups: GroupRun[];
  readonly observer: Observer;
  readonly sensors: Sensor[] = [];
  readonly errors = new ErrorTally();
  readonly timeline: FleetRun["timeline"] = [{ tS: 0, connected: 0 }];
  readonly progress: Progress;
  private readonly modems: { group: GroupRun; line: ModemLine }[] = [];
  private readonly env: SensorEnv;
  private readonly sampler: NodeJS.Timeout;
  private readonly recorder: SeriesRecorder;
  readonly health = new HealthMonitor();
  private connected = 0;
  memory: FleetRun["memory"] = { sensors: 0, heapBytes: 0, rssBytes: 0 };
  private phase: ProgressSnapshot["phase"] = "starting";
  /** When publishing ended (set as the drain starts), so progress counts the drain from there. */
  private publishedS: number | undefined;
  stopped = false;
  boards: BoardGroup | undefined;
  /** How long the drain may last (--drain until it starts, see drainLimitS). */
  private drainLimitS: number | undefined;

  constructor(
    readonly cfg: FleetConfig, readonly broker: FleetBroker, readonly ids: { first: number; end: number },
    plan: ReturnType<typeof planGroups>["groups"],
  ) {
    // Outages written as a time of day fall at that time of the run's clock (virtual time starts at midnight).
    const startOfDayS = Math.floor(Date.now() / MS_PER_S) % S_PER_DAY;
    const groupCfg = (g: GroupConfig) => ({ ...g, link: { ...g.link, outages: outagesFrom(g.link.outages, startOfDayS) } });
    this.groups = plan.map((p) =>
      new GroupRun(groupCfg(cfg.groups[p.index]), p.first, p.end, () => broker.open(), this.t0, sensorSeed(cfg.seed, GROUP_SEED_BASE + p.index)));
    for (const g of this.groups) g.outages.start();
    this.observer = new Observer(this.groups, ids.first, this.clock, (e) => this.errors.note("observer", e));
    this.env = {
      version: cfg.version, keepaliveS: cfg.keepaliveS, seed: cfg.seed, clientPrefix: cfg.clientPrefix, topicAliases: cfg.topicAliases,
      clock: this.clock, timers: new FleetClock(), stopAtMs: cfg.durationS * 1000,
      onConnectionChange: (d) => (this.connected += d),
      onTransportError: (e) => this.errors.note("transport", e),
      onConnectRefused: (e) => this.errors.note("connect refused", e),
    };
    this.progress = new Progress(() => this.snapshot(), cfg.progress, cfg.json);
    this.recorder = new SeriesRecorder(seriesPeriodMs(cfg.durationS + cfg.drainS));
    this.sampler = setInterval(() => this.sample(), this.recorder.periodMs);
    this.health.start();
  }

  /**
   * Creates and starts every sensor (modem groups first get one emulated modem per sensor), at
   * the ramp rate, waits for them to connect, and measures the memory they took.
   */
  async startSensors(): Promise<void> {
    const makers: ((fw?: Firmware) => Sensor)[] = [];
    const profiles: string[] = [];
    for (const g of this.groups) {
      for (let id = g.first; id < g.end; id++) {
        profiles.push(g.cfg.profile);
        if (!g.cfg.modem) {
          makers.push((fw) => new Sensor(id, g, this.env, undefined, fw));
          continue;
        }
        const line = await modemLine(g.cfg.modem, this.broker.tcp, sensorSeed(this.cfg.seed, id));
        this.modems.push({ group: g, line });
        makers.push((fw) => new Sensor(id, g, this.env, () => g.open(() => line.open()), fw));
      }
    }
    const firmwares: (Firmware | undefined)[] = [];
    const ramp = this.cfg.ramp;
    const batch = ramp > 0 ? Math.max(1, Math.round((ramp * RAMP_TICK_MS) / 1000)) : START_BATCH;
    // Memory per sensor is the growth from a warm fleet to the whole fleet (sim/memory.ts).
    const warm = warmCount(makers.length);
    let warmSample = warm === makers.length ? memorySample() : undefined;
    for (let i = 0; i < makers.length && !this.stopped; ) {
      const end = Math.min(i + batch, i < warm ? warm : makers.length);
      for (let k = i; k < end; k++) {
        const s = makers[k](firmwares[k]);
        firmwares[k] = undefined;
        this.sensors.push(s);
        s.start();
      }
      i = end;
      await sleep(ramp > 0 ? RAMP_TICK_MS : 0);
      if (warmSample === undefined && i >= warm) {
        await this.settle();
        warmSample = memorySample();
        await this.instantiate(profiles, i, firmwares);
      }
    }
    await this.settle();
    const all = memorySample();
    // A Ctrl-C before the warm tenth started leaves nothing to measure from.
    const base = warmSample ?? all;
    const counted = warmSample === undefined ? 0 : this.sensors.length - (warm === makers.length ? 0 : warm);
    this.memory = { sensors: counted, heapBytes: all.heap - base.heap, rssBytes: all.rss - base.rss };
    this.phase = "running";
  }

  /**
   * Makes the firmware instances of sensors from `first` on, before their sensors: each full GC
   * that V8 runs per 1,024 Wasm memories then marks a heap of instances, not one of whole sensors
   * and their broker connections, several times larger (100,000 sensors: 98 full collections of a
   * heap growing to 1.5 GB, most of the time it took to connect them all, test/bench/SCALE.md).
   * On real time it yields between batches so the sensors already started keep publishing; on
   * virtual time it does not, so the simulated clock does not move.
   */
  private async instantiate(profiles: string[], first: number, into: (Firmware | undefined)[]): Promise<void> {
    for (let k = first; k < profiles.length && !this.stopped; ) {
      const end = Math.min(k + INSTANTIATE_BATCH, profiles.length);
      for (; k < end; k++) into[k] = new Firmware(profiles[k]);
      if (this.cfg.time === "real") await sleep(0);
    }
  }

  /** Waits until every sensor is connected (or SETTLE_MAX_MS, or the publishing time is over). */
  async settle(): Promise<void> {
    const until = performance.now() + SETTLE_MAX_MS;
    while (this.connected < this.sensors.length && performance.now() < until && this.clock() < this.env.stopAtMs && !this.stopped) await sleep(50);
  }

  /** Publishing ends at the configured time or on `stop`. Returns the seconds it lasted. */
  async publish(stop?: Promise<void>): Promise<number> {
    await Promise.race([sleep(Math.max(0, this.env.stopAtMs - this.clock())), stop ?? new Promise(() => {})]);
    for (const s of this.sensors) s.stopPublishing();
    return this.clock() / 1000;
  }

  /**
   * Waits for what is in flight; an interrupted run drains too, so its report counts it rather
   * than calling it lost. Scheduled outages end with publishing: the drain runs on a working link,
   * so whether a message arrives does not depend on where the drain falls in the outage cycle.
   */
  async drain(): Promise<void> {
    for (const g of this.groups) g.outages.stop();
    this.phase = "draining";
    this.publishedS = this.clock() / 1000;
    this.drainLimitS = drainLimitS(this.cfg.drainS, this.groups);
    const until = performance.now() + this.drainLimitS * MS_PER_S;
    this.boards?.endPublishing();
    const arrived = () => this.groups.every((g) => g.delivered >= g.published) && (this.boards?.complete ?? true);
    while (!arrived() && performance.now() < until) await sleep(DRAIN_POLL_MS);
  }

  /** Messages each group published that the observer never saw. */
  lost(): number[] {
    const lost = this.groups.map(() => 0);
    for (const s of this.sensors) lost[this.groups.indexOf(s.group)] += Math.max(0, s.seq - this.observer.delivered(s.id));
    return lost;
  }

  /** Serial bytes of each group's modems, AT framing included. */
  serial(): FleetRun["serial"] {
    return this.groups.map((g) => {
      if (!g.cfg.modem) return undefined;
      const sum = { toModem: 0, fromModem: 0 };
      for (const m of this.modems) {
        if (m.group !== g) continue;
        const b = m.line.serialBytes();
        sum.toModem += b.toModem;
        sum.fromModem += b.fromModem;
      }
      return sum;
    });
  }

  /** One point of the time series (and of the connections timeline). */
  sample(): void {
    const p = this.recorder.record(this.clock(), this.totals());
    this.timeline.push({ tS: p.tS, connected: p.connected });
  }

  private totals(): FleetTotals {
    const t: FleetTotals = {
      published: 0, delivered: 0, bytesUp: 0, bytesDown: 0, connected: this.connected, errors: this.errorsBeyondOutages(), reconnects: 0,
      latencies: new Histogram(), queued: 0,
    };
    for (const s of this.sensors) t.queued += s.pending;
    for (const g of this.groups) {
      t.published += g.published;
      t.delivered += g.delivered;
      t.bytesUp += g.up.total().bytes;
      t.bytesDown += g.down.total().bytes;
      t.reconnects += g.reconnects;
      g.takePeriodLatencies(t.latencies);
    }
    return t;
  }

  series(): TimeSeries {
    return this.recorder.series();
  }

  /** What each sensor published and the observer saw of it. */
  perSensor(): FleetRun["sensors"] {
    return this.sensors.map((s) => ({
      id: s.id, group: this.groups.indexOf(s.group), published: s.seq, delivered: this.observer.delivered(s.id),
      ...this.observer.worst(s.id), reconnects: s.reconnects,
    }));
  }

  async close(): Promise<void> {
    clearInterval(this.sampler);
    this.health.stop();
    this.progress.stop();
    for (const s of this.sensors) s.end();
    await this.boards?.stop();
    await this.observer.end();
    await sleep(CLOSE_GRACE_MS);
    for (const g of this.groups) g.outages.stop();
    await Promise.all(this.modems.map((m) => m.line.close().catch(() => {})));
    await this.broker.close();
  }

  /** Errors other than what scheduled outages did (links cut, attempts while down): the run doing what was asked is not an error. */
  private errorsBeyondOutages(): number {
    return this.errors.total - this.errors.withMessage(LINK_DOWN_MESSAGE) - this.errors.withMessage(LINK_DOWN_ATTEMPT_MESSAGE);
  }

  private snapshot(): ProgressSnapshot {
    let published = 0;
    let delivered = 0;
    let bytesUp = 0;
    let bytesDown = 0;
    const refused = this.errors.ofKind("connect refused");
    const outageCuts = this.errors.withMessage(LINK_DOWN_MESSAGE);
    for (const g of this.groups) {
      published += g.published;
      delivered += g.delivered;
      bytesUp += g.up.total().bytes;
      bytesDown += g.down.total().bytes;
    }
    return {
      elapsedS: this.clock() / 1000, totalS: this.publishedS ?? this.cfg.durationS, drainS: this.drainLimitS ?? this.cfg.drainS, phase: this.phase,
      connected: this.connected, sensors: this.sensors.length,
      published, delivered, errors: this.errorsBeyondOutages(), outageCuts, bytesUp, bytesDown,
      refused: refused.count, ...(refused.latest !== undefined && { refusedReason: refused.latest }),
    };
  }
}

/**
 * Runs the fleet on the time the config asks for: real time, or (--time virtual) one simulated
 * clock that jumps from event to event, with how fast it went.
 */
export async function runFleet(cfg: FleetConfig, stop?: Promise<void>, warn: (line: string) => void = () => {}): Promise<FleetRun> {
  const wall0 = realTimers.now();
  const cpu0 = process.cpuUsage();
  const run = cfg.time === "virtual" ? (await onVirtualTime(() => runFleetNow(cfg, stop, warn))).value : await runFleetNow(cfg, stop, warn);
  const cpu = process.cpuUsage(cpu0);
  run.health.speed = speedOf(cfg.time, run.elapsedS, (realTimers.now() - wall0) / MS_PER_S, (cpu.user + cpu.system) / US_PER_S, run);
  return run;
}

async function runFleetNow(cfg: FleetConfig, stop: Promise<void> | undefined, warn: (line: string) => void): Promise<FleetRun> {
  const leftOut = groupsLeftOut(cfg, warn);
  const plan = planGroups(cfg, leftOut);
  for (const g of cfg.groups) checkGroupBudget(g, cfg.version);
  const broker: FleetBroker = cfg.broker === undefined ? await embeddedBroker() : externalBroker(cfg.broker, cfg.tls);
  const fleet = new Fleet(cfg, broker, plan.ids, plan.groups);
  for (const [g, why] of leftOut) fleet.errors.note("left out", new Error(`group '${g.name}': ${why}`));
  void stop?.then(() => (fleet.stopped = true));
  try {
    const { observer } = fleet;
    await observer.start(broker, { version: cfg.version, clientId: `${cfg.clientPrefix}observer-${cfg.shard.k}of${cfg.shard.n}`, url: cfg.broker,
      credentials: cfg.credentials });
    fleet.progress.start();
    await fleet.startSensors();
    if (cfg.board) {
      const url = cfg.broker ?? `mqtt://${broker.tcp.host}:${broker.tcp.port}`;
      fleet.boards = await BoardGroup.start(cfg.board, { broker, url, tls: cfg.tls, clientPrefix: cfg.clientPrefix, version: cfg.version });
    }
    const publishS = await fleet.publish(stop);
    const interrupted = fleet.stopped && publishS < cfg.durationS;
    await fleet.drain();
    const elapsedS = fleet.clock() / 1000;
    fleet.sample();
    const health = fleet.health.stop(cfg.time === "virtual");
    fleet.progress.stop();
    return {
      cfg, brokerName: broker.name, shardIds: plan.ids, groups: fleet.groups, startedAt: fleet.startedAt, elapsedS, publishS,
      interrupted, health, series: fleet.series(), sensors: fleet.perSensor(),
      timeline: fleet.timeline, lost: fleet.lost(), transportErrors: fleet.errors.total, errors: fleet.errors.list(),
      memory: fleet.memory,
      observer: { unreadable: observer.unreadable, foreign: observer.foreign },
      serial: fleet.serial(),
      ...(fleet.boards && { boards: fleet.boards.report() }),
    };
  } finally {
    await fleet.close();
  }
}
