// The report's sections about the run itself: the fleet over time (charts in report.html, a thinned
// table in both files), the simulator's health, and what it takes to repeat the run.
import type { FleetReport } from "./report-types.ts";
import { Cells, evenlySpaced, type Section, type Unit } from "./report-cells.ts";
import { humanMs } from "./human-units.ts";

/** Rows of the time series in the tables; the charts draw every point. */
export const SERIES_ROWS_MAX = 20;
/** Outage windows listed; the charts shade every one. */
const OUTAGE_ROWS_MAX = 20;
const MS_PER_S = 1000;
const SERIES_COUNTS = ["published", "delivered"];
const SERIES_LATENCIES = ["latencyP50Ms", "latencyP99Ms"];
const SERIES_TAIL = ["connected", "errors", "reconnects", "queued"];
/** The resolved configuration's lines: an object or array that fits stays on one line. */
const JSON_LINE_CHARS_MAX = 100;
const JSON_INDENT = "  ";
/** The time charts, in the order they are drawn (report-charts.ts draws them). */
const TIME_CHARTS = ["message-rate", "byte-rate", "latency-over-time", "connected", "errors-over-time"];

/** JSON on one line with a space after each comma and colon: {"k": 1, "n": 1}. */
function oneLineJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(oneLineJson).join(", ")}]`;
  if (typeof v === "object" && v !== null) {
    return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}: ${oneLineJson(x)}`).join(", ")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** JSON as people read it: indented, with every object or array that fits in JSON_LINE_CHARS_MAX on one line. JSON.parse reads it back. */
export function compactJson(v: unknown, indent = ""): string {
  const flat = oneLineJson(v);
  if (typeof v !== "object" || v === null || indent.length + flat.length <= JSON_LINE_CHARS_MAX) return flat;
  const inner = indent + JSON_INDENT;
  const items = Array.isArray(v)
    ? v.map((x) => inner + compactJson(x, inner))
    : Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${compactJson(x, inner)}`);
  const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${items.join(",\n")}\n${indent}${close}`;
}

function seriesNote(r: FleetReport): string {
  const n = r.series.points.length;
  const period = humanMs(r.series.periodS * MS_PER_S);
  const shown = n > SERIES_ROWS_MAX ? `${SERIES_ROWS_MAX} of the ${n} points, evenly spaced (the charts draw every point)` : "Every point";
  return `Counts per period of ${period}, ending at t; connected at its end; latencies of the deliveries within it (0 when none). ${shown}.`;
}

function overTime(c: Cells): Section {
  const r = c.r;
  const outages = r.outages.slice(0, OUTAGE_ROWS_MAX);
  const outageNote = r.outages.length > OUTAGE_ROWS_MAX ? `The first ${OUTAGE_ROWS_MAX} of ${r.outages.length} windows.` : undefined;
  return {
    id: "over-time", title: "Over time",
    note: "Rates are a period's count divided by its length. The charts (in report.html) shade the scheduled link outages listed below.",
    blocks: [
      ...TIME_CHARTS.map((chart) => ({ chart })),
      {
        table: {
          id: "outages", title: "Scheduled outages", head: ["group", "from", "to"], ...(outageNote && { note: outageNote }),
          empty: "No scheduled outage fell within the run.",
          rows: outages.map((_, i) => [c.at(`outages.${i}.group`), c.at(`outages.${i}.fromS`, "s"), c.at(`outages.${i}.toS`, "s")]),
        },
      },
      {
        table: {
          id: "series", title: "The series in numbers",
          head: ["t", "published", "delivered", "bytes up", "bytes down", "latency p50", "latency p99", "connected", "errors", "reconnects", "queued"],
          note: seriesNote(r), empty: "No period was recorded.",
          rows: evenlySpaced(r.series.points.length, SERIES_ROWS_MAX).map((i) => {
            const p = `series.points.${i}`;
            return [c.at(`${p}.tS`, "s"), ...c.fields(p, SERIES_COUNTS), ...c.fields(p, ["bytesUp", "bytesDown"], "bytes"),
              ...c.fields(p, SERIES_LATENCIES, "ms"), ...c.fields(p, SERIES_TAIL)];
          }),
        },
      },
    ],
  };
}

