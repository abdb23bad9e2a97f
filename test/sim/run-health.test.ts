// What a report says about the run itself (issue 12, problems 5 and 6): whether it was
// interrupted and for how long it really ran, how healthy the simulator's own event loop was
// (so latency can be told from simulator stalls), the fleet over time, outage windows, the
// worst sensors and connect times, and how to repeat it (secrets redacted).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSim } from "../../sim/main.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import { BOTTLENECK_CPU_PERCENT, BOTTLENECK_LAG_P99_MS, healthOf } from "../../sim/health.ts";
import { redactArgv } from "../../sim/credentials.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function sim(args: string[], stop?: Promise<void>): Promise<{ code: number; out: string; err: string; report: FleetReport; md: string }> {
  const dir = mkdtempSync(join(tmpdir(), "mote-runhealth-"));
  dirs.push(dir);
  let out = "";
  let err = "";
  const code = await runSim([...args, "--report", dir, "--quiet"], { out: (t) => (out += t), err: (t) => (err += t) }, stop);
  return { code, out, err, report: JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport, md: readFileSync(join(dir, "report.md"), "utf8") };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("simulator health", () => {
  it("is a stall of the event loop, measured: lag p99/max and a warning that the simulator was the bottleneck", async () => {
    // A busy simulator: the event loop blocked 250 ms every 400 ms while the fleet runs.
    const hog = setInterval(() => {
      const until = performance.now() + 250;
      while (performance.now() < until);
    }, 400);
    let r;
    try {
      r = await sim(["--sensors", "10", "--duration", "3s", "--interval", "200ms", "--drain", "3s"]);
    } finally {
      clearInterval(hog);
    }
    expect(r.report.health.eventLoopLagMs.max).toBeGreaterThanOrEqual(200);
    expect(r.report.health.eventLoopLagMs.p99).toBeGreaterThan(BOTTLENECK_LAG_P99_MS);
    expect(r.report.health.warning).toMatch(/^the simulator itself was the bottleneck: event-loop lag p99 \d+(\.\d)? ms/);
    expect(r.err).toContain("mote sim: warning: the simulator itself was the bottleneck");
    expect(r.out).toMatch(/simulator +event-loop lag p50 .*, p99 .*, max .*; CPU \d+% of one core/);
  }, 30_000);

  it("warns on lag p99 or CPU above their limits, and not below", () => {
    expect(healthOf({ p50: 1, p99: 20, max: 40 }, 500, 1000, 2).warning).toBeUndefined();
    expect(healthOf({ p50: 1, p99: BOTTLENECK_LAG_P99_MS + 1, max: 300 }, 100, 1000, 2).warning).toMatch(/lag p99 101 ms \(max 300 ms\)/);
    const busy = healthOf({ p50: 1, p99: 2, max: 3 }, (BOTTLENECK_CPU_PERCENT + 5) * 10, 1000, 2);
    expect(busy.cpuPercent).toBe(BOTTLENECK_CPU_PERCENT + 5);
    expect(busy.warning).toMatch(/CPU 95% of one core/);
  });
});

describe("an interrupted run", () => {
  it("is marked interrupted, with the time it really published, in the report and the summary", async () => {
    const stop = new Promise<void>((resolve) => setTimeout(resolve, 2500));
    const r = await sim(["--sensors", "5", "--duration", "30s", "--interval", "250ms", "--drain", "3s"], stop);
    expect(r.report.interrupted).toBe(true);
    expect(r.report.configuredDurationS).toBe(30);
    expect(r.report.durationS).toBeGreaterThan(1.5);
    expect(r.report.durationS).toBeLessThan(10);
    expect(r.out).toMatch(new RegExp(`interrupted: published for ${r.report.durationS} s of 30 s`));
    expect(r.md).toContain(`interrupted: published for ${r.report.durationS} s of 30 s`);
    expect(r.err).toContain(`mote sim: interrupted after ${r.report.durationS} s of 30 s`);
    expect(r.report.messages.lost).toBe(0);
  }, 30_000);

  it("by Ctrl-C (SIGINT) on the command line: a report marked interrupted, nothing lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-runhealth-sigint-"));
    dirs.push(dir);
    const child = spawn("bin/mote", ["sim", "--sensors", "5", "--duration", "30s", "--interval", "250ms", "--report", dir, "--quiet"]);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const sigint = setTimeout(() => child.kill("SIGINT"), 4000);
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    clearTimeout(sigint);
    clearTimeout(killer);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport;
    expect(report.interrupted).toBe(true);
    expect(report.durationS).toBeLessThan(30);
    expect(report.messages.lost).toBe(0);
  }, 40_000);

  it("by Ctrl-C with messages 4 s from the broker: the drain outlasts the old 3 s stop limit and the report is still written, " +
    "and a relayed duplicate SIGINT is not a second Ctrl-C", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-runhealth-sigint-latency-"));
    dirs.push(dir);
    // Every message takes 4 s to cross the link: what was published just before the Ctrl-C arrives 4 s after it.
    const child = spawn("bin/mote", ["sim", "--sensors", "10", "--duration", "60s", "--interval", "500ms", "--link", "latency=4s",
      "--report", dir, "--quiet"]);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const start = performance.now();
    // The same Ctrl-C twice, 50 ms apart, as a terminal plus a relaying wrapper deliver it.
    const sigint = setTimeout(() => {
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGINT"), 50);
    }, 6000);
    const killer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    clearTimeout(sigint);
    clearTimeout(killer);
    expect(code, stderr).toBe(0);
    expect(performance.now() - start).toBeGreaterThan(6000 + 3000);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport;
    expect(report.interrupted).toBe(true);
    expect(report.drainedS).toBeGreaterThan(3);
    expect(report.messages.lost).toBe(0);
  }, 60_000);

  it("is not interrupted when it ran its course", async () => {
    const r = await sim(["--sensors", "2", "--duration", "1s", "--interval", "250ms"]);
    expect(r.report.interrupted).toBe(false);
    expect(r.report.durationS).toBe(1);
    expect(r.out).toMatch(/published for 1 s, drained/);
    // The terminal gets the summary panel only (the whole report is in the files), at most 15 lines.
    expect(r.out.trimEnd().split("\n").length).toBeLessThanOrEqual(15);
    expect(r.out).not.toContain("## ");
  }, 30_000);
});

