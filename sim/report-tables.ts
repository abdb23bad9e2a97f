// The report's tables as data, built once from a FleetReport and rendered twice (report-markdown.ts,
// report-html.ts), so report.md and report.html show the same cells in the same order. A number or
// string from the report is a cell that names its JSON path; the value is read through that path,
// so a cell cannot show anything but the report's own value.
import type { FleetReport, GroupReport, MessageBytes, PacketTable } from "./report-types.ts";

/** A value of the report at `key` (a dot path such as "groups.0.latencyMs.p99"), or text derived from it. */
export type Cell = { key: string; value: number | string; plain?: boolean } | { text: string };
export interface Table {
  id: string;
  title: string;
  head: string[];
  rows: Cell[][];
  /** A sentence shown before the table. */
  note?: string;
  /** Shown instead of the table when it has no rows. */
  empty?: string;
}

/** Timeline rows in the tables; the chart shows every change. */
export const TIMELINE_ROWS_MAX = 20;
const PERCENT = 100;

export const MESSAGE_FIELDS: (keyof MessageBytes)[] = ["fixedHeader", "topic", "packetId", "properties", "payload", "total"];
export const ENCODINGS = [
  { field: "mqtt311", label: "MQTT 3.1.1" },
  { field: "mqtt5", label: "MQTT 5.0" },
  { field: "mqtt5Alias", label: "MQTT 5.0 + topic alias" },
] as const;

/** The value at a dot path; throws on a path the report does not have (a table built wrong). */
export function valueAt(r: FleetReport, key: string): number | string {
  let v: unknown = r;
  for (const part of key.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
  if (typeof v !== "number" && typeof v !== "string") throw new Error(`the report has no value at ${key}`);
  return v;
}

/** Integers and decimals with en-US thousands separators, every digit kept. */
export function formatNumber(n: number): string {
  const s = String(n);
  if (!/^-?\d+(\.\d+)?$/.test(s)) return s;
  const [int, frac] = s.split(".");
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac === undefined ? "" : `.${frac}`);
}

/** A cell's text, before escaping for Markdown or HTML. */
export function cellText(c: Cell): string {
  if ("text" in c) return c.text;
  return typeof c.value === "number" && !c.plain ? formatNumber(c.value) : String(c.value);
}

/** A number from the report, or text derived from numbers ("18", "25.7%"): aligned right. */
export const isNumeric = (c: Cell) => ("key" in c ? typeof c.value === "number" : /^-?[\d,]+(\.\d+)?%?$/.test(c.text));

/** The run in one sentence (unescaped). */
export function summary(r: FleetReport): string {
  const s = r.shard;
  return `${formatNumber(r.sensors)} sensors (shard ${s.k} of ${s.n}: ids ${s.firstId}-${s.lastId} of a fleet of ${formatNumber(s.fleetSensors)}) ` +
    `against ${r.broker}, MQTT ${r.protocol}, firmware profile ${r.profile}, for ${formatNumber(r.durationS)} s with seed ${r.seed}, ` +
    `started ${r.startedAt}.`;
}

/** Cell makers for one report. */
class Cells {
  readonly groups: { g: GroupReport; p: string }[];
  constructor(readonly r: FleetReport) {
    this.groups = r.groups.map((g, i) => ({ g, p: `groups.${i}` }));
  }
  at(key: string, plain = false): Cell {
    return { key, value: valueAt(this.r, key), plain };
  }
  text(t: string): Cell {
    return { text: t };
  }
  /** The same fields under one path prefix. */
  fields(prefix: string, fields: readonly string[]): Cell[] {
    return fields.map((f) => this.at(`${prefix}.${f}`));
  }
  /** Rows of [label, value at key]. */
  labelled(rows: string[][], plainKeys: string[] = []): Cell[][] {
    return rows.map(([label, key]) => [this.text(label), this.at(key, plainKeys.includes(key))]);
  }
}

const MESSAGE_COUNTS = ["published", "delivered", "lost", "duplicates", "refusedLocally"];
const PERCENTILES = ["p50", "p99", "max"];
const PACKET_FIELDS = ["packets", "bytes", "bytesPerPacket"];
const PER_SENSOR = ["upBytesPerDay", "downBytesPerDay", "upBytesPerMonth", "downBytesPerMonth", "withTcpIpBytesPerMonth", "withTlsBytesPerMonth"];
const GROUP_FIELDS = ["name", "sensors", "ids", "model", "payload", "qos", "topic", "intervalMs", "jitterMs", "link", "reconnects"];

