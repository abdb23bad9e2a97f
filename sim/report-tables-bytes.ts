// The report's sections about cost: MQTT bytes per packet type, one message field by field, what a
// topic alias saves, bytes per sensor per day and month, the modem's serial line, the overhead
// assumptions, and the device's memory. Tables only: their exact numbers are the point.
import { humanSeconds } from "./human-units.ts";
import type { FleetReport, GroupReport, MessageBytes, PacketTable } from "./report-types.ts";
import { Cells, formatNumber, type Section } from "./report-cells.ts";

const PERCENT = 100;
const MESSAGE_FIELDS: (keyof MessageBytes)[] = ["fixedHeader", "topic", "packetId", "properties", "payload", "total"];
const ENCODINGS = [
  { field: "mqtt311", label: "MQTT 3.1.1" },
  { field: "mqtt5", label: "MQTT 5.0" },
  { field: "mqtt5Alias", label: "MQTT 5.0 + topic alias" },
] as const;
const PER_SENSOR = ["upBytesPerDay", "downBytesPerDay", "upBytesPerMonth", "downBytesPerMonth", "withTcpIpBytesPerMonth", "withTlsBytesPerMonth"];

/** A run this long measures a day rather than extrapolating one. */
const DAY_S = 86_400;

/** The aedes broker runs in this process, so its memory is in the host figures. */
const isEmbeddedBroker = (r: FleetReport) => r.broker.startsWith("embedded");

function bytes(c: Cells): Section {
  const packets = (table: PacketTable, p: string) =>
    Object.keys(table).map((type) => [c.text(type), c.at(`${p}.${type}.packets`), c.at(`${p}.${type}.bytes`, "bytes"), c.at(`${p}.${type}.bytesPerPacket`)]);
  const saving = (m: GroupReport["message"]) => m.mqtt5.total - m.mqtt5Alias.total;
  return {
    id: "bytes", title: "Bytes",
    note: "MQTT bytes as the sensors' firmware sent and received them; TCP/IP and TLS are estimated on top.",
    blocks: [
      {
        table: {
          id: "per-sensor",
          title: c.r.durationS >= DAY_S ? `Bytes per sensor, measured over ${humanSeconds(c.r.durationS)}` : "Bytes per sensor, extrapolated from this run",
          head: ["group", "up per day", "down per day", "up per month", "down per month", "month with TCP/IP", "month with TLS"],
          note: "The run's steady traffic (everything but CONNECT, CONNACK and DISCONNECT) scaled to a day; a month is 30 days. " +
            "TCP/IP and TLS figures are estimates of up and down together, from the assumptions below.",
          rows: c.groups.map(({ p }) => [c.at(`${p}.name`), ...c.fields(`${p}.perSensor`, PER_SENSOR, "bytes")]),
        },
      },
      ...(c.groups.every(({ g }) => g.measured) ? [{
        table: {
          id: "measured", title: "Measured, what the figures per sensor are scaled from",
          head: ["group", "sensors", "steady bytes up", "steady bytes down", "packets up", "packets down", "connections", "publishing for"],
          note: "All sensors of the group together; steady traffic is everything but CONNECT, CONNACK and DISCONNECT.",
          rows: c.groups.map(({ p }) => [c.at(`${p}.name`), c.at(`${p}.sensors`), ...c.fields(`${p}.measured`, ["upBytes", "downBytes"], "bytes"),
            ...c.fields(`${p}.measured`, ["upPackets", "downPackets", "connects"]), c.at(`${p}.measured.runS`, "s")]),
        },
      }] : []),
      {
        table: {
          id: "packets-up", title: "MQTT bytes per packet type, device to broker", head: ["packet type", "packets", "bytes", "bytes/packet"],
          rows: packets(c.r.bytesByPacketType, "bytesByPacketType"),
        },
      },
      {
        table: {
          id: "packets-down", title: "MQTT bytes per packet type, broker to device", head: ["packet type", "packets", "bytes", "bytes/packet"],
          rows: packets(c.r.bytesReceivedByPacketType, "bytesReceivedByPacketType"),
        },
      },
      {
        table: {
          id: "message-bytes", title: "One message, field by field (bytes)",
          head: ["group", "encoding", "fixed header", "topic", "packet id", "properties", "payload", "total"],
          note: "A typical message of each group (the median payload seen). With a topic alias, the topic name is sent once per connection; " +
            "later messages carry a 2-byte alias.",
          rows: c.groups.flatMap(({ p }) => ENCODINGS.map((e) => [c.at(`${p}.name`), c.text(e.label), ...c.fields(`${p}.message.${e.field}`, MESSAGE_FIELDS)])),
        },
      },
      {
        table: {
          id: "alias-saving", title: "What a topic alias saves per message (bytes)",
          head: ["group", "topic", "payload", "MQTT 5.0", "with alias", "saved", "saved %"],
          rows: c.groups.map(({ g, p }) => [
            c.at(`${p}.name`), ...c.fields(`${p}.message`, ["topicBytes", "payloadBytes", "mqtt5.total", "mqtt5Alias.total"]),
            c.text(formatNumber(saving(g.message))), c.text(`${((PERCENT * saving(g.message)) / g.message.mqtt5.total).toFixed(1)}%`),
          ]),
        },
      },
      {
        table: {
          id: "modem-serial", title: "Modem groups: bytes on the serial line",
          head: ["group", "to the modem", "from the modem", "per message published"],
          note: "Every byte the sensors' serial lines carried, AT commands, replies and URCs included, as the emulated modems counted them.",
          empty: "No group reaches the broker through a modem.",
          rows: c.groups.filter(({ g }) => g.serial !== undefined)
            .map(({ p }) => [c.at(`${p}.name`), ...c.fields(`${p}.serial`, ["toModemBytes", "fromModemBytes", "bytesPerMessage"], "bytes")]),
        },
      },
      {
        table: {
          id: "overhead", title: "Overhead assumptions (bytes)", head: ["assumption", "bytes"],
          rows: c.labelled([
            ["IPv4 + TCP header with timestamps, per segment", "overhead.tcpIpHeaderBytes"],
            ["pure ACK, one per segment the other way", "overhead.tcpAckBytes"],
            ["TCP handshake and teardown, per connection", "overhead.tcpConnectionBytes"],
            ["TLS 1.3 record, per MQTT packet", "overhead.tlsRecordBytes"],
            ["TLS 1.3 handshake, ECDSA P-256 chain, per connection (estimate)", "overhead.tlsHandshakeBytes"],
          ]),
        },
      },
    ],
  };
}

