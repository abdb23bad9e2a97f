// Turns a fleet run into the report object (sim/report-types.ts): counts per group and overall,
// the wire budget of a typical message, bytes per sensor per day and month, the device budget.
import { readFileSync } from "node:fs";
import { mcuSizes, profileBudget } from "../host/budget-report.ts";
import { wasmPath } from "../host/firmware.ts";
import type { FleetRun } from "./fleet.ts";
import type { FleetReport, GroupReport, MessageCounts } from "./report-types.ts";
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

function groupReport(run: FleetRun, g: GroupRun, lost: number, serial: FleetRun["serial"][number]): GroupReport {
  const c = g.cfg;
  const payloadBytes = median(g.payloadSizes);
  const topicBytes = Buffer.byteLength(g.topicOf(g.first));
  const msg = (version: 4 | 5, alias: boolean) => publishBytes({ version, topicBytes, payloadBytes, qos: c.qos, alias });
  // Steady traffic only: a short run's connection set-up, extrapolated to a month, would swamp it.
  const up = g.up.total(SESSION_PACKETS);
  const down = g.down.total(SESSION_PACKETS);
  return {
    name: c.name, sensors: g.size, ids: g.size > 0 ? `${g.first}-${g.end - 1}` : "none", model: c.model, payload: c.payload, qos: c.qos,
    topic: c.topic, intervalMs: c.intervalMs, jitterMs: c.jitterMs, link: linkWords(g),
    messages: { published: g.published, delivered: g.delivered, lost, duplicates: g.duplicates, refusedLocally: g.refused },
    latencyMs: latencySummary(g.latencies),
    message: { payloadBytes, topicBytes, mqtt311: msg(4, false), mqtt5: msg(5, false), mqtt5Alias: msg(5, true) },
    perSensor: perSensorBudget({
      upBytes: up.bytes, downBytes: down.bytes, upPackets: up.packets, downPackets: down.packets, connections: g.connects,
      sensors: Math.max(1, g.size), runSeconds: Math.max(1, run.publishS),
    }),
    reconnects: g.reconnects,
    connectMs: latencySummary(g.connectTimes),
    ...(serial && {
      serial: {
        toModemBytes: serial.toModem, fromModemBytes: serial.fromModem,
        bytesPerMessage: g.published > 0 ? Math.round((serial.toModem + serial.fromModem) / g.published) : 0,
      },
    }),
  };
}

/** The sensors that lost most, then had most duplicates, then the slowest delivery. */
function worstSensors(run: FleetRun): FleetReport["worstSensors"] {
  return run.sensors
    .map((s) => ({ ...s, group: run.groups[s.group].cfg.name, lost: Math.max(0, s.published - s.delivered) }))
    .sort((a, b) => b.lost - a.lost || b.duplicates - a.duplicates || b.maxLatencyMs - a.maxLatencyMs || a.id - b.id)
    .slice(0, WORST_SENSORS_MAX)
    .map((s) => ({
      id: s.id, group: s.group, published: s.published, delivered: s.delivered, lost: s.lost, duplicates: s.duplicates,
      maxLatencyMs: s.maxLatencyMs, reconnects: s.reconnects,
    }));
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
