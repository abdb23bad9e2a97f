// One fleet report from the reports of its shards, as one process running every shard's sensors
// would have written it: counts summed, packet tables summed, latency and connect-time histograms
// merged and their percentiles read again, groups merged by name (per-sensor bytes scaled again
// from the summed measurements), the worst sensors ranked again, errors summed by kind and shape,
// the series summed period by period, the verdict decided again, and a row per shard. What
// describes the processes rather than the fleet (health, memory per sensor, the run record) is
// combined as well as it can be: the worst health, memory weighted by the sensors measured, the
// first shard's run record unless the caller gives one.
import { PacketType } from "../host/abi.ts";
import { Histogram } from "./histogram.ts";
import { latencySummary } from "./report.ts";
import { perSensorOf, typicalMessage, worstFirst, WORST_SENSORS_MAX } from "./fleet-report.ts";
import type { FleetReport, GroupReport, LatencySummary, Measured, MessageCounts, PacketTable, RunRecord, ShardRow } from "./report-types.ts";
import { mergeSeries, mergeSpeed, mergeTimeline, mergeUnknown } from "./merge-series.ts";
import { verdictOf } from "./verdict.ts";
import type { SimulatorSpeed } from "./speed.ts";

const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);
const round1 = (n: number) => Math.round(n * 10) / 10;
const roundMs = (s: number) => Math.round(s * 1000) / 1000;
const COUNTS: (keyof MessageCounts)[] = ["published", "delivered", "lost", "duplicates", "refusedLocally"];
const MEASURED_SUMS = ["upBytes", "downBytes", "upPackets", "downPackets", "connects"] as const;

function mergeSummaries(all: LatencySummary[]): LatencySummary {
  const h = new Histogram();
  for (const s of all) h.merge(Histogram.from(s.buckets ?? [], s.max));
  return latencySummary(h);
}

function mergePackets(all: PacketTable[]): PacketTable {
  const typeOf = (name: string) => (PacketType as unknown as Record<string, number>)[name] ?? Number(name.replace(/^TYPE/, ""));
  const names = [...new Set(all.flatMap((t) => Object.keys(t)))].sort((a, b) => typeOf(a) - typeOf(b));
  return Object.fromEntries(names.map((name) => {
    const rows = all.flatMap((t) => (t[name] ? [t[name]] : []));
    const packets = sum(rows, (r) => r.packets);
    const bytes = sum(rows, (r) => r.bytes);
    return [name, { packets, bytes, bytesPerPacket: Math.round((bytes / packets) * 10) / 10 }];
  }));
}

/** "0-9", "none" → ranges; merged back into the fewest "a-b" ranges. */
function mergeIds(all: string[]): string {
  const ranges = all.flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => /^\d+-\d+$/.test(s))
    .map((s) => s.split("-").map(Number)).sort((a, b) => a[0] - b[0]);
  const out: number[][] = [];
  for (const [a, b] of ranges) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out.length === 0 ? "none" : out.map(([a, b]) => `${a}-${b}`).join(", ");
}

/** The median payload of the shards' typical messages, each weighing its messages published. */
function typicalPayload(gs: GroupReport[]): number {
  const by = [...gs].sort((a, b) => a.message.payloadBytes - b.message.payloadBytes);
  const half = sum(by, (g) => g.messages.published) / 2;
  let seen = 0;
  for (const g of by) if ((seen += g.messages.published) > half) return g.message.payloadBytes;
  return by[0].message.payloadBytes;
}

function mergeMeasured(gs: GroupReport[]): Measured {
  const ms = gs.map((g) => g.measured!);
  const sensors = sum(gs, (g) => g.sensors);
  // Seconds per sensor: sensor-seconds over sensors, so per-sensor rates are the fleet's.
  const runS = sensors > 0 ? sum(gs, (g) => g.sensors * g.measured!.runS) / sensors : Math.max(...ms.map((m) => m.runS));
  const out = Object.fromEntries(MEASURED_SUMS.map((k) => [k, sum(ms, (m) => m[k])])) as Omit<Measured, "runS">;
  return { ...out, runS: roundMs(runS) };
}

