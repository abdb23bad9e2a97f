// npm run bench: encode and decode of a 64-byte QoS 0 PUBLISH, our firmware vs mqtt-packet,
// measured side by side in one process. Prints a table, or one JSON line per row with --json.
// Options: --json, --ms <run ms per case> (default 1000), --repeats <n> (default 3),
// --no-scale (skip the scale benchmark, test/bench/scale.ts: tens of thousands of sensors against
// MQTT.js, about 15 minutes), --no-startup (skip the start-up row, test/bench/startup.ts),
// --no-virtual (skip the virtual-time rows, test/bench/virtual-speed.ts: a month of 100 sensors and
// a day of 10,000, about 10 minutes).
import { parseArgs } from "node:util";
import { BATCH, batchedDecoder as ourBatchedDecoder, batchedEncoder, decoder as ourDecoder, encoder as ourEncoder } from "./firmware-cases.ts";
import { measureAll, type Case } from "./measure.ts";
import { runNetworkBench } from "./network.ts";
import { PAYLOAD, TOPIC } from "./message.ts";
import { batchedDecoder as theirBatchedDecoder, decoder as theirDecoder, encode as theirEncode, mqttPacketWire } from "./mqtt-packet-cases.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false }, ms: { type: "string", default: "1000" }, repeats: { type: "string", default: "3" },
    network: { type: "boolean", default: true }, "no-network": { type: "boolean", default: false },
    scale: { type: "boolean", default: true }, "no-scale": { type: "boolean", default: false },
    startup: { type: "boolean", default: true }, "no-startup": { type: "boolean", default: false },
    virtual: { type: "boolean", default: true }, "no-virtual": { type: "boolean", default: false },
  },
});
const runMs = Number(args.ms);
const repeats = Number(args.repeats);

const wire = mqttPacketWire();
const enc = ourEncoder();
const decOffsets = ourDecoder(wire, "offsets");
const decPayload = ourDecoder(wire, "payload-buffer");
const decTopic = ourDecoder(wire, "payload-buffer+topic-string");
const theirs = theirDecoder();

// Both sides must do the same work before their speed means anything.
if (!enc.once().equals(wire)) throw new Error("our PUBLISH bytes differ from mqtt-packet's");
for (const d of [decOffsets, decPayload, decTopic]) {
  const m = d.once();
  if (m.topic !== TOPIC || !m.payload.equals(PAYLOAD)) throw new Error("our decoded message differs from the one sent");
}
theirs.decode(1);
if (theirs.last()?.topic !== TOPIC || !(theirs.last()?.payload as Buffer).equals(PAYLOAD)) throw new Error("mqtt-packet decoded a different message");

const cases: Record<string, Case> = {
  "ours encode": enc.encode,
  "mqtt-packet encode": theirEncode,
  "ours decode offsets": decOffsets.decode,
  "ours decode payload": decPayload.decode,
  "ours decode payload+topic": decTopic.decode,
  "mqtt-packet decode": theirs.decode,
  "ours encode batched": batchedEncoder(),
  "ours decode batched offsets": ourBatchedDecoder(wire, false),
  "ours decode batched payload": ourBatchedDecoder(wire, true),
  "mqtt-packet decode batched": theirBatchedDecoder(BATCH),
};

interface Row { case: string; ours: string; target: number | null; detail: string }
const rows: Row[] = [
  { case: "encode", ours: "ours encode", target: 8, detail: "copy topic+payload in, publish, pollTransmit, copy out to a Buffer" },
  { case: "decode (offsets)", ours: "ours decode offsets", target: 10, detail: "copy PUBLISH into RX, receive, pollEvent; topic and payload as offsets" },
  { case: "decode (payload Buffer)", ours: "ours decode payload", target: 10, detail: "as above, plus a Buffer copy of the payload" },
  { case: "decode (payload Buffer + topic string)", ours: "ours decode payload+topic", target: null, detail: "as above, plus the topic as a JS string" },
  { case: `encode, ${BATCH} per drain`, ours: "ours encode batched", target: 8, detail: `copy in and publish ${BATCH} messages, then one pollTransmit and one Buffer copy out` },
  { case: `decode, ${BATCH} per read (offsets)`, ours: "ours decode batched offsets", target: 10, detail: `one read of ${BATCH} packets into RX, pollEvent until None; mqtt-packet parses the same reads` },
  { case: `decode, ${BATCH} per read (payload Buffer)`, ours: "ours decode batched payload", target: 10, detail: "as above, plus a Buffer copy of each payload" },
];

if (!args.json) {
  process.stdout.write(`PUBLISH QoS 0, topic ${Buffer.byteLength(TOPIC)} B, payload ${PAYLOAD.length} B, ${wire.length} B on the wire; ` +
    `${runMs} ms per case, median of ${repeats}, node ${process.version}\n`);
}
const medians = measureAll(cases, repeats, { warmupMs: Math.min(300, runMs), runMs });

