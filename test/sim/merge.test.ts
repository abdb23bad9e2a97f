// mote sim merge: two shards of one fleet run in process (the embedded broker, two groups), merged
// into one report whose every count is the sum of the shards', whose percentiles are those of all
// their samples together, whose per-sensor bytes are scaled from the summed measurements, and whose
// three files agree. Reports of another fleet, a shard given twice, or a file that is no report are
// refused with one line and exit 2; a merge of some of the shards says which are missing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSim } from "../../sim/main.ts";
import { perSensorBudget } from "../../sim/wire-budget.ts";
import type { FleetReport, LatencySummary } from "../../sim/report-types.ts";
import { cellProblem, keyedCells, valueAt } from "../support/report-files.ts";

const FLEET = ["--sensors", "14", "--model", "temperature,counter", "--duration", "2s", "--interval", "200ms", "--drain", "10s", "--seed", "5"];
let dir: string;
const shards: FleetReport[] = [];
let merged: FleetReport;
let out = "";
let err = "";
let code: number;

async function sim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let o = "";
  let e = "";
  const c = await runSim(args, { out: (t) => (o += t), err: (t) => (e += t) });
  return { code: c, out: o, err: e };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mote-merge-"));
  for (const k of [1, 2]) {
    const r = await sim([...FLEET, "--shard", `${k}/2`, "--report", join(dir, `shard-${k}`), "--quiet"]);
    if (r.code !== 0) throw new Error(`shard ${k} exited ${r.code}: ${r.err}`);
    shards.push(JSON.parse(readFileSync(join(dir, `shard-${k}`, "report.json"), "utf8")));
  }
  // Given in the other order: the merge orders shards by k.
  ({ code, out, err } = await sim(["merge", join(dir, "shard-2"), join(dir, "shard-1", "report.json"), "--report", join(dir, "merged")]));
  merged = JSON.parse(readFileSync(join(dir, "merged", "report.json"), "utf8"));
}, 90_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const total = (f: (r: FleetReport) => number) => shards.reduce((n, r) => n + f(r), 0);

/** Every sample of the shards' fine buckets, ascending (values here are below 1024 ms: buckets are exact). */
function samples(summaries: LatencySummary[]): number[] {
  return summaries.flatMap((s) => (s.buckets ?? []).flatMap(([v, n]) => Array<number>(n).fill(v))).sort((a, b) => a - b);
}
const rank = (xs: number[], q: number) => (xs.length === 0 ? 0 : xs[Math.max(0, Math.ceil(q * xs.length) - 1)]);

function expectMergedSummary(m: LatencySummary, parts: LatencySummary[]): void {
  const xs = samples(parts);
  expect(xs.every((x) => x <= 1024)).toBe(true);
  expect(m.p50).toBe(rank(xs, 0.5));
  expect(m.p99).toBe(rank(xs, 0.99));
  expect(m.max).toBe(Math.max(...parts.map((p) => p.max)));
  expect(m.histogram.reduce((n, b) => n + b.count, 0)).toBe(xs.length);
  for (const b of m.histogram) {
    expect(b.count).toBe(parts.reduce((n, p) => n + (p.histogram.find((x) => x.upToMs === b.upToMs)?.count ?? 0), 0));
  }
}

