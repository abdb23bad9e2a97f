// Turns a fleet run into the report object (sim/report-types.ts): counts per group and overall,
// the wire budget of a typical message, bytes per sensor per day and month, the device budget.
import { readFileSync } from "node:fs";
import { mcuSizes, profileBudget } from "../host/budget-report.ts";
import { wasmPath } from "../host/firmware.ts";
import type { FleetRun } from "./fleet.ts";
import type { FleetReport, GroupReport, Measured, MessageCounts, WorstSensor } from "./report-types.ts";
import { latencySummary } from "./report.ts";
import { publishBytes, perSensorBudget, OVERHEAD } from "./wire-budget.ts";
import { stackBound } from "./stack-bound.ts";
import { describeLink, isDirect } from "./link-model.ts";
import { WireTable } from "./wire-meter.ts";
import type { GroupRun } from "./group.ts";
import { PacketType } from "../host/abi.ts";
import { outageWindows } from "./outage.ts";
import { runRecord } from "./run-record.ts";
import { verdictOf } from "./verdict.ts";
import { Histogram } from "./histogram.ts";

/** The profile's Cortex-M4 figures from the board build, when there is one. */
function cortexM4(profile: string): Pick<FleetReport["device"], "cortexM4"> {
  const s = mcuSizes()?.[profile];
  if (!s || typeof s.firmwareFlash !== "number" || typeof s.firmwareRam !== "number") return {};
  return { cortexM4: { firmwareFlash: s.firmwareFlash, firmwareRam: s.firmwareRam, stackMax: s.stackMax ?? null } };
}

/** Rows of the worst-sensors table. */
export const WORST_SENSORS_MAX = 10;

/** Packets of a connection's set-up and end, left out of the per-day extrapolation (counted once per connection instead). */
const SESSION_PACKETS = [PacketType.CONNECT, PacketType.CONNACK, PacketType.DISCONNECT] as const;

const median = (xs: number[]) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

function linkWords(g: GroupRun): string {
  const link = isDirect(g.cfg.link) ? "" : describeLink(g.cfg.link);
  if (!g.cfg.modem) return link || "direct";
  return `${g.cfg.modem.dialect} modem at ${g.cfg.modem.baud} baud${link ? `, ${link}` : ""}`;
}

/** A typical message of a group, as sent and with MQTT 5 topic aliases off/on. */
export function typicalMessage(topicBytes: number, payloadBytes: number, qos: 0 | 1 | 2): GroupReport["message"] {
  const msg = (version: 4 | 5, alias: boolean) => publishBytes({ version, topicBytes, payloadBytes, qos, alias });
  return { payloadBytes, topicBytes, mqtt311: msg(4, false), mqtt5: msg(5, false), mqtt5Alias: msg(5, true) };
}

/** Bytes per sensor per day and month, scaled from what a group's `sensors` measured. */
export function perSensorOf(m: Measured, sensors: number): GroupReport["perSensor"] {
  return perSensorBudget({
    upBytes: m.upBytes, downBytes: m.downBytes, upPackets: m.upPackets, downPackets: m.downPackets, connections: m.connects,
    sensors: Math.max(1, sensors), runSeconds: m.runS,
  });
}

function groupReport(run: FleetRun, g: GroupRun, lost: number, serial: FleetRun["serial"][number]): GroupReport {
  const c = g.cfg;
  // Steady traffic only: a short run's connection set-up, extrapolated to a month, would swamp it.
  const up = g.up.total(SESSION_PACKETS);
  const down = g.down.total(SESSION_PACKETS);
  const measured: Measured = {
    upBytes: up.bytes, downBytes: down.bytes, upPackets: up.packets, downPackets: down.packets, connects: g.connects,
    runS: Math.max(1, Math.round(run.publishS * 1000) / 1000),
  };
  return {
    name: c.name, sensors: g.size, ids: g.size > 0 ? `${g.first}-${g.end - 1}` : "none", model: c.model, payload: c.payload, qos: c.qos,
    topic: c.topic, intervalMs: c.intervalMs, jitterMs: c.jitterMs, link: linkWords(g),
    messages: { published: g.published, delivered: g.delivered, lost, duplicates: g.duplicates, refusedLocally: g.refused },
    latencyMs: latencySummary(g.latencies),
    message: typicalMessage(Buffer.byteLength(g.topicOf(g.first)), median(g.payloadSizes), c.qos),
    perSensor: perSensorOf(measured, g.size),
    measured,
    reconnects: g.reconnects,
    maxQueuedPerSensor: g.maxQueued,
    connectMs: latencySummary(g.connectTimes),
    ...(serial && {
      serial: {
        toModemBytes: serial.toModem, fromModemBytes: serial.fromModem,
        bytesPerMessage: g.published > 0 ? Math.round((serial.toModem + serial.fromModem) / g.published) : 0,
      },
    }),
  };
}