/** The Cortex-M4 figures of the fleet's profile (device.cortexM4), when there is a board build. */
const CORTEX_M4_ROWS: [string, string, "bytes"][] = [
  ["firmware flash", "device.cortexM4.firmwareFlash", "bytes"], ["firmware RAM", "device.cortexM4.firmwareRam", "bytes"],
  ["stack high-water mark", "device.cortexM4.stackMax", "bytes"],
];
const valueAtKey = (r: FleetReport, key: string) => key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], r);

function device(c: Cells): Section {
  const r = c.r;
  const note = "The firmware keeps no stack in linear memory; its Wasm call stack is bounded by the call graph " +
    "(frames, and the bytes of params and locals along the heaviest chain). " +
    "Host memory is the growth from the first tenth of the fleet, connected, to all of it, per sensor added; V8 grows its heap in chunks of " +
    "megabytes, so over fewer than a few thousand sensors it is mostly noise." +
    (isEmbeddedBroker(r) ? " With the embedded broker it includes aedes's per-client state." : "");
  return {
    id: "device", title: "Device memory",
    blocks: [{
      table: {
        id: "device", title: "One sensor's firmware and its host", head: ["", "value"], note,
        rows: c.labelled([
          ["Wasm module", "device.wasmBytes", "bytes"],
          ...Object.keys(r.device.memoryRegions).map((region): [string, string, "bytes"] => [`region ${region}`, `device.memoryRegions.${region}`, "bytes"]),
          ["static memory", "device.staticBytes", "bytes"],
          ["linear memory per instance", "device.linearMemoryBytes", "bytes"],
          ["stack in linear memory", "device.stack.linearMemoryBytes", "bytes"],
          ["max call depth (frames)", "device.stack.maxCallDepth"],
          ["max params + locals along a call chain", "device.stack.maxFrameBytes", "bytes"],
          ["host memory per sensor (measured)", "device.hostBytesPerSensor", "bytes"],
          ["process RSS per sensor (measured)", "device.rssBytesPerSensor", "bytes"],
          ["sensors measured", "device.memoryMeasuredSensors"],
        ]),
      },
    }, ...(r.device.cortexM4 ? [{
      table: {
        id: "device-cortex-m4", title: "The same firmware on a Cortex-M4 (wasm2c, arm-none-eabi-gcc -Os, Thumb-2)", head: ["", "value"],
        note: "From the board build (npm run build:mcu): the firmware's own code and constants in flash, its module memory and instance in RAM, " +
          "and the stack high-water mark measured on the emulated board.",
        rows: c.labelled(CORTEX_M4_ROWS.filter(([, key]) => typeof valueAtKey(r, key) === "number")),
      },
    }] : [])],
  };
}

/** Bytes and device memory, in the order both files show them. */
export function costSections(r: FleetReport): Section[] {
  const c = new Cells(r);
  return [bytes(c), device(c)];
}