function runTables(c: Cells): Table[] {
  const r = c.r;
  const histograms = [
    { label: "all", h: r.latencyMs, p: "latencyMs" },
    ...c.groups.map(({ g, p }) => ({ label: g.name, h: g.latencyMs, p: `${p}.latencyMs` })),
  ];
  const longest = histograms.reduce((a, b) => (b.h.histogram.length > a.h.histogram.length ? b : a));
  return [
    {
      id: "run", title: "Run", head: ["run", "value"],
      rows: c.labelled([
        ["tool", "tool"], ["started at", "startedAt"], ["broker", "broker"], ["MQTT version", "protocol"], ["firmware profile", "profile"],
        ["seed", "seed"], ["duration (s)", "durationS"], ["shard", "shard.k"], ["shards", "shard.n"], ["first sensor id", "shard.firstId"],
        ["last sensor id", "shard.lastId"], ["sensors in the fleet", "shard.fleetSensors"], ["sensors in this shard", "sensors"],
      ], ["seed", "shard.firstId", "shard.lastId"]),
    },
    {
      id: "messages", title: "Messages", head: ["", "sensors", "published", "delivered", "lost", "duplicates", "refused locally"],
      note: "Refused locally: readings the firmware could not take (outbox full while offline); they were never sent, so they are not lost.",
      rows: [
        [c.text("all"), c.at("sensors"), ...c.fields("messages", MESSAGE_COUNTS)],
        ...c.groups.map(({ p }) => [c.at(`${p}.name`), c.at(`${p}.sensors`), ...c.fields(`${p}.messages`, MESSAGE_COUNTS)]),
      ],
    },
    {
      id: "latency", title: "Latency, publish to delivery (ms)", head: ["", "p50", "p99", "max"],
      rows: [
        [c.text("all"), ...c.fields("latencyMs", PERCENTILES)],
        ...c.groups.map(({ p }) => [c.at(`${p}.name`), ...c.fields(`${p}.latencyMs`, PERCENTILES)]),
      ],
    },
    {
      id: "latency-histogram", title: "Latency histogram (deliveries per bucket)", head: ["up to ms", ...histograms.map((h) => h.label)],
      note: "Power-of-two buckets: a bucket counts latencies above half its bound, up to its bound.",
      rows: longest.h.histogram.map((_, j) => [
        c.at(`${longest.p}.histogram.${j}.upToMs`),
        ...histograms.map(({ h, p }) => (j < h.histogram.length ? c.at(`${p}.histogram.${j}.count`) : c.text(""))),
      ]),
    },
    {
      id: "groups", title: "Sensor groups",
      head: ["group", "sensors", "ids", "model", "payload", "QoS", "topic", "interval ms", "jitter ms", "link", "reconnects"],
      rows: c.groups.map(({ p }) => c.fields(p, GROUP_FIELDS)),
    },
  ];
}

function byteTables(c: Cells): Table[] {
  const packets = (table: PacketTable, p: string) => Object.keys(table).map((type) => [c.text(type), ...c.fields(`${p}.${type}`, PACKET_FIELDS)]);
  const saving = (m: GroupReport["message"]) => m.mqtt5.total - m.mqtt5Alias.total;
  return [
    {
      id: "packets-up", title: "MQTT bytes per packet type, device to broker", head: ["packet type", "packets", "bytes", "bytes/packet"],
      rows: packets(c.r.bytesByPacketType, "bytesByPacketType"),
    },
    {
      id: "packets-down", title: "MQTT bytes per packet type, broker to device", head: ["packet type", "packets", "bytes", "bytes/packet"],
      rows: packets(c.r.bytesReceivedByPacketType, "bytesReceivedByPacketType"),
    },
    {
      id: "message-bytes", title: "One message, field by field (bytes)",
      head: ["group", "encoding", "fixed header", "topic", "packet id", "properties", "payload", "total"],
      note: "A typical message of each group (the median payload seen). With a topic alias, the topic name is sent once per connection; " +
        "later messages carry a 2-byte alias.",
      rows: c.groups.flatMap(({ p }) => ENCODINGS.map((e) => [c.at(`${p}.name`), c.text(e.label), ...c.fields(`${p}.message.${e.field}`, MESSAGE_FIELDS)])),
    },
    {
      id: "alias-saving", title: "What a topic alias saves per message",
      head: ["group", "topic bytes", "payload bytes", "MQTT 5.0", "with alias", "saved bytes", "saved %"],
      rows: c.groups.map(({ g, p }) => [
        c.at(`${p}.name`), ...c.fields(`${p}.message`, ["topicBytes", "payloadBytes", "mqtt5.total", "mqtt5Alias.total"]),
        c.text(formatNumber(saving(g.message))), c.text(`${((PERCENT * saving(g.message)) / g.message.mqtt5.total).toFixed(1)}%`),
      ]),
    },
    {
      id: "per-sensor", title: "Bytes per sensor, extrapolated from this run",
      head: ["group", "up per day", "down per day", "up per month", "down per month", "month with TCP/IP", "month with TLS"],
      note: "The run's steady traffic (everything but CONNECT, CONNACK and DISCONNECT) scaled to a day; a month is 30 days. " +
        "TCP/IP and TLS figures are estimates of up and down together, from the assumptions below.",
      rows: c.groups.map(({ p }) => [c.at(`${p}.name`), ...c.fields(`${p}.perSensor`, PER_SENSOR)]),
    },
    {
      id: "modem-serial", title: "Modem groups: bytes on the serial line",
      head: ["group", "to the modem", "from the modem", "per message published"],
      note: "Every byte the sensors' serial lines carried, AT commands, replies and URCs included, as the emulated modems counted them.",
      empty: "No group reaches the broker through a modem.",
      rows: c.groups.filter(({ g }) => g.serial !== undefined)
        .map(({ p }) => [c.at(`${p}.name`), ...c.fields(`${p}.serial`, ["toModemBytes", "fromModemBytes", "bytesPerMessage"])]),
    },
    {
      id: "overhead", title: "Overhead assumptions (bytes)", head: ["assumption", "bytes"],
      rows: c.labelled([
        ["IPv4 + TCP header with timestamps, per segment", "overhead.tcpIpHeaderBytes"],
        ["pure ACK, one per segment the other way", "overhead.tcpAckBytes"],
        ["TCP handshake and teardown, per connection", "overhead.tcpConnectionBytes"],
        ["TLS 1.3 record, per MQTT packet", "overhead.tlsRecordBytes"],
        ["TLS 1.3 handshake, ECDSA P-256 chain, per connection (estimate)", "overhead.tlsHandshakeBytes"],
      ]),
    },
  ];
}

