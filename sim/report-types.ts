// The fleet report's data: one object, written three ways (report.json, report.md, report.html)
// by sim/report.ts so the three cannot disagree. Field names are the contract users script against.
import type { SimulatorHealth } from "./health.ts";
import type { RunRecord } from "./run-record.ts";
import type { TimeSeries } from "./series.ts";
import type { BoardReport } from "./board-group.ts";
import type { SparseHistogram } from "./histogram.ts";

export type { SimulatorHealth, RunRecord, TimeSeries, SparseHistogram };

/** Packets and bytes of one MQTT packet type in one direction. */
export interface PacketTypeBytes {
  packets: number;
  bytes: number;
  bytesPerPacket: number;
}
export type PacketTable = Record<string, PacketTypeBytes>;

/** The bytes of one PUBLISH, field by field (what a sensor's typical message costs on the wire). */
export interface MessageBytes {
  fixedHeader: number;
  /** Topic Name incl. its 2-byte length (2 when a topic alias replaces it). */
  topic: number;
  /** 2 at QoS 1/2, else 0. */
  packetId: number;
  /** MQTT 5 properties incl. their length varint (0 with 3.1.1). */
  properties: number;
  payload: number;
  total: number;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  /** Power-of-two buckets: count of samples with upToMs/2 < v <= upToMs (the first bucket: v <= 1). */
  histogram: { upToMs: number; count: number }[];
  /**
   * Every sample in its fine bucket, [bucket value (ms), count] ascending (sim/histogram.ts: one bucket per ms up to 1024 ms,
   * above that 128 per power of two, each named by its highest value). p50 and p99 are read from these; merged reports add them up.
   * Absent when there were no samples.
   */
  buckets?: SparseHistogram;
}

export interface MessageCounts {
  /** Accepted by a sensor's firmware (each carries a sequence number). */
  published: number;
  /** Distinct (sensor, sequence) pairs the observer received. */
  delivered: number;
  /** Published but never delivered by the end of the drain period. */
  lost: number;
  /** Deliveries of a (sensor, sequence) pair already seen. */
  duplicates: number;
  /** Readings the firmware could not take (outbox full while offline, for example): not sent, so not lost. */
  refusedLocally: number;
}

/**
 * A group's measured traffic, the basis of its per-sensor figures: MQTT bytes and packets each way of
 * the steady traffic (all but CONNECT, CONNACK and DISCONNECT), connections opened, and the seconds of
 * publishing it is scaled from. Shard reports add these up (mote sim merge).
 */
export interface Measured {
  upBytes: number;
  downBytes: number;
  upPackets: number;
  downPackets: number;
  connects: number;
  /** Seconds of publishing, to the ms (merged: sensor-seconds over sensors). */
  runS: number;
}

export interface GroupReport {
  name: string;
  sensors: number;
  /** Sensor ids in this shard, as "first-last". */
  ids: string;
  model: string;
  payload: "json" | "text" | "binary";
  qos: 0 | 1 | 2;
  topic: string;
  intervalMs: number;
  jitterMs: number;
  /** The link model in words ("direct", "latency 200 ms ± 50 ms, loss 1%, 9600 bit/s, outage 10 s every 30 s", "bg96 modem at 9600 baud"). */
  link: string;
  messages: MessageCounts;
  latencyMs: LatencySummary;
  /** A typical message of this group (the median payload size seen), as sent, and the same with MQTT 5 topic aliases off/on. */
  message: {
    payloadBytes: number;
    topicBytes: number;
    mqtt311: MessageBytes;
    mqtt5: MessageBytes;
    /** MQTT 5, after the first message on a topic: topic alias instead of the topic name. */
    mqtt5Alias: MessageBytes;
  };
  /** Measured MQTT bytes per sensor, extrapolated from this run's rate. */
  perSensor: {
    upBytesPerDay: number;
    downBytesPerDay: number;
    /** 30 days. */
    upBytesPerMonth: number;
    downBytesPerMonth: number;
    /** Estimated, up+down per month, with TCP/IP headers and ACKs, and with TLS records on top. */
    withTcpIpBytesPerMonth: number;
    withTlsBytesPerMonth: number;
  };
  /** What perSensor is scaled from (absent in reports of mote sim before merging existed). */
  measured?: Measured;
  reconnects: number;
  /** The most QoS 1/2 messages one sensor held at once: accepted by its firmware, not yet acknowledged (its queue, e.g. through an outage). */
  maxQueuedPerSensor: number;
  /** From a connection's CONNECT to its CONNACK (ms), every connection of the group's sensors. */
  connectMs: LatencySummary;
  /** Modem groups: bytes on the sensors' serial lines (AT framing included) and per message published. */
  serial?: { toModemBytes: number; fromModemBytes: number; bytesPerMessage: number };
}