describe("mote sim merge of two in-process shards", () => {
  it("exits 0 with the summary panel, a shards row and 'report: <path>' last", () => {
    expect(code, err).toBe(0);
    expect(out).toMatch(/shards +2 of 2 merged \(1, 2\) from 1 host/);
    expect(out.trim().split("\n").at(-1)).toBe(`report: ${join(dir, "merged", "report.json")}`);
  });

  it("sums the message counts, overall and per group, and the sensors", () => {
    expect(merged.sensors).toBe(14);
    expect(merged.shard).toMatchObject({ k: 1, n: 1, firstId: 0, lastId: 13, fleetSensors: 14 });
    for (const k of ["published", "delivered", "lost", "duplicates", "refusedLocally"] as const) {
      expect(merged.messages[k], k).toBe(total((r) => r.messages[k]));
      merged.groups.forEach((g, i) => expect(g.messages[k], `${g.name} ${k}`).toBe(total((r) => r.groups[i].messages[k])));
    }
    expect(merged.messages.published).toBeGreaterThan(14 * 5);
    expect(merged.groups.map((g) => [g.name, g.sensors, g.ids])).toEqual([["temperature", 7, "0-6"], ["counter", 7, "7-13"]]);
  });

  it("reads p50/p99 from the merged histograms: the nearest rank of every shard's samples together", () => {
    expectMergedSummary(merged.latencyMs, shards.map((r) => r.latencyMs));
    merged.groups.forEach((g, i) => {
      expectMergedSummary(g.latencyMs, shards.map((r) => r.groups[i].latencyMs));
      expectMergedSummary(g.connectMs, shards.map((r) => r.groups[i].connectMs));
    });
  });

  it("sums the packet tables, the connections and the measured traffic, and scales bytes per sensor from the sums", () => {
    for (const [type, row] of Object.entries(merged.bytesByPacketType)) {
      expect(row.packets, type).toBe(total((r) => r.bytesByPacketType[type]?.packets ?? 0));
      expect(row.bytes, type).toBe(total((r) => r.bytesByPacketType[type]?.bytes ?? 0));
    }
    expect(merged.bytesReceivedByPacketType.PUBACK.packets).toBe(merged.messages.published);
    expect(merged.connections.connects).toBe(total((r) => r.connections.connects));
    merged.groups.forEach((g, i) => {
      const parts = shards.map((r) => r.groups[i]);
      const m = (k: "upBytes" | "downBytes" | "upPackets" | "downPackets" | "connects") => parts.reduce((n, p) => n + p.measured![k], 0);
      const runSeconds = Math.round((parts.reduce((n, p) => n + p.sensors * p.measured!.runS, 0) / g.sensors) * 1000) / 1000;
      expect(g.perSensor).toEqual(perSensorBudget({
        upBytes: m("upBytes"), downBytes: m("downBytes"), upPackets: m("upPackets"), downPackets: m("downPackets"), connections: m("connects"),
        sensors: g.sensors, runSeconds,
      }));
      expect(g.measured!.runS).toBe(runSeconds);
      expect(g.perSensor).toEqual(perSensorBudget({
        upBytes: g.measured!.upBytes, downBytes: g.measured!.downBytes, upPackets: g.measured!.upPackets, downPackets: g.measured!.downPackets,
        connections: g.measured!.connects, sensors: g.sensors, runSeconds: g.measured!.runS,
      }));
      expect(g.message.topicBytes).toBe(parts[0].message.topicBytes);
    });
  });

  it("sums the series period by period, with each period's percentiles from its merged buckets", () => {
    expect(merged.series.periodS).toBe(shards[0].series.periodS);
    merged.series.points.forEach((p, i) => {
      const parts = shards.flatMap((r) => (r.series.points[i] ? [r.series.points[i]] : []));
      for (const k of ["published", "delivered", "bytesUp", "bytesDown", "connected", "errors", "reconnects"] as const) {
        expect(p[k], `${i} ${k}`).toBe(parts.reduce((n, x) => n + x[k], 0));
      }
      const xs = parts.flatMap((x) => x.latencyBuckets.flatMap(([v, n]) => Array<number>(n).fill(v))).sort((a, b) => a - b);
      expect([p.latencyP50Ms, p.latencyP99Ms]).toEqual([rank(xs, 0.5), rank(xs, 0.99)]);
    });
    expect(merged.series.points.reduce((n, p) => n + p.published, 0)).toBe(merged.messages.published);
  });

  it("ranks the worst sensors again, over both shards", () => {
    const all = shards.flatMap((r) => r.worstSensors);
    expect(merged.worstSensors.length).toBe(Math.min(10, all.length));
    expect(new Set(merged.worstSensors.map((s) => s.id)).size).toBe(merged.worstSensors.length);
    for (const s of merged.worstSensors) expect(all).toContainEqual(s);
  });

  it("says how fast the shards went together: the longest wall time, the CPU of all, messages per CPU second of all", () => {
    const speeds = shards.map((r) => r.health.speed!);
    const cpuS = Math.round(speeds.reduce((n, x) => n + x.cpuS, 0) * 100) / 100;
    expect(merged.health.speed).toMatchObject({ time: "real", wallS: Math.max(...speeds.map((x) => x.wallS)), cpuS,
      messagesPerCpuS: Math.round(merged.messages.published / cpuS) });
  });

  it("adds the shards' CPU, and says each shard had its own embedded broker", () => {
    expect(merged.health.cpuPercent).toBe(shards[0].health.cpuPercent + shards[1].health.cpuPercent);
    expect(merged.broker).toBe("embedded aedes, one per shard (2 brokers, in process)");
  });

  it("decides the verdict again and lists each shard", () => {
    expect(merged.verdict).toEqual({ passed: true, problems: [] });
    expect(merged.shards!.map((s) => [s.k, s.n, s.ids, s.sensors, s.published])).toEqual(
      shards.map((r) => [r.shard.k, 2, `${r.shard.firstId}-${r.shard.lastId}`, r.sensors, r.messages.published]));
  });

  it("writes report.html whose every keyed cell holds the merged value, the shards table included", () => {
    const cells = keyedCells(readFileSync(join(dir, "merged", "report.html"), "utf8"));
    for (const c of cells) expect(cellProblem(c, valueAt(merged, c.key)), c.key).toBeUndefined();
    expect(cells.some((c) => c.key === "shards.1.published")).toBe(true);
    expect(cells.some((c) => c.key === "groups.0.measured.upBytes")).toBe(true);
    expect(readFileSync(join(dir, "merged", "report.md"), "utf8")).toContain("Shards merged into this report");
  });
});