function mergeGroup(gs: GroupReport[]): GroupReport {
  const [g] = gs;
  const sensors = sum(gs, (x) => x.sensors);
  const firstId = (x: GroupReport) => (x.sensors > 0 ? Number(x.ids.split("-")[0]) : Infinity);
  // One process takes the topic of the group's first sensor.
  const lowest = gs.reduce((a, b) => (firstId(b) < firstId(a) ? b : a));
  const measured = mergeMeasured(gs);
  const messages = Object.fromEntries(COUNTS.map((k) => [k, sum(gs, (x) => x.messages[k])])) as unknown as MessageCounts;
  const serial = gs.filter((x) => x.serial);
  const toModemBytes = sum(serial, (x) => x.serial!.toModemBytes);
  const fromModemBytes = sum(serial, (x) => x.serial!.fromModemBytes);
  return {
    ...g, sensors, ids: mergeIds(gs.map((x) => x.ids)), messages,
    latencyMs: mergeSummaries(gs.map((x) => x.latencyMs)),
    message: typicalMessage(lowest.message.topicBytes, typicalPayload(gs), g.qos),
    perSensor: perSensorOf(measured, sensors),
    measured,
    reconnects: sum(gs, (x) => x.reconnects),
    maxQueuedPerSensor: Math.max(...gs.map((x) => x.maxQueuedPerSensor ?? 0)),
    connectMs: mergeSummaries(gs.map((x) => x.connectMs)),
    ...(serial.length > 0 && {
      serial: {
        toModemBytes, fromModemBytes,
        bytesPerMessage: messages.published > 0 ? Math.round((toModemBytes + fromModemBytes) / messages.published) : 0,
      },
    }),
  };
}

/** Errors by kind and message shape (numbers masked, as sim/error-tally.ts counts them), the first shard's example kept. */
function mergeErrors(all: FleetReport["errors"][]): FleetReport["errors"] {
  const by = new Map<string, FleetReport["errors"][number]>();
  for (const e of all.flat()) {
    const shape = `${e.kind}: ${e.example.replace(/\d+/g, "N")}`;
    const had = by.get(shape);
    if (had) had.count += e.count;
    else by.set(shape, { ...e });
  }
  return [...by.values()];
}

/** The broker, once; shards on the embedded broker each had their own, which matters to anyone judging broker load. */
function brokerOf(reports: FleetReport[]): string {
  const names = [...new Set(reports.map((r) => r.broker))];
  const embedded = reports.filter((r) => r.broker.startsWith("embedded")).length;
  if (names.length === 1 && embedded > 1) return `${names[0].replace(/ \(in process\)$/, "")}, one per shard (${embedded} brokers, in process)`;
  return names.join(", ");
}

function mergeHealth(all: FleetReport["health"][], ks: number[], published: number): FleetReport["health"] {
  const worst = (f: (h: FleetReport["health"]) => number) => Math.max(...all.map(f));
  const warnings = all.flatMap((h, i) => (h.warning ? [`shard ${ks[i]}: ${h.warning}`] : []));
  return {
    eventLoopLagMs: { p50: worst((h) => h.eventLoopLagMs.p50), p99: worst((h) => h.eventLoopLagMs.p99), max: worst((h) => h.eventLoopLagMs.max) },
    // Shards run side by side: their CPU adds up (in % of one core, as each says).
    cpuPercent: sum(all, (h) => h.cpuPercent), cores: worst((h) => h.cores),
    ...(warnings.length > 0 && { warning: warnings.join("; ") }),
    // Speed is the shards' together: the longest wall time, the CPU of all (mergeSpeed).
    ...(all.some((h) => h.speed) && {
      speed: mergeSpeed(all.flatMap((h) => (h.speed ? [h.speed as unknown as Record<string, unknown>] : [])), published) as unknown as SimulatorSpeed,
    }),
  };
}

function mergeDevice(all: FleetReport["device"][]): FleetReport["device"] {
  const measured = sum(all, (d) => d.memoryMeasuredSensors);
  const weighted = (f: (d: FleetReport["device"]) => number) => (measured > 0 ? Math.round(sum(all, (d) => f(d) * d.memoryMeasuredSensors) / measured) : 0);
  return { ...all[0], hostBytesPerSensor: weighted((d) => d.hostBytesPerSensor), rssBytesPerSensor: weighted((d) => d.rssBytesPerSensor),
    memoryMeasuredSensors: measured };
}

const shardRow = (r: FleetReport): ShardRow => ({
  k: r.shard.k, n: r.shard.n, ids: `${r.shard.firstId}-${r.shard.lastId}`, sensors: r.sensors, published: r.messages.published,
  delivered: r.messages.delivered, lost: r.messages.lost, durationS: r.durationS, broker: r.broker, host: r.run.host.name,
});

