// Runs a fleet: the broker, the observer, the groups and their sensors (started at the ramp
// rate), publishing for the configured duration, then a drain until every message published
// has arrived (or the drain time is up), then an orderly DISCONNECT of everyone. Returns what
// was measured; sim/fleet-report.ts turns it into the report.
import type { FleetConfig } from "./config.ts";
import { embeddedBroker, externalBroker, type FleetBroker } from "./broker.ts";
import { GroupRun } from "./group.ts";
import { Observer } from "./observer.ts";
import { Sensor, type SensorEnv } from "./sensor.ts";
import { modemLine, type ModemLine } from "./modem-line.ts";
import { Progress, type ProgressSnapshot } from "./progress.ts";
import { shardRange } from "./units.ts";
import { sensorSeed } from "./prng.ts";
import { checkGroupBudget } from "./group-budget.ts";

/** Sensors created per turn of the event loop while starting "all at once". */
const START_BATCH = 250;
/** How often the ramp starts its next batch. */
const RAMP_TICK_MS = 100;
/** How often the drain checks whether everything arrived. */
const DRAIN_POLL_MS = 100;
/** Wait for connections before measuring memory (all connected, or this long). */
const SETTLE_MAX_MS = 10_000;
/** After the last DISCONNECT: time for the broker to see the connections close. */
const CLOSE_GRACE_MS = 300;

export interface ErrorCount {
  kind: string;
  count: number;
  example: string;
}

