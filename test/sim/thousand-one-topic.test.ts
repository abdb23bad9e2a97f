// Issue 12, "must show": a fleet of 1,000 sensors on ONE fixed topic (no {id} in --topic), QoS 1,
// against a real mosquitto that refuses anonymous clients (a password file made by
// mosquitto_passwd -b -c). `mote sim` runs as a user runs it (bin/mote, a child process, so its
// real stdout and stderr are checked). Every message arrives, none is lost or counted twice, the
// run exits 0, and the password appears in none of report.json, report.md, report.html, stdout
// and stderr.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetReport } from "../../sim/report-types.ts";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";

const SENSORS = 1000;
const TOPIC = "plant/hall-1/readings";
const USER = "fleet";
// Distinctive, so a hit can only be a leak.
const PASSWORD = "Thousand-0ne-Topic-pw-5b1e9c";
// 1,000 sensors × 3 readings each (6 s at 2 s) keeps the run well under 40 s on 2 cores.
const RUN = ["--duration", "6s", "--interval", "2s", "--drain", "10s"];
const RUN_TIMEOUT_MS = 50_000;

const dir = mkdtempSync(join(tmpdir(), "mote-thousand-"));
let mosquitto: Mosquitto;

interface Run { code: number; stdout: string; stderr: string; ms: number }

function mote(args: string[]): Promise<Run> {
  const start = performance.now();
  return new Promise((resolve) => {
    execFile("bin/mote", ["sim", ...args], { timeout: RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: performance.now() - start }));
  });
}

beforeAll(async () => {
  // mosquitto 2.0 has no connection limit by default (max_connections -1) and inherits this
  // process's open-file limit, which leaves room for 1,000 sensors and the observer.
  mosquitto = await startMosquitto({ quiet: true, users: { [USER]: PASSWORD }, extraConfig: ["max_connections -1"] });
});

afterAll(async () => {
  await mosquitto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("1,000 sensors on one fixed topic, QoS 1, against mosquitto with a password file", () => {
  it("delivers every message exactly once, exits 0 and never writes the password", async () => {
    expect(mosquitto.config).toMatch(/^allow_anonymous false$/m);
    expect(mosquitto.config).toMatch(/^password_file /m);
    const r = await mote(["--broker", mosquitto.url(), "-u", USER, "-P", PASSWORD, "--topic", TOPIC, "--qos", "1",
      "--sensors", String(SENSORS), ...RUN, "--client-prefix", "thousand-", "--report", dir]);
    const files = ["report.json", "report.md", "report.html"].map((f) => [f, readFileSync(join(dir, f), "utf8")] as const);
    const report = JSON.parse(files[0][1]) as FleetReport;
    const m = report.messages;
    console.log(`mote sim: ${SENSORS} sensors, ${m.published} published, ${m.delivered} delivered, ` +
      `${m.lost} lost, ${m.duplicates} duplicates, exit ${r.code}, ${(r.ms / 1000).toFixed(1)} s`);

    expect(report.groups.map((g) => ({ sensors: g.sensors, topic: g.topic, qos: g.qos }))).toEqual([{ sensors: SENSORS, topic: TOPIC, qos: 1 }]);
    expect(m.published).toBeGreaterThanOrEqual(SENSORS * 2);
    expect({ delivered: m.delivered, lost: m.lost, duplicates: m.duplicates }).toEqual({ delivered: m.published, lost: 0, duplicates: 0 });
    expect(report.errors.filter((e) => e.kind === "connect refused")).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    // Every sensor and the observer logged in as USER: mosquitto logs each login's client id and user name.
    const logins = [...mosquitto.logs().matchAll(/ as (thousand-\S+) \([^)]*u'([^']*)'\)/g)].filter(([, , user]) => user === USER);
    const ids = new Set(logins.map(([, id]) => id));
    expect(ids.has("thousand-observer-1of1")).toBe(true);
    expect([...ids].filter((id) => /^thousand-\d+$/.test(id)).length).toBe(SENSORS);

    for (const [name, text] of [...files, ["stdout", r.stdout]]) expect(text.length, name).toBeGreaterThan(0);
    for (const [name, text] of [...files, ["stdout", r.stdout], ["stderr", r.stderr]]) expect(text, name).not.toContain(PASSWORD);
  }, 60_000);
});