describe("the fleet over time, outages, worst sensors and connect times", () => {
  it("has series points whose counts add up to the run's totals", async () => {
    const r = await sim(["--sensors", "10", "--duration", "3s", "--interval", "250ms", "--drain", "3s"]);
    const { points, periodS } = r.report.series;
    expect(periodS).toBe(1);
    expect(points.length).toBeGreaterThanOrEqual(3);
    expect(sum(points.map((p) => p.published))).toBe(r.report.messages.published);
    expect(sum(points.map((p) => p.delivered))).toBe(r.report.messages.delivered);
    // Every byte up but the DISCONNECTs, which go out as the fleet closes, after the last point.
    const up = r.report.bytesByPacketType;
    expect(sum(points.map((p) => p.bytesUp))).toBe(sum(Object.values(up).map((t) => t.bytes)) - (up.DISCONNECT?.bytes ?? 0));
    expect(points.at(-1)!.connected).toBe(10);
    expect(Math.max(...points.map((p) => p.latencyP99Ms))).toBeLessThanOrEqual(r.report.latencyMs.max);
  }, 30_000);

  it("shows outage windows, ranks the sensors that lost most first, and times every CONNECT to its CONNACK", async () => {
    const r = await sim(["--sensors", "10", "--qos", "0", "--duration", "4s", "--interval", "100ms", "--drain", "1s", "--link", "outage=1s@1s/2s"]);
    expect(r.report.outages.slice(0, 2)).toEqual([{ group: "temperature", fromS: 1, toS: 2 }, { group: "temperature", fromS: 3, toS: 4 }]);
    const worst = r.report.worstSensors;
    expect(worst).toHaveLength(10);
    for (const w of worst) expect(w.lost).toBe(w.published - w.delivered);
    expect(worst.map((w) => w.lost)).toEqual([...worst.map((w) => w.lost)].sort((a, b) => b - a));
    expect(sum(worst.map((w) => w.lost))).toBe(r.report.messages.lost);
    expect(sum(worst.map((w) => w.reconnects))).toBe(r.report.connections.reconnects);
    expect(r.report.connections.reconnects).toBeGreaterThan(0);
    const connect = r.report.groups[0].connectMs;
    expect(sum(connect.histogram.map((b) => b.count))).toBe(r.report.connections.connects);
  }, 30_000);
});

describe("reproducibility", () => {
  it("records the command line and resolved config with every secret redacted, the versions, seed and host", async () => {
    const r = await sim(["--sensors", "2", "--duration", "1s", "--seed", "42", "-u", "alice", "-P", "pa55word"]);
    const run = r.report.run;
    expect(run.commandLine).toMatch(/^mote sim --sensors 2 --duration 1s --seed 42 -u alice -P '\*\*\*' --report \S+ --quiet$/);
    expect(JSON.stringify(r.report)).not.toContain("pa55word");
    expect(run.config).toMatchObject({ seed: 42, credentials: { username: "alice", password: "***" } });
    expect(run.nodeVersion).toBe(process.version);
    expect(run.toolVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.host.cores).toBeGreaterThan(0);
  }, 30_000);

  it("redacts -P, --password, --password= and URL passwords in a command line", () => {
    expect(redactArgv(["-P", "s1", "--password", "s2", "--password=s3", "--broker", "mqtts://bob:s4@h:8883", "-u", "bob"]))
      .toEqual(["-P", "***", "--password", "***", "--password=***", "--broker", "mqtts://bob:***@h:8883", "-u", "bob"]);
  });
});
