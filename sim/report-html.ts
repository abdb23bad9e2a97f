// report.html: the same tables as report.md, each number cell marked with its JSON path
// (data-key="groups.0.latencyMs.p99") so the page can be checked against report.json, and inline
// SVG charts. One file: no scripts, no stylesheets or fonts fetched, nothing linked.
import type { FleetReport } from "./report-types.ts";
import { bars, escapeHtml, stackedBars, stepChart, type Series } from "./report-charts.ts";
import { ENCODINGS, MESSAGE_FIELDS, cellText, isNumeric, reportTables, summary, type Cell, type Table } from "./report-tables.ts";

const UP = "#2a9d8f";
const DOWN = "#e9c46a";
const FIELD_COLORS = ["#264653", "#2a9d8f", "#8ab17d", "#e9c46a", "#f4a261"];
const FIELD_NAMES: Record<string, string> = {
  fixedHeader: "fixed header", topic: "topic", packetId: "packet id", properties: "properties", payload: "payload",
};

const STYLE = `body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{padding:2px 10px;border-bottom:1px solid #ddd}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{text-align:left}svg{display:block;margin:0.5em 0 1.5em}`;

/** A chart after a table, by table id. */
const CHARTS: Record<string, (r: FleetReport) => string> = {
  "latency-histogram": (r) => bars("Latency histogram (deliveries per bucket)",
    r.latencyMs.histogram.map((b) => ({ label: `up to ${b.upToMs} ms`, values: [b.count] })), [{ name: "deliveries", color: UP }]),
  "packets-down": (r) => {
    const types = [...new Set([...Object.keys(r.bytesByPacketType), ...Object.keys(r.bytesReceivedByPacketType)])].sort();
    return bars("MQTT bytes per packet type", types.map((t) => ({
      label: t, values: [r.bytesByPacketType[t]?.bytes ?? 0, r.bytesReceivedByPacketType[t]?.bytes ?? 0],
    })), [{ name: "device to broker", color: UP }, { name: "broker to device", color: DOWN }]);
  },
  "message-bytes": (r) => {
    const fields = MESSAGE_FIELDS.filter((f) => f !== "total");
    const parts: Series[] = fields.map((f, i) => ({ name: FIELD_NAMES[f], color: FIELD_COLORS[i] }));
    return stackedBars("One message, field by field (bytes)", r.groups.flatMap((g) => ENCODINGS.map((e) => ({
      label: `${g.name}: ${e.label}`, parts: fields.map((f) => g.message[e.field][f]),
    }))), parts);
  },
  timeline: (r) => {
    const t = r.connections.timeline;
    const changes = t.filter((p, i) => i === 0 || i === t.length - 1 || p.connected !== t[i - 1].connected);
    return stepChart("Sensors connected", changes.map((p) => ({ x: p.tS, y: p.connected })), "time (s)", "connected");
  },
  device: (r) => bars("Device memory regions (bytes)",
    Object.entries(r.device.memoryRegions).map(([label, v]) => ({ label, values: [v] })), [{ name: "bytes", color: UP }]),
};

function cell(c: Cell): string {
  const cls = isNumeric(c) ? ` class="n"` : "";
  return "key" in c ? `<td${cls} data-key="${escapeHtml(c.key)}">${escapeHtml(cellText(c))}</td>` : `<td>${escapeHtml(cellText(c))}</td>`;
}

function table(t: Table, r: FleetReport): string {
  const parts = [`<h2>${escapeHtml(t.title)}</h2>`];
  if (t.note) parts.push(`<p>${escapeHtml(t.note)}</p>`);
  if (t.rows.length === 0) parts.push(`<p id="${t.id}">${escapeHtml(t.empty ?? "None.")}</p>`);
  else {
    parts.push(`<table id="${t.id}">`, `<tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`,
      ...t.rows.map((cells) => `<tr>${cells.map(cell).join("")}</tr>`), "</table>");
  }
  const chart = CHARTS[t.id];
  if (chart && t.rows.length > 0) parts.push(chart(r));
  return parts.join("\n");
}

export function html(r: FleetReport): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mqtt-mote fleet report</title>
<style>${STYLE}</style></head><body>
<h1>mqtt-mote fleet report</h1>
<p>${escapeHtml(summary(r))}</p>
${reportTables(r).map((t) => table(t, r)).join("\n")}
</body></html>
`;
}