describe("mote sim merge refuses", () => {
  const refused = async (args: string[], line: RegExp) => {
    const r = await sim(["merge", ...args, "--report", join(dir, "refused")]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(line);
  };

  it("a shard of another fleet (another seed)", async () => {
    const other = { ...shards[1], seed: 6 };
    writeFileSync(join(dir, "other.json"), JSON.stringify(other));
    await refused([join(dir, "shard-1"), join(dir, "other.json")], /other\.json' is not a shard of the same fleet as .*: seed 6 vs 5/);
  });

  it("a shard of another configuration", async () => {
    const other = { ...shards[1], run: { ...shards[1].run, config: { ...shards[1].run.config, durationS: 3 } } };
    writeFileSync(join(dir, "longer.json"), JSON.stringify(other));
    await refused([join(dir, "shard-1"), join(dir, "longer.json")], /config\.durationS is 3 here, 2 there/);
  });

  it("a shard given twice", async () => {
    await refused([join(dir, "shard-1"), join(dir, "shard-1", "report.json")], /shard 1\/2 is given twice/);
  });

  it("a file that is not a report, and a directory without one", async () => {
    writeFileSync(join(dir, "not.json"), "{\"hello\": 1}");
    await refused([join(dir, "not.json")], /not a report of mote sim to merge/);
    await refused([join(dir, "nowhere")], /cannot read .*nowhere.*ENOENT/);
  });
});

describe("mote sim merge of logs", () => {
  it("reads the report's line out of a log that holds stdout and stderr together (kubectl logs of a --json shard)", async () => {
    const log = join(dir, "shard-2.log");
    writeFileSync(log, `{"progress":{"elapsedS":1}}\n${JSON.stringify(shards[1])}\nreport: /reports/shard-2/report.json\n`);
    const r = await sim(["merge", join(dir, "shard-1"), log, "--report", join(dir, "from-log"), "--json"]);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as FleetReport).messages).toEqual(merged.messages);
  });
});

describe("mote sim merge of some shards", () => {
  it("merges them, says which are missing and fails the verdict: the missing shards' sensors are not counted", async () => {
    const r = await sim(["merge", join(dir, "shard-2"), "--report", join(dir, "half"), "--json"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("mote sim merge: warning: 1 of 2 shards merged; missing 1/2");
    const half = JSON.parse(r.out) as FleetReport;
    expect(half.messages).toEqual(shards[1].messages);
    expect(half.shards!.map((s) => s.k)).toEqual([2]);
    expect(half.verdict).toEqual({ passed: false, problems: ["1 of 2 shards missing (1/2): their sensors are not counted"] });
  });
});