export interface FleetReport {
  /** "mqtt-mote sim". */
  tool: string;
  startedAt: string;
  /** "embedded aedes (in process)" or the broker URL. */
  broker: string;
  protocol: "3.1.1" | "5.0";
  profile: string;
  seed: number;
  /** Publishing time as run (s): the configured duration, or less when the run was interrupted. */
  durationS: number;
  configuredDurationS: number;
  /** Ctrl-C ended publishing early; what was in flight was still drained and counted. */
  interrupted: boolean;
  /** The drain as it lasted (s): until everything arrived, or the --drain limit. */
  drainedS: number;
  /** Whether the run kept its promises (every sensor let in, nothing lost at QoS 1/2, nothing twice at QoS 2), and if not why. */
  verdict: { passed: boolean; problems: string[] };
  shard: { k: number; n: number; firstId: number; lastId: number; fleetSensors: number };
  /** Sensors run by this process (this shard). */
  sensors: number;
  messages: MessageCounts;
  latencyMs: LatencySummary;
  /** Device-to-broker MQTT bytes per packet type, all sensors. */
  bytesByPacketType: PacketTable;
  /** Broker-to-device MQTT bytes per packet type, all sensors. */
  bytesReceivedByPacketType: PacketTable;
  groups: GroupReport[];
  /** Assumptions behind the overhead estimates, stated in the report. */
  overhead: {
    /** IPv4 + TCP header with timestamps option per segment (20 + 32). */
    tcpIpHeaderBytes: number;
    /** A pure ACK segment, counted once per MQTT packet each way (delayed ACKs would halve it). */
    tcpAckBytes: number;
    /** TCP handshake + teardown per connection. */
    tcpConnectionBytes: number;
    /** Per TLS 1.3 record: 5 header + 1 content type + 16 AEAD tag. */
    tlsRecordBytes: number;
    /** A TLS 1.3 handshake with an ECDSA P-256 certificate chain, per connection. */
    tlsHandshakeBytes: number;
  };
  /** Sensors connected over time (sampled once a second) and connection events. */
  connections: { timeline: { tS: number; connected: number }[]; connects: number; reconnects: number; transportErrors: number };
  device: {
    wasmBytes: number;
    staticBytes: number;
    linearMemoryBytes: number;
    memoryRegions: Record<string, number>;
    /**
     * Stack: the firmware keeps no stack in linear memory (no shadow stack: the noalloc runtime
     * has no managed references); its Wasm call stack is bounded by the call graph.
     */
    stack: { linearMemoryBytes: number; maxCallDepth: number; maxFrameBytes: number };
    /** Measured: host heap + external memory growth per sensor while the fleet was built (bytes). */
    hostBytesPerSensor: number;
    /** Measured: process RSS growth per sensor while the fleet was built (bytes). */
    rssBytesPerSensor: number;
    /**
     * Sensors the two figures above were measured over (all but the warm-up tenth). V8 grows its
     * heap in chunks of megabytes, so below a few thousand sensors the figures are mostly noise.
     */
    memoryMeasuredSensors: number;
    /** The same profile built for a Cortex-M4 (npm run build:mcu), when that build exists: flash, RAM and stack bytes. */
    cortexM4?: { firmwareFlash: number; firmwareRam: number; stackMax: number | null };
  };
  /** Error lines (first few of each kind) and their counts. */
  errors: { kind: string; count: number; example: string }[];
  /** The simulator's own event-loop lag and CPU use: whether its latency figures can be trusted. */
  health: SimulatorHealth;
  /** The fleet over time, one point per period. */
  series: TimeSeries;
  /** Scheduled outage windows within the run (s after the start), per group. */
  outages: { group: string; fromS: number; toS: number }[];
  /** The sensors that lost most, then had most duplicates, then the slowest delivery (at most WORST_SENSORS_MAX). */
  worstSensors: WorstSensor[];
  /** What it takes to repeat the run (secrets redacted). */
  run: RunRecord;
  /** Emulated Cortex-M4 boards (--board), when the run had any. */
  boards?: BoardReport[];
  /** A merged report (mote sim merge, --workers): the shards it adds up, by k. */
  shards?: ShardRow[];
}

/** One shard of a merged report, as its own report gave it. */
export interface ShardRow {
  k: number;
  n: number;
  /** Sensor ids, "first-last". */
  ids: string;
  sensors: number;
  published: number;
  delivered: number;
  lost: number;
  durationS: number;
  broker: string;
  /** The machine it ran on (run.host.name). */
  host: string;
}

export interface WorstSensor {
  id: number;
  group: string;
  published: number;
  delivered: number;
  lost: number;
  duplicates: number;
  maxLatencyMs: number;
  reconnects: number;
}