/** The worst-sensors order: most lost, then most duplicates, then the slowest delivery, then the lowest id. */
export const worstFirst = (a: WorstSensor, b: WorstSensor) =>
  b.lost - a.lost || b.duplicates - a.duplicates || b.maxLatencyMs - a.maxLatencyMs || a.id - b.id;

/** The sensors that lost most, then had most duplicates, then the slowest delivery. */
function worstSensors(run: FleetRun): FleetReport["worstSensors"] {
  return run.sensors
    .map((s) => ({
      id: s.id, group: run.groups[s.group].cfg.name, published: s.published, delivered: s.delivered, lost: Math.max(0, s.published - s.delivered),
      duplicates: s.duplicates, maxLatencyMs: s.maxLatencyMs, reconnects: s.reconnects,
    }))
    .sort(worstFirst)
    .slice(0, WORST_SENSORS_MAX);
}

function allLatencies(groups: GroupRun[]): Histogram {
  const h = new Histogram();
  for (const g of groups) h.merge(g.latencies);
  return h;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The report of a run; `argv` is its command line (shown with secrets redacted). */
export function fleetReport(run: FleetRun, argv: string[] = []): FleetReport {
  const cfg = run.cfg;
  const groups = run.groups.map((g, i) => groupReport(run, g, run.lost[i], run.serial[i]));
  const sum = (f: (m: MessageCounts) => number) => groups.reduce((n, g) => n + f(g.messages), 0);
  const up = new WireTable();
  const down = new WireTable();
  for (const g of run.groups) {
    up.merge(g.up);
    down.merge(g.down);
  }
  const profile = cfg.groups[0]?.profile ?? "default";
  const budget = profileBudget(profile);
  const sensors = run.groups.reduce((n, g) => n + g.size, 0);
  const errors = run.errors.map((e) => ({ kind: e.kind, count: e.count, example: e.example }));
  if (run.observer.unreadable > 0) {
    errors.push({ kind: "observer", count: run.observer.unreadable, example: "a message on a sensor topic did not decode as its payload format" });
  }
  // Publishing as configured, or until the interruption (a timer may fire a hair before its time).
  const publishedS = run.interrupted ? round1(run.publishS) : cfg.durationS;
  const report: Omit<FleetReport, "verdict"> = {
    tool: "mqtt-mote sim",
    startedAt: run.startedAt.toISOString(),
    broker: run.brokerName,
    protocol: cfg.version === 5 ? "5.0" : "3.1.1",
    profile: [...new Set(cfg.groups.map((g) => g.profile))].join(", "),
    seed: cfg.seed,
    durationS: publishedS,
    configuredDurationS: cfg.durationS,
    interrupted: run.interrupted,
    drainedS: round1(Math.max(0, run.elapsedS - run.publishS)),
    shard: { k: cfg.shard.k, n: cfg.shard.n, firstId: run.shardIds.first, lastId: run.shardIds.end - 1, fleetSensors: cfg.sensors },
    sensors,
    messages: {
      published: sum((m) => m.published), delivered: sum((m) => m.delivered), lost: sum((m) => m.lost),
      duplicates: sum((m) => m.duplicates), refusedLocally: sum((m) => m.refusedLocally),
    },
    latencyMs: latencySummary(allLatencies(run.groups)),
    bytesByPacketType: up.table(),
    bytesReceivedByPacketType: down.table(),
    groups,
    overhead: OVERHEAD,
    connections: {
      timeline: run.timeline,
      connects: run.groups.reduce((n, g) => n + g.connects, 0),
      reconnects: run.groups.reduce((n, g) => n + g.reconnects, 0),
      transportErrors: run.transportErrors,
    },
    device: {
      wasmBytes: budget.wasmBytes,
      staticBytes: budget.staticBytes,
      linearMemoryBytes: budget.memoryBytes,
      memoryRegions: Object.fromEntries(budget.regions.map((r) => [r.name, r.size])),
      stack: stackBound(readFileSync(wasmPath(profile))),
      hostBytesPerSensor: Math.round(run.memory.heapBytes / Math.max(1, run.memory.sensors)),
      rssBytesPerSensor: Math.round(run.memory.rssBytes / Math.max(1, run.memory.sensors)),
      memoryMeasuredSensors: run.memory.sensors,
      ...cortexM4(profile),
    },
    errors,
    health: run.health,
    series: run.series,
    outages: run.groups.flatMap((g) => outageWindows(g.cfg.link.outages, publishedS).map((w) => ({ group: g.cfg.name, ...w }))),
    worstSensors: worstSensors(run),
    run: runRecord(argv, cfg),
    ...(run.boards && { boards: run.boards }),
  };
  return { ...report, verdict: verdictOf(report) };
}