/** Fields of FleetReport merged above by name; any other field is merged by mergeUnknown (speed by mergeSpeed). */
const KNOWN = new Set(["tool", "startedAt", "broker", "protocol", "profile", "seed", "durationS", "configuredDurationS", "interrupted", "drainedS",
  "verdict", "shard", "sensors", "messages", "latencyMs", "bytesByPacketType", "bytesReceivedByPacketType", "groups", "overhead", "connections",
  "device", "errors", "health", "series", "outages", "worstSensors", "run", "boards", "shards"]);

/** The merged report of `reports` (distinct shards of one fleet, by k: sim/merge-read.ts checks that). */
export function mergeReports(reports: FleetReport[], run?: RunRecord): FleetReport {
  const [a] = reports;
  const groups = a.groups.map((g) => mergeGroup(reports.map((r) => r.groups.find((x) => x.name === g.name)!)));
  const longest = reports.reduce((x, y) => (y.durationS > x.durationS ? y : x));
  const boards = reports.flatMap((r) => r.boards ?? []);
  // Fields other sessions add to the report (speed, reproducible) are merged by mergeExtras below.
  const merged: Omit<FleetReport, "verdict" | "speed" | "reproducible"> = {
    tool: a.tool,
    startedAt: reports.map((r) => r.startedAt).sort()[0],
    broker: brokerOf(reports),
    protocol: a.protocol, profile: a.profile, seed: a.seed,
    durationS: longest.durationS, configuredDurationS: a.configuredDurationS,
    interrupted: reports.some((r) => r.interrupted), drainedS: round1(Math.max(...reports.map((r) => r.drainedS))),
    shard: {
      k: 1, n: 1, firstId: Math.min(...reports.map((r) => r.shard.firstId)), lastId: Math.max(...reports.map((r) => r.shard.lastId)),
      fleetSensors: a.shard.fleetSensors,
    },
    sensors: sum(reports, (r) => r.sensors),
    messages: Object.fromEntries(COUNTS.map((k) => [k, sum(groups, (g) => g.messages[k])])) as unknown as MessageCounts,
    latencyMs: mergeSummaries(reports.map((r) => r.latencyMs)),
    bytesByPacketType: mergePackets(reports.map((r) => r.bytesByPacketType)),
    bytesReceivedByPacketType: mergePackets(reports.map((r) => r.bytesReceivedByPacketType)),
    groups,
    overhead: a.overhead,
    connections: {
      timeline: mergeTimeline(reports.map((r) => r.connections.timeline)),
      connects: sum(reports, (r) => r.connections.connects),
      reconnects: sum(reports, (r) => r.connections.reconnects),
      transportErrors: sum(reports, (r) => r.connections.transportErrors),
    },
    device: mergeDevice(reports.map((r) => r.device)),
    errors: mergeErrors(reports.map((r) => r.errors)),
    health: mergeHealth(reports.map((r) => r.health), reports.map((r) => r.shard.k), sum(reports, (r) => r.messages.published)),
    series: mergeSeries(reports.map((r) => r.series)),
    outages: longest.outages,
    worstSensors: reports.flatMap((r) => r.worstSensors).sort(worstFirst).slice(0, WORST_SENSORS_MAX),
    run: run ?? a.run,
    ...(boards.length > 0 && { boards }),
    shards: reports.map(shardRow),
  };
  const extra = mergeExtras(reports, merged.messages.published);
  return { ...merged, ...extra, verdict: verdictOf(merged) } as FleetReport;
}

/** Fields added to reports after this merge was written (speed, ...), from the shards that have them. */
function mergeExtras(reports: FleetReport[], published: number): Record<string, unknown> {
  const all = reports as unknown as Record<string, unknown>[];
  const keys = [...new Set(all.flatMap((r) => Object.keys(r)))].filter((k) => !KNOWN.has(k));
  return Object.fromEntries(keys.map((k) => {
    const has = all.filter((r) => r[k] !== undefined);
    if (k === "speed" && has.every((r) => typeof r[k] === "object")) return [k, mergeSpeed(has.map((r) => r[k] as Record<string, unknown>), published)];
    return [k, mergeUnknown(k, has.map((r) => r[k]), has.map((r) => (r as unknown as FleetReport).sensors))];
  }));
}
