// The simulator's sensors log in the ways pub/sub do (issue 13): MQTT 5 enhanced authentication
// (SCRAM-SHA-256, and a token per sensor from an {id} template) against the scripted auth broker,
// and a password command per sensor ({id}) against mosquitto with a password file. Secrets never
// reach the report.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSim } from "../../sim/main.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import { AuthBroker } from "../support/auth-broker.ts";
import { startMosquitto } from "../support/mosquitto.ts";

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "mote-fleetauth-"));
  dirs.push(d);
  return d;
};

async function sim(args: string[]): Promise<{ code: number; err: string; report: FleetReport; files: string }> {
  const dir = tempDir();
  let err = "";
  const code = await runSim([...args, "--report", dir, "--quiet"], { out: () => {}, err: (t) => (err += t) });
  if (code === 2) throw new Error(err);
  const files = ["report.json", "report.md", "report.html"].map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
  return { code, err, report: JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport, files };
}

const fleet311 = ["--sensors", "5", "--duration", "2s", "--interval", "250ms", "--qos", "1", "--drain", "5s"];
const fleet = [...fleet311, "-V", "5"];

function expectAllDelivered(r: { code: number; err: string; report: FleetReport }): void {
  expect(r.report.errors, r.err).toEqual([]);
  expect(r.report.messages.published).toBeGreaterThan(0);
  expect(r.report.messages.delivered).toBe(r.report.messages.published);
  expect(r.code, r.err).toBe(0);
}

describe("mote sim with MQTT 5 enhanced authentication", () => {
  it("logs every sensor and the observer in by SCRAM-SHA-256 (-u/-P), with no password in the report", async () => {
    const b = await new AuthBroker({ users: { fleet: "s3cret-scram" } }).listen();
    closers.push(() => b.close());
    const r = await sim(["--broker", b.url, "--auth-method", "SCRAM-SHA-256", "-u", "fleet", "-P", "s3cret-scram", ...fleet]);
    expectAllDelivered(r);
    expect(b.connections.filter((c) => c.method === "SCRAM-SHA-256" && c.connack === 0)).toHaveLength(6);
    expect(r.files).not.toContain("s3cret-scram");
  }, 30_000);

  it("gives each sensor its own token from an {id} template in a group, and counts a refused one as a refused login", async () => {
    const b = await new AuthBroker({ tokenValid: (t) => /^tok-(\d|observer)$/.test(t) && t !== "tok-4" }).listen();
    closers.push(() => b.close());
    const dir = tempDir();
    const config = join(dir, "fleet.json");
    writeFileSync(config, JSON.stringify({ authMethod: "bearer", authData: "tok-{id}" }));
    const r = await sim(["--config", config, "--broker", b.url, ...fleet]);
    const presented = b.connections.map((c) => c.data[0]?.toString()).filter(Boolean).sort();
    expect(presented).toEqual(expect.arrayContaining(["tok-0", "tok-1", "tok-2", "tok-3", "tok-observer"]));
    expect(r.report.errors.find((e) => e.kind === "connect refused")?.example).toMatch(/Not authorized \(0x87\)/);
    expect(r.code).toBe(1);
    expect(r.files).not.toContain("tok-{id}");
  }, 30_000);
});

describe("mote sim --password-command", () => {
  it("runs the command per sensor ({id}) before every connect, against mosquitto with a password file", async () => {
    const users = Object.fromEntries([...Array.from({ length: 5 }, (_, i) => [`dev-${i}`, `pw-${i}-x9`]), ["dev-observer", "pw-observer-x9"]]);
    const mosquitto = await startMosquitto({ users });
    closers.push(() => mosquitto.stop());
    const r = await sim(["--broker", mosquitto.url(), "-u", "dev-{id}", "--password-command", "printf 'pw-%s-x9' {id}",
      ...fleet311]);
    expectAllDelivered(r);
    expect(r.files).not.toMatch(/pw-\d-x9/);
  }, 30_000);
});