function deviceTables(c: Cells): Table[] {
  const r = c.r;
  return [
    {
      id: "connections", title: "Connections", head: ["", "connects", "reconnects", "transport errors"],
      rows: [[c.text("all"), ...c.fields("connections", ["connects", "reconnects", "transportErrors"])]],
    },
    {
      id: "timeline", title: "Sensors connected over time", head: ["t (s)", "connected"],
      note: timelineNote(r.connections.timeline.length),
      rows: timelineRows(r.connections.timeline).map((i) => c.fields(`connections.timeline.${i}`, ["tS", "connected"])),
      empty: "No timeline was sampled.",
    },
    {
      id: "device", title: "Device memory", head: ["", "value"],
      note: "The firmware keeps no stack in linear memory; its Wasm call stack is bounded by the call graph " +
        "(frames, and the bytes of params and locals along the heaviest chain). " +
        "Host memory is the growth from the first tenth of the fleet, connected, to all of it, per sensor added; V8 grows its heap in chunks of megabytes, " +
        "so over fewer than a few thousand sensors it is mostly noise (test/bench/SCALE.md has fleet-scale figures). " +
          "With the embedded broker it includes aedes's per-client state.",
      rows: c.labelled([
        ["Wasm module (bytes)", "device.wasmBytes"],
        ...Object.keys(r.device.memoryRegions).map((region) => [`region ${region} (bytes)`, `device.memoryRegions.${region}`]),
        ["static memory (bytes)", "device.staticBytes"],
        ["linear memory per instance (bytes)", "device.linearMemoryBytes"],
        ["stack in linear memory (bytes)", "device.stack.linearMemoryBytes"],
        ["max call depth (frames)", "device.stack.maxCallDepth"],
        ["max params + locals along a call chain (bytes)", "device.stack.maxFrameBytes"],
        ["host memory per sensor (bytes, measured)", "device.hostBytesPerSensor"],
        ["process RSS per sensor (bytes, measured)", "device.rssBytesPerSensor"],
        ["sensors measured", "device.memoryMeasuredSensors"],
      ]),
    },
    {
      id: "errors", title: "Errors", head: ["kind", "count", "example"],
      rows: r.errors.map((_, i) => c.fields(`errors.${i}`, ["kind", "count", "example"])),
      empty: "No errors.",
    },
  ];
}

/** Every table of the report, in the order both files show them. */
export function reportTables(r: FleetReport): Table[] {
  const c = new Cells(r);
  return [...runTables(c), ...byteTables(c), ...deviceTables(c)];
}

function timelineNote(samples: number): string {
  return samples > TIMELINE_ROWS_MAX
    ? `Sampled once a second; ${TIMELINE_ROWS_MAX} of the ${samples} samples, evenly spaced (the chart shows every change).`
    : "Sampled once a second.";
}

/** Indices of at most TIMELINE_ROWS_MAX evenly spaced samples, the first and the last among them. */
function timelineRows(timeline: FleetReport["connections"]["timeline"]): number[] {
  const n = timeline.length;
  if (n <= TIMELINE_ROWS_MAX) return timeline.map((_, i) => i);
  return Array.from({ length: TIMELINE_ROWS_MAX }, (_, k) => Math.round((k * (n - 1)) / (TIMELINE_ROWS_MAX - 1)));
}