const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
const table: string[][] = [["case", "ours msg/s", "mqtt-packet msg/s", "ours/mqtt-packet", "target"]];
for (const r of rows) {
  const ours = medians[r.ours];
  const base = r.case.startsWith("encode") ? medians["mqtt-packet encode"]
    : r.ours.includes("batched") ? medians["mqtt-packet decode batched"] : medians["mqtt-packet decode"];
  const ratio = ours / base;
  if (args.json) {
    process.stdout.write(JSON.stringify({
      case: r.case, oursMsgPerSec: Math.round(ours), mqttPacketMsgPerSec: Math.round(base), ratio: Number(ratio.toFixed(2)),
      target: r.target, met: r.target === null ? null : ratio >= r.target, runMs, repeats, detail: r.detail,
    }) + "\n");
  }
  table.push([r.case, fmt(ours), fmt(base), `${ratio.toFixed(1)}x`, r.target === null ? "-" : `>= ${r.target}x ${ratio >= r.target ? "met" : "MISSED"}`]);
}
if (!args.json) {
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table) process.stdout.write(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ") + "\n");
}

// Through a local mosquitto, against MQTT.js (needs the mosquitto Debian package).
if (args.network && !args["no-network"]) {
  const rows = await runNetworkBench();
  if (args.json) {
    for (const r of rows) process.stdout.write(JSON.stringify({ ...r, target: 2, met: r.ratio >= 2 }) + "\n");
  } else {
    process.stdout.write(`\nThrough local mosquitto (${process.version}), delivered to a subscriber of the same library:\n`);
    const t: string[][] = [["case", "ours msg/s", "MQTT.js msg/s", "ours/MQTT.js", "target"]];
    for (const r of rows) {
      const lost = r.delivered.ours < r.sent || r.delivered.mqttjs < r.sent ? ` (delivered ${r.delivered.ours}/${r.delivered.mqttjs} of ${r.sent})` : "";
      t.push([r.case + lost, `${r.oursMsgPerSec}`, `${r.mqttjsMsgPerSec}`, `${r.ratio.toFixed(1)}x`, `>= 2x ${r.ratio >= 2 ? "met" : "MISSED"}`]);
    }
    const widths = t[0].map((_, c) => Math.max(...t.map((row) => row[c].length)));
    for (const row of t) process.stdout.write(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ") + "\n");
  }
}

// Start-up: one QoS 0 `mote pub` against mosquitto_pub, MQTT.js's mqtt pub and node -e 0.
if (args.startup && !args["no-startup"]) {
  const { runStartupBench, STARTUP_RUNS_DEFAULT, STARTUP_TARGET_MS } = await import("./startup.ts");
  const rows = await runStartupBench(STARTUP_RUNS_DEFAULT);
  const [floor, mote] = rows;
  const over = mote.medianMs - floor.medianMs;
  const met = over <= STARTUP_TARGET_MS;
  if (args.json) {
    for (const r of rows) process.stdout.write(JSON.stringify({ case: "start-up, one QoS 0 publish", ...r }) + "\n");
    process.stdout.write(JSON.stringify({ case: "start-up: mote pub over node -e 0", ms: Number(over.toFixed(1)), target: STARTUP_TARGET_MS, met }) + "\n");
  } else {
    process.stdout.write(`\nStart-up: one QoS 0 publish to a local mosquitto, process start to exit, median of ${STARTUP_RUNS_DEFAULT} (${process.version}):\n`);
    const t = [["command", "median ms"], ...rows.map((r) => [r.command, r.medianMs.toFixed(1)])];
    t.push([`mote pub - node -e 0 (target <= ${STARTUP_TARGET_MS} ms)`, `${over.toFixed(1)} ${met ? "met" : "MISSED"}`]);
    const widths = t[0].map((_, c) => Math.max(...t.map((row) => row[c].length)));
    for (const row of t) process.stdout.write(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ") + "\n");
  }
}

// Virtual time: a month of 100 sensors and a day of 10,000, one worker per core (--no-virtual skips it).
if (args.virtual && !args["no-virtual"]) {
  const { runVirtualTarget, virtualSpeedTable, VIRTUAL_TARGETS } = await import("./virtual-speed.ts");
  const rows = [];
  for (const t of Object.values(VIRTUAL_TARGETS)) rows.push(await runVirtualTarget(t, "auto"));
  if (args.json) for (const r of rows) process.stdout.write(JSON.stringify(r) + "\n");
  else process.stdout.write(`\nVirtual time (--time virtual --workers auto), wall time from outside, ${process.version}:\n${virtualSpeedTable(rows)}`);
  if (rows.some((r) => !r.met)) process.exitCode = 1;
}

// Scale: tens of thousands of sensors over TCP and in process, against MQTT.js (--no-scale skips it).
if (args.scale && !args["no-scale"]) {
  const { runScaleBench, TCP_CLIENTS_DEFAULT, INPROC_SENSORS_DEFAULT, PROBE_INSTANCES_DEFAULT } = await import("./scale.ts");
  const ok = await runScaleBench({ tcp: TCP_CLIENTS_DEFAULT, inproc: INPROC_SENSORS_DEFAULT, probe: PROBE_INSTANCES_DEFAULT, profile: "default", json: args.json });
  if (!ok) process.exitCode = 1;
}
