// The summary panel: what people read first. The same lines head report.md and report.html and
// are all the terminal shows after a run (at most SUMMARY_LINES_MAX lines; the full report is in
// the files). Every figure comes from the report object, in human units.
import type { FleetReport } from "./report-types.ts";
import { formatNumber } from "./report-cells.ts";
import { outageErrors } from "./outage.ts";
import { humanBytes, humanMs, humanPercent, humanSeconds } from "./human-units.ts";

export const SUMMARY_LINES_MAX = 15;

export interface SummaryRow {
  /** What the row is about: "result", "messages", ... */
  label: string;
  text: string;
  /** The row reports a failure or a warning. */
  bad?: boolean;
}

/** Per sensor per day, averaged over the fleet (sensors of each group weigh in). */
function bytesPerSensorDay(r: FleetReport): { up: number; down: number } {
  const n = r.groups.reduce((a, g) => a + g.sensors, 0);
  if (n === 0) return { up: 0, down: 0 };
  const sum = (f: (g: FleetReport["groups"][number]) => number) => r.groups.reduce((a, g) => a + f(g) * g.sensors, 0) / n;
  return { up: sum((g) => g.perSensor.upBytesPerDay), down: sum((g) => g.perSensor.downBytesPerDay) };
}

function connectTimes(r: FleetReport): { p50: number; p99: number } {
  // The slowest group's figures: connect times are a property of the group's link.
  const worst = r.groups.reduce<FleetReport["groups"][number] | undefined>((a, g) => (!a || g.connectMs.p99 > a.connectMs.p99 ? g : a), undefined);
  return worst ? worst.connectMs : { p50: 0, p99: 0 };
}

/** A merged report's shards: how many of how many, on how many machines. */
function shardsRow(shards: NonNullable<FleetReport["shards"]>): SummaryRow {
  const n = shards[0].n;
  const hosts = new Set(shards.map((s) => s.host)).size;
  const missing = n - shards.length;
  return {
    label: "shards", bad: missing > 0,
    text: `${shards.length} of ${n} merged (${shards.map((s) => s.k).join(", ")}) from ${hosts} host${hosts === 1 ? "" : "s"}` +
      (missing > 0 ? `; ${missing} missing` : ""),
  };
}

const runS = humanSeconds;

/** On virtual time: that it was, and how much faster than real time it ran. */
function onTime(r: FleetReport): string {
  const sp = r.health.speed;
  if (sp?.time !== "virtual") return "";
  return `; virtual time, ${formatNumber(Math.round(sp.compression))}x real time (${humanMs(sp.wallS * 1000)} wall)`;
}

/** Latencies are measured in whole milliseconds: 0 means under one. */
const wholeMs = (ms: number) => (ms === 0 ? "<1 ms" : humanMs(ms));

export function summaryRows(r: FleetReport): SummaryRow[] {
  const m = r.messages;
  const refused = r.errors.filter((e) => e.kind === "connect refused").reduce((a, e) => a + e.count, 0);
  const day = bytesPerSensorDay(r);
  const connect = connectTimes(r);
  const lag = r.health.eventLoopLagMs;
  // A scheduled outage cutting the link is the run doing what was asked: named, not a failure.
  const outage = outageErrors(r.errors);
  const scheduled = outage.cuts + outage.attempts;
  const others = r.errors.filter((e) => e.kind !== "connect refused").reduce((a, e) => a + e.count, 0) - scheduled;
  const rows: SummaryRow[] = [
    {
      label: "result", bad: !r.verdict.passed,
      text: r.verdict.passed ? "PASS: every sensor let in, nothing lost at QoS 1/2, nothing twice at QoS 2" : `FAIL: ${r.verdict.problems.join("; ")}`,
    },
    { label: "fleet", text: `${formatNumber(r.sensors)} sensors in ${r.groups.length} group${r.groups.length === 1 ? "" : "s"}, MQTT ${r.protocol}, ` +
      `${r.broker}` },
    {
      label: "run",
      text: r.interrupted
        ? `interrupted: published for ${runS(r.durationS)} of ${runS(r.configuredDurationS)}, drained ${runS(r.drainedS)}, seed ${r.seed}${onTime(r)}`
        : `published for ${runS(r.durationS)}, drained ${runS(r.drainedS)}, seed ${r.seed}${onTime(r)}`,
      bad: r.interrupted,
    },
    { label: "messages", text: `${formatNumber(m.published)} published, ${formatNumber(m.delivered)} delivered (${humanPercent(m.delivered, m.published)}), ` +
      `${formatNumber(m.lost)} lost, ${formatNumber(m.duplicates)} ${m.duplicates === 1 ? "duplicate" : "duplicates"}, ${formatNumber(refused)} logins refused`,
    bad: m.lost > 0 || refused > 0 },
    { label: "latency", text: `p50 ${wholeMs(r.latencyMs.p50)}, p99 ${wholeMs(r.latencyMs.p99)}, max ${wholeMs(r.latencyMs.max)} (publish to delivery)` },
    { label: "connect", text: `CONNECT to CONNACK p50 ${wholeMs(connect.p50)}, p99 ${wholeMs(connect.p99)}; ` +
      `${formatNumber(r.connections.reconnects)} reconnects, ${formatNumber(others)} other errors` +
      (outage.cuts > 0 ? `, ${formatNumber(outage.cuts)} links cut by scheduled outages` : "") +
      (outage.attempts > 0 ? ` (${formatNumber(outage.attempts)} connection attempts failed during them)` : ""), bad: others > 0 },
    { label: "bytes", text: `per sensor per day: ${humanBytes(day.up)} up, ${humanBytes(day.down)} down (MQTT)` },
    {
      label: "simulator", bad: r.health.warning !== undefined,
      text: `event-loop lag p50 ${humanMs(lag.p50)}, p99 ${humanMs(lag.p99)}, max ${humanMs(lag.max)}; CPU ${r.health.cpuPercent}% of one core` +
        (r.health.speed ? `; ${formatNumber(r.health.speed.messagesPerCpuS)} msg per CPU s` : ""),
    },
  ];
  if (r.boards) {
    const sum = (f: (b: NonNullable<FleetReport["boards"]>[number]) => number) => r.boards!.reduce((n, b) => n + f(b), 0);
    rows.push({ label: "boards", bad: sum((b) => b.lost) > 0, text: `${r.boards.length} emulated Cortex-M4 board${r.boards.length === 1 ? "" : "s"}` +
      ` (${r.boards[0].profile}): ${formatNumber(sum((b) => b.published))} readings, ${formatNumber(sum((b) => b.delivered))} delivered, ` +
      `${formatNumber(sum((b) => b.lost))} lost` });
  }
  if (r.shards) rows.push(shardsRow(r.shards));
  if (r.health.warning) rows.push({ label: "warning", text: r.health.warning, bad: true });
  return rows;
}

/** The panel as terminal text: a title and one line per row, at most SUMMARY_LINES_MAX lines. */
export function summaryText(r: FleetReport): string {
  const rows = summaryRows(r);
  const width = Math.max(...rows.map((x) => x.label.length));
  const lines = ["mqtt-mote fleet report", ...rows.map((x) => `  ${x.label.padEnd(width)}  ${x.text}`)];
  return lines.slice(0, SUMMARY_LINES_MAX).join("\n") + "\n";
}