/** How fast it went (health.speed): on virtual time, how much faster than real time. */
const SPEED_ROWS: [string, string, Unit?][] = [
  ["time", "health.speed.time"],
  ["simulated", "health.speed.simulatedS", "s"],
  ["wall", "health.speed.wallS", "s"],
  ["simulated seconds per wall second", "health.speed.compression"],
  ["CPU seconds, every thread", "health.speed.cpuS", "s"],
  ["messages per CPU second", "health.speed.messagesPerCpuS"],
];

function health(c: Cells): Section {
  return {
    id: "health", title: "Simulator health",
    note: "How late the simulator's own event loop ran its timers, and its CPU use. A loop that lags adds its lag to every latency it measures, " +
      "so the latency figures are the broker's and the links' only when these are small. On virtual time the clock waits for the simulator, " +
      "so its pace cannot touch a simulated latency; the speed rows say how much faster than real time it ran.",
    blocks: [{
      table: {
        id: "health", title: "Event loop and CPU", head: ["", "value"],
        rows: c.labelled([
          ["event-loop lag p50", "health.eventLoopLagMs.p50", "ms"],
          ["event-loop lag p99", "health.eventLoopLagMs.p99", "ms"],
          ["event-loop lag max", "health.eventLoopLagMs.max", "ms"],
          ["CPU, of one core", "health.cpuPercent", "percent"],
          ["cores available", "health.cores"],
          ...(c.r.health.speed === undefined ? [] : SPEED_ROWS),
          ...(c.r.health.warning === undefined ? [] : [["warning", "health.warning"] as [string, string]]),
        ]),
      },
    }],
  };
}

function reproducibility(c: Cells): Section {
  const r = c.r;
  return {
    id: "reproducibility", title: "Reproducibility",
    note: "What it takes to repeat this run: the command line, the configuration as resolved (flags, file and defaults; secrets redacted), " +
      "the versions and the seed.",
    blocks: [
      {
        table: {
          id: "run", title: "Run", head: ["", "value"],
          rows: [
            ...c.labelled([
              ["tool", "tool"], ["tool version", "run.toolVersion"], ["Node.js", "run.nodeVersion"], ["started at", "startedAt"],
              ["broker", "broker"], ["MQTT version", "protocol"], ["firmware profile", "profile"], ["seed", "seed", "plain"],
              ["published for", "durationS", "s"], ["configured duration", "configuredDurationS", "s"],
            ]),
            [c.text("interrupted"), c.text(r.interrupted ? "yes (Ctrl-C)" : "no")],
            ...c.labelled([
              ["drained for", "drainedS", "s"], ["time-series period", "series.periodS", "s"],
              ["shard", "shard.k"], ["shards", "shard.n"], ["first sensor id", "shard.firstId", "plain"], ["last sensor id", "shard.lastId", "plain"],
              ["sensors in the fleet", "shard.fleetSensors"], ["sensors in this shard", "sensors"],
              ["host", "run.host.name"], ["operating system", "run.host.os"], ["CPU", "run.host.cpu"], ["cores", "run.host.cores"],
            ]),
          ],
        },
      },
      { pre: { id: "command-line", title: "Command line", text: r.run.commandLine } },
      { pre: { id: "config", title: "Resolved configuration", text: compactJson(r.run.config) } },
    ],
  };
}

/** The time series first (after the summary), health and reproducibility last. */
export function runSections(r: FleetReport): { first: Section[]; last: Section[] } {
  const c = new Cells(r);
  return { first: [overTime(c)], last: [health(c), reproducibility(c)] };
}