export interface FleetRun {
  cfg: FleetConfig;
  brokerName: string;
  shardIds: { first: number; end: number };
  groups: GroupRun[];
  startedAt: Date;
  /** From the fleet start to the end of the drain. */
  elapsedS: number;
  publishS: number;
  timeline: { tS: number; connected: number }[];
  lost: number[];
  transportErrors: number;
  errors: ErrorCount[];
  memory: { sensors: number; heapBytes: number; rssBytes: number };
  observer: { unreadable: number; foreign: number };
  modemSerialBytes: { group: string; toModem: number; fromModem: number }[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc;

function memorySample(): { heap: number; rss: number } {
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

/** Groups of this shard: each group's global ids intersected with the shard's range. */
function planGroups(cfg: FleetConfig): { groups: { index: number; first: number; end: number }[]; ids: { first: number; end: number } } {
  const ids = shardRange(cfg.sensors, cfg.shard);
  let start = 0;
  const groups = cfg.groups.map((g, index) => {
    const first = Math.max(start, ids.first);
    const end = Math.min(start + g.count, ids.end);
    start += g.count;
    return { index, first, end: Math.max(first, end) };
  });
  return { groups, ids };
}

export async function runFleet(cfg: FleetConfig, stop?: Promise<void>): Promise<FleetRun> {
  const plan = planGroups(cfg);
  for (const g of cfg.groups) checkGroupBudget(g, cfg.version);
  const broker: FleetBroker = cfg.broker === undefined ? await embeddedBroker() : externalBroker(cfg.broker);
  const t0 = performance.now();
  const clock = () => performance.now() - t0;
  const startedAt = new Date();
  const groups = plan.groups.map((p) => new GroupRun(cfg.groups[p.index], p.first, p.end, () => broker.open(), t0, sensorSeed(cfg.seed, 0x6000 + p.index)));
  for (const g of groups) g.outages.start();
  const errors = new Map<string, ErrorCount>();
  let transportErrors = 0;
  const noteError = (kind: string, e: Error) => {
    const key = `${kind}: ${e.message.replace(/\d+/g, "N")}`;
    const c = errors.get(key) ?? { kind, count: 0, example: e.message };
    c.count++;
    errors.set(key, c);
  };
  const modems: { group: GroupRun; line: ModemLine }[] = [];
  const sensors: Sensor[] = [];
  let connected = 0;
  let phase: ProgressSnapshot["phase"] = "starting";
  const publishMs = cfg.durationS * 1000;
  const env: SensorEnv = {
    version: cfg.version, keepaliveS: cfg.keepaliveS, seed: cfg.seed, clientPrefix: cfg.clientPrefix, topicAliases: cfg.topicAliases, clock, stopAtMs: publishMs,
    onConnectionChange: (d) => (connected += d),
    onTransportError: (e) => {
      transportErrors++;
      noteError("transport", e);
    },
  };
  const observer = new Observer(groups, plan.ids.first, clock);
  const total = () => groups.reduce((a, g) => ({ published: a.published + g.published, delivered: a.delivered + g.delivered }), { published: 0, delivered: 0 });
  const bytes = () => groups.reduce((a, g) => ({ up: a.up + g.up.total().bytes, down: a.down + g.down.total().bytes }), { up: 0, down: 0 });
  const progress = new Progress(() => {
    const t = total();
    const b = bytes();
    return {
      elapsedS: clock() / 1000, totalS: cfg.durationS, phase, connected, sensors: sensors.length, published: t.published,
      delivered: t.delivered, errors: transportErrors, bytesUp: b.up, bytesDown: b.down,
    };
  }, cfg.progress, cfg.json);
  const timeline: FleetRun["timeline"] = [{ tS: 0, connected: 0 }];
  const sampler = setInterval(() => timeline.push({ tS: Math.round(clock() / 100) / 10, connected }), 1000);
  let stopped = false;
  void stop?.then(() => (stopped = true));

  try {
    await observer.start(broker, { version: cfg.version, clientId: `${cfg.clientPrefix}observer-${cfg.shard.k}of${cfg.shard.n}`, url: cfg.broker });
    progress.start();
    const before = memorySample();
    // Modem groups: one emulated modem (a socat pty pair) per sensor.
    for (const g of groups) {
      if (!g.cfg.modem) continue;
      for (let id = g.first; id < g.end; id++) modems.push({ group: g, line: await modemLine(g.cfg.modem, broker.tcp, sensorSeed(cfg.seed, id)) });
    }
    let m = 0;
    const all: (() => Sensor)[] = [];
    for (const g of groups) {
      for (let id = g.first; id < g.end; id++) {
        const line = g.cfg.modem ? modems[m++].line : undefined;
        all.push(() => new Sensor(id, g, env, line ? () => g.open(() => line.open()) : undefined));
      }
    }
    const batch = cfg.ramp > 0 ? Math.max(1, Math.round((cfg.ramp * RAMP_TICK_MS) / 1000)) : START_BATCH;
    for (let i = 0; i < all.length && !stopped; i += batch) {
      for (const make of all.slice(i, i + batch)) {
        const s = make();
        sensors.push(s);
        s.start();
      }
      await sleep(cfg.ramp > 0 ? RAMP_TICK_MS : 0);
    }
    phase = "running";
    const settleUntil = performance.now() + SETTLE_MAX_MS;
    while (connected < sensors.length && performance.now() < settleUntil && clock() < publishMs && !stopped) await sleep(50);
    const after = memorySample();
    const memory = { sensors: sensors.length, heapBytes: after.heap - before.heap, rssBytes: after.rss - before.rss };

    await Promise.race([sleep(Math.max(0, publishMs - clock())), stop ?? new Promise(() => {})]);
    for (const s of sensors) s.stopPublishing();
    const publishS = clock() / 1000;
    phase = "draining";
    const drainUntil = performance.now() + cfg.drainS * 1000;
    const done = () => groups.every((g) => g.delivered >= g.published);
    while (!done() && performance.now() < drainUntil && !stopped) await sleep(DRAIN_POLL_MS);
    const elapsedS = clock() / 1000;
    const lost = groups.map((g) => {
      let n = 0;
      for (const s of sensors) if (s.group === g) n += Math.max(0, s.seq - observer.delivered(s.id));
      return n;
    });
    progress.stop();
    return {
      cfg, brokerName: broker.name, shardIds: plan.ids, groups, startedAt, elapsedS, publishS, timeline, lost, transportErrors,
      errors: [...errors.values()], memory, observer: { unreadable: observer.unreadable, foreign: observer.foreign },
      modemSerialBytes: groups.filter((g) => g.cfg.modem).map((g) => modems.filter((x) => x.group === g)
        .reduce((a, x) => {
          const s = x.line.serialBytes();
          return { group: a.group, toModem: a.toModem + s.toModem, fromModem: a.fromModem + s.fromModem };
        }, { group: g.cfg.name, toModem: 0, fromModem: 0 })),
    };
  } finally {
    clearInterval(sampler);
    progress.stop();
    for (const s of sensors) s.end();
    await observer.end();
    await sleep(CLOSE_GRACE_MS);
    for (const g of groups) g.outages.stop();
    await Promise.all(modems.map((x) => x.line.close().catch(() => {})));
    await broker.close();
  }
}
