// Issue 15, "must show": on virtual time the same seed and config give the same run, byte for
// byte in report.json apart from the fields that describe the machine and when it ran
// (MACHINE_FIELDS); another seed gives another run. The fleet is one that has randomness
// everywhere: jittered intervals, a link with latency, jitter, loss and a daily outage, two groups
// at QoS 1 and 2. Each run is `bin/mote sim` as a user runs it, into the same report directory (so
// the command lines are the same too).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MACHINE_FIELDS } from "../../sim/speed.ts";
import type { FleetReport } from "../../sim/report-types.ts";

const RUN_TIMEOUT_MS = 90_000;
const dir = mkdtempSync(join(tmpdir(), "mote-determinism-"));
const FLEET = ["--time", "virtual", "--sensors", "30", "--model", "temperature,gps", "--duration", "2d", "--interval", "5m", "--jitter", "2m",
  "--keepalive", "120", "--link", "latency=150ms,jitter=100ms,loss=3%,outage=2h@02:00/1d", "--quiet", "--report", dir];

/** report.json's text after a run, and the report without the machine's fields. */
async function run(seed: number): Promise<{ text: string; fleet: string; report: FleetReport }> {
  const code = await new Promise<number>((resolve) =>
    execFile("bin/mote", ["sim", ...FLEET, "--seed", String(seed)], { timeout: RUN_TIMEOUT_MS }, (err) => resolve(err ? 1 : 0)));
  expect(code).toBe(0);
  const text = readFileSync(join(dir, "report.json"), "utf8");
  const report = JSON.parse(text) as FleetReport;
  const fleet = JSON.parse(text) as Record<string, unknown>;
  for (const path of MACHINE_FIELDS) {
    const keys = path.split(".");
    const parent = keys.slice(0, -1).reduce((o, k) => o[k] as Record<string, unknown>, fleet);
    expect(parent, path).toHaveProperty(keys.at(-1)!);
    delete parent[keys.at(-1)!];
  }
  return { text, fleet: JSON.stringify(fleet, null, 2), report };
}

let first: Awaited<ReturnType<typeof run>>;
let again: Awaited<ReturnType<typeof run>>;
let other: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
  first = await run(7);
  again = await run(7);
  other = await run(8);
}, 3 * RUN_TIMEOUT_MS);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("virtual time, same seed", () => {
  it("gives the same report.json, byte for byte, apart from the machine's fields", () => {
    expect(again.fleet).toBe(first.fleet);
    expect(again.fleet.length).toBeGreaterThan(10_000);
  });

  it("is a run where chance had its say: retransmissions, outages, reconnects and spread latencies", () => {
    const r = first.report;
    expect(r.connections.reconnects).toBeGreaterThan(0);
    expect(r.outages.length).toBeGreaterThanOrEqual(2 * 2);
    expect(r.latencyMs.p99).toBeGreaterThan(r.latencyMs.p50);
    expect(r.messages.lost).toBe(0);
  });

  it("keeps only the machine's fields apart", () => {
    expect(MACHINE_FIELDS).toEqual(["startedAt", "health", "device.hostBytesPerSensor", "device.rssBytesPerSensor"]);
    expect(first.report.health.speed).toMatchObject({ time: "virtual" });
    expect(first.report.health.speed!.compression).toBeGreaterThan(100);
  });
});

describe("virtual time, another seed", () => {
  it("gives another run: other latencies, other publish times, other counts", () => {
    expect(other.fleet).not.toBe(first.fleet);
    expect(other.report.latencyMs).not.toEqual(first.report.latencyMs);
    expect(other.report.series.points).not.toEqual(first.report.series.points);
  });
});
