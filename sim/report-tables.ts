// The report's sections about delivery: messages and the worst sensors, latency, connecting, the
// groups. Built once from a FleetReport as data and rendered twice (report-markdown.ts,
// report-html.ts), so report.md and report.html show the same cells in the same order.
import type { FleetReport } from "./report-types.ts";
import { Cells, type Section } from "./report-cells.ts";

// sim/report-summary.ts formats its counts as the tables do.

const MESSAGE_COUNTS = ["published", "delivered", "lost", "duplicates", "refusedLocally"];
const PERCENTILES = ["p50", "p99", "max"];
const GROUP_FIELDS = ["name", "sensors", "ids", "model", "payload", "qos", "topic"];
const WORST_COUNTS = ["published", "delivered", "lost", "duplicates"];

function messages(c: Cells): Section {
  return {
    id: "messages", title: "Messages",
    blocks: [
      {
        table: {
          id: "messages", title: "Published and delivered",
          head: ["", "sensors", "published", "delivered", "lost", "duplicates", "refused locally", "most queued on a sensor"],
          note: "Refused locally: readings the firmware could not take (outbox full while offline); they were never sent, so they are not lost. " +
            "Most queued: the most QoS 1/2 messages one sensor held at once, accepted and not yet acknowledged (through an outage, for example).",
          rows: [
            [c.text("all"), c.at("sensors"), ...c.fields("messages", MESSAGE_COUNTS), c.text("")],
            ...c.groups.map(({ p }) => [
              c.at(`${p}.name`), c.at(`${p}.sensors`), ...c.fields(`${p}.messages`, MESSAGE_COUNTS), c.at(`${p}.maxQueuedPerSensor`),
            ]),
          ],
        },
      },
      {
        table: {
          id: "worst-sensors", title: "Worst sensors",
          head: ["sensor", "group", "published", "delivered", "lost", "duplicates", "slowest delivery", "reconnects"],
          note: "The sensors that lost most, then had most duplicates, then the slowest delivery.",
          empty: "No sensor published.",
          rows: c.r.worstSensors.map((_, i) => {
            const p = `worstSensors.${i}`;
            return [c.plain(`${p}.id`), c.at(`${p}.group`), ...c.fields(p, WORST_COUNTS), c.at(`${p}.maxLatencyMs`, "ms"), c.at(`${p}.reconnects`)];
          }),
        },
      },
      ...(c.r.shards ? [{
        table: {
          id: "shards", title: "Shards merged into this report",
          head: ["shard", "of", "sensor ids", "sensors", "published", "delivered", "lost", "published for", "broker", "host"],
          note: "Each shard ran its own slice of the fleet's sensor ids in its own process; the figures above add up theirs.",
          rows: c.r.shards.map((_, i) => [...c.fields(`shards.${i}`, SHARD_FIELDS), c.at(`shards.${i}.durationS`, "s"),
            ...c.fields(`shards.${i}`, ["broker", "host"])]),
        },
      }] : []),
      ...(c.r.boards ? [{
        table: {
          id: "boards", title: "Emulated boards (the firmware as C on a Cortex-M4, QEMU, through the raw bridge)",
          head: ["board", "profile", "published", "delivered", "lost", "duplicates"],
          note: "Published: the readings each board's outbox took by the end of publishing, as its debug UART said.",
          rows: c.r.boards.map((_, i) => [c.at(`boards.${i}.clientId`), ...c.fields(`boards.${i}`, BOARD_COUNTS)]),
        },
      }] : []),
    ],
  };
}

const SHARD_FIELDS = ["k", "n", "ids", "sensors", "published", "delivered", "lost"];
const BOARD_COUNTS = ["profile", "published", "delivered", "lost", "duplicates"];

function latency(c: Cells): Section {
  const r = c.r;
  const histograms = [
    { label: "all", h: r.latencyMs, p: "latencyMs" },
    ...c.groups.map(({ g, p }) => ({ label: g.name, h: g.latencyMs, p: `${p}.latencyMs` })),
  ];
  const longest = histograms.reduce((a, b) => (b.h.histogram.length > a.h.histogram.length ? b : a));
  return {
    id: "latency", title: "Latency, publish to delivery",
    note: "From a sensor's PUBLISH to the observer's receipt of it, through the broker and the sensor's link.",
    blocks: [
      {
        table: {
          id: "latency", title: "Percentiles", head: ["", "p50", "p99", "max"],
          rows: [
            [c.text("all"), ...c.fields("latencyMs", PERCENTILES, "ms")],
            ...c.groups.map(({ p }) => [c.at(`${p}.name`), ...c.fields(`${p}.latencyMs`, PERCENTILES, "ms")]),
          ],
        },
      },
      { chart: "latency-histograms" },
      {
        table: {
          id: "latency-histogram", title: "Histogram (deliveries per bucket)", head: ["up to", ...histograms.map((h) => h.label)],
          note: "Power-of-two buckets: a bucket counts latencies above half its bound, up to its bound.",
          rows: longest.h.histogram.map((_, j) => [
            c.at(`${longest.p}.histogram.${j}.upToMs`, "ms"),
            ...histograms.map(({ h, p }) => (j < h.histogram.length ? c.at(`${p}.histogram.${j}.count`) : c.text(""))),
          ]),
        },
      },
    ],
  };
}

function connecting(c: Cells): Section {
  return {
    id: "connecting", title: "Connecting",
    blocks: [
      {
        table: {
          id: "connect", title: "CONNECT to CONNACK", head: ["group", "p50", "p99", "max"],
          note: "Every connection of the group's sensors, reconnections included: the time from sending CONNECT to receiving CONNACK.",
          rows: c.groups.map(({ p }) => [c.at(`${p}.name`), ...c.fields(`${p}.connectMs`, PERCENTILES, "ms")]),
        },
      },
      { chart: "connect-histograms" },
      {
        table: {
          id: "connections", title: "Connections", head: ["", "connects", "reconnects", "transport errors"],
          rows: [
            [c.text("all"), ...c.fields("connections", ["connects", "reconnects", "transportErrors"])],
            ...c.groups.map(({ p }) => [c.at(`${p}.name`), c.text(""), c.at(`${p}.reconnects`), c.text("")]),
          ],
        },
      },
      {
        table: {
          id: "errors", title: "Errors", head: ["kind", "count", "example"],
          rows: c.r.errors.map((_, i) => c.fields(`errors.${i}`, ["kind", "count", "example"])),
          empty: "No errors.",
        },
      },
    ],
  };
}

function groups(c: Cells): Section {
  return {
    id: "groups", title: "Sensor groups",
    blocks: [{
      table: {
        id: "groups", title: "Groups", head: ["group", "sensors", "ids", "model", "payload", "QoS", "topic", "interval", "jitter", "link"],
        rows: c.groups.map(({ p }) => [...c.fields(p, GROUP_FIELDS), c.at(`${p}.intervalMs`, "ms"), c.at(`${p}.jitterMs`, "ms"), c.at(`${p}.link`)]),
      },
    }],
  };
}

/** Messages, latency, connecting and the groups, in the order both files show them. */
export function deliverySections(r: FleetReport): Section[] {
  const c = new Cells(r);
  return [messages(c), latency(c), connecting(c), groups(c)];
}
