// The fleet report in three forms written from one object, so they cannot disagree:
// report.json (the data), report.md (tables), report.html (self-contained, inline SVG, no network).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface FleetReport {
  sensors: number;
  profile: string;
  protocol: string;
  qos: number;
  durationS: number;
  messages: { published: number; delivered: number; lost: number; duplicates: number; refusedLocally: number };
  latencyMs: { p50: number; p99: number; max: number; histogram: { upToMs: number; count: number }[] };
  bytesByPacketType: Record<string, { packets: number; bytes: number; bytesPerPacket: number }>;
  device: { wasmBytes: number; staticBytes: number; linearMemoryBytes: number; memoryRegions: Record<string, number> };
}

/** p50/p99/max and a power-of-two histogram of latencies in ms. */
export function latencySummary(samples: number[]): FleetReport["latencyMs"] {
  if (samples.length === 0) return { p50: 0, p99: 0, max: 0, histogram: [] };
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  const histogram: { upToMs: number; count: number }[] = [];
  for (let edge = 1; ; edge *= 2) {
    const prev = edge / 2;
    histogram.push({ upToMs: edge, count: s.filter((v) => v <= edge && (edge === 1 || v > prev)).length });
    if (edge >= s[s.length - 1]) break;
  }
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1], histogram };
}

export function markdown(r: FleetReport): string {
  return [
    "# mqtt-mote fleet report",
    "",
    `${r.sensors} sensors, profile \`${r.profile}\`, MQTT ${r.protocol}, QoS ${r.qos}, ${r.durationS} s.`,
    "",
    "| messages | published | delivered | lost | duplicates |",
    "|---|---:|---:|---:|---:|",
    `| | ${r.messages.published} | ${r.messages.delivered} | ${r.messages.lost} | ${r.messages.duplicates} |`,
    "",
    "| latency (publish to delivery) | p50 | p99 | max |",
    "|---|---:|---:|---:|",
    `| ms | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.latencyMs.max} |`,
    "",
    "| packet type (device to broker) | packets | bytes | bytes/packet |",
    "|---|---:|---:|---:|",
    ...Object.entries(r.bytesByPacketType).map(([k, v]) => `| ${k} | ${v.packets} | ${v.bytes} | ${v.bytesPerPacket} |`),
    "",
    `Device: Wasm ${r.device.wasmBytes} bytes; static memory ${r.device.staticBytes} bytes in ${Object.keys(r.device.memoryRegions).length} regions; ` +
      `linear memory ${r.device.linearMemoryBytes} bytes per instance.`,
    "",
  ].join("\n");
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** A horizontal bar chart as inline SVG. */
function bars(title: string, rows: [string, number][]): string {
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const h = 22 * rows.length + 30;
  const items = rows.map(([label, v], i) => {
    const y = 28 + i * 22;
    const w = Math.round((v / max) * 360);
    return `<text x="0" y="${y + 13}">${esc(label)}</text><rect x="150" y="${y}" width="${w}" height="16" fill="#4a7"/>` +
      `<text x="${156 + w}" y="${y + 13}">${v}</text>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="${h}" font-family="sans-serif" font-size="12">` +
    `<text x="0" y="14" font-weight="bold">${esc(title)}</text>${items}</svg>`;
}

export function html(r: FleetReport): string {
  const m = r.messages;
  return `<!doctype html><html><head><meta charset="utf-8"><title>mqtt-mote fleet report</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:right}th:first-child,td:first-child{text-align:left}</style></head><body>
<h1>mqtt-mote fleet report</h1>
<p>${r.sensors} sensors, profile <code>${esc(r.profile)}</code>, MQTT ${esc(r.protocol)}, QoS ${r.qos}, ${r.durationS} s.</p>
<table id="messages"><tr><th>messages</th><th>published</th><th>delivered</th><th>lost</th><th>duplicates</th></tr>
<tr><td></td><td>${m.published}</td><td>${m.delivered}</td><td>${m.lost}</td><td>${m.duplicates}</td></tr></table>
<table id="latency"><tr><th>latency ms</th><th>p50</th><th>p99</th><th>max</th></tr>
<tr><td></td><td>${r.latencyMs.p50}</td><td>${r.latencyMs.p99}</td><td>${r.latencyMs.max}</td></tr></table>
${bars("bytes per packet type (device to broker)", Object.entries(r.bytesByPacketType).map(([k, v]) => [k, v.bytes]))}
${bars("latency histogram (messages per bucket, ms)", r.latencyMs.histogram.map((b) => [`<= ${b.upToMs} ms`, b.count]))}
${bars("device memory regions (bytes)", Object.entries(r.device.memoryRegions))}
<p>Device: Wasm ${r.device.wasmBytes} bytes; static memory ${r.device.staticBytes} bytes; linear memory ${r.device.linearMemoryBytes} bytes per instance.</p>
</body></html>
`;
}

/** Writes the three files; returns the path of report.json. */
export function writeReports(dir: string, r: FleetReport): string {
  const d = resolve(dir);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "report.json"), JSON.stringify(r, null, 2) + "\n");
  writeFileSync(join(d, "report.md"), markdown(r));
  writeFileSync(join(d, "report.html"), html(r));
  return join(d, "report.json");
}
