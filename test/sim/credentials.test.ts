// Credentials for the whole fleet against a mosquitto with a password file: from the broker URL,
// from -u/-P, and per group from the config file (with a {id} template). Every sensor logs in,
// a refused CONNACK is an error with its reason code, and the password is never written out.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSim } from "../../sim/main.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";

// A string no report text contains by chance (the report says "secrets redacted").
const PASSWORD = "pw-5c1e-alice";
const dirs: string[] = [];
let mosquitto: Mosquitto;

interface SimResult { code: number; out: string; err: string; report: FleetReport; files: string[] }

async function sim(args: string[]): Promise<SimResult> {
  const dir = mkdtempSync(join(tmpdir(), "mote-credentials-"));
  dirs.push(dir);
  let out = "";
  let err = "";
  const code = await runSim([...args, "--report", dir, "--quiet"], { out: (t) => (out += t), err: (t) => (err += t) });
  const files = ["report.json", "report.md", "report.html"].map((f) => readFileSync(join(dir, f), "utf8"));
  return { code, out, err, report: JSON.parse(files[0]) as FleetReport, files };
}

const fleet = ["--sensors", "10", "--duration", "3s", "--interval", "250ms", "--qos", "1", "--drain", "5s"];

function expectAllDelivered(r: SimResult): void {
  expect(r.err).not.toMatch(/lost/);
  expect(r.report.messages.lost).toBe(0);
  expect(r.report.messages.published).toBeGreaterThan(0);
  expect(r.report.messages.delivered).toBe(r.report.messages.published);
  expect(r.report.errors).toEqual([]);
  expect(r.code).toBe(0);
}

function expectNoSecret(r: SimResult): void {
  for (const text of [...r.files, r.out, r.err]) expect(text).not.toContain(PASSWORD);
}

beforeAll(async () => {
  mosquitto = await startMosquitto({ quiet: true, users: { alice: PASSWORD, "dev-3": "d3" } });
});

afterAll(async () => {
  await mosquitto?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("fleet credentials against mosquitto with a password file", () => {
  it("logs every sensor in with the broker URL's credentials, and writes the URL without the password", async () => {
    const url = `mqtt://alice:${PASSWORD}@127.0.0.1:${mosquitto.ports.tcp}`;
    const r = await sim(["--broker", url, "--client-prefix", "url-", ...fleet]);
    expectAllDelivered(r);
    expectNoSecret(r);
    expect(r.report.broker).toBe(`mqtt://alice:***@127.0.0.1:${mosquitto.ports.tcp}`);
  }, 30_000);

  it("logs every sensor in with -u/-P (and --username/--password)", async () => {
    const r = await sim(["--broker", mosquitto.url(), "-u", "alice", "-P", PASSWORD, "--client-prefix", "up-", ...fleet]);
    expectAllDelivered(r);
    expectNoSecret(r);
    const long = await sim(["--broker", mosquitto.url(), "--username", "alice", `--password=${PASSWORD}`, "--client-prefix", "long-", ...fleet]);
    expectAllDelivered(long);
    expectNoSecret(long);
  }, 60_000);

  it("counts a wrong password's refused CONNACKs as errors with the reason code, and exits non-zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-credentials-cfg-"));
    dirs.push(dir);
    const config = join(dir, "fleet.json");
    writeFileSync(config, JSON.stringify({ groups: [{ name: "good", count: 5 }, { name: "bad", count: 5, password: "wrong-pw" }] }));
    const r = await sim(["--config", config, "--broker", mosquitto.url(), "-u", "alice", "-P", PASSWORD, "--client-prefix", "bad-", ...fleet]);
    expect(r.code).not.toBe(0);
    const refused = r.report.errors.filter((e) => /refused/.test(e.kind));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.reduce((n, e) => n + e.count, 0)).toBeGreaterThanOrEqual(5);
    expect(refused[0].example).toMatch(/not authori[sz]ed/i);
    expect(refused[0].example).toMatch(/0x87.*return code 5/);
    expect(r.files[1]).toMatch(/not authori[sz]ed/i);
    expectNoSecret(r);
    expect(r.files.join("")).not.toContain("wrong-pw");
  }, 30_000);

  it("fails the run when the broker refuses a sensor's login, even at QoS 0 where nothing counts as lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-credentials-cfg-"));
    dirs.push(dir);
    const config = join(dir, "fleet.json");
    // The observer logs in with the fleet's -u/-P; the group's sensors with a wrong password of their own.
    writeFileSync(config, JSON.stringify({ groups: [{ name: "bad", count: 3, qos: 0, password: "not-the-password" }] }));
    const r = await sim(["--config", config, "--broker", mosquitto.url(), "-u", "alice", "-P", PASSWORD, "--client-prefix", "q0-",
      "--duration", "1s", "--interval", "250ms", "--drain", "1s"]);
    expect(r.report.errors.some((e) => e.kind === "connect refused")).toBe(true);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/connections refused by the broker/);
    expect(r.files.join("") + r.out + r.err).not.toContain("not-the-password");
  }, 30_000);

  it("shows refused logins with their reason code in the progress lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-credentials-cfg-"));
    dirs.push(dir);
    const config = join(dir, "fleet.json");
    writeFileSync(config, JSON.stringify({ groups: [{ name: "bad", count: 3, password: "wrong-again" }] }));
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile("bin/mote", ["sim", "--config", config, "--broker", mosquitto.url(), "-u", "alice", "-P", PASSWORD, "--client-prefix", "prog-",
        "--duration", "1s", "--interval", "250ms", "--drain", "1s", "--report", dir], { timeout: 30_000 },
      (err, _out, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }));
    });
    expect(r.code).toBe(1);
    const progress = r.stderr.split("\n").filter((l) => l.startsWith("["));
    expect(progress.at(-1)).toMatch(/errors \d+ \(3 logins refused: .*not authori[sz]ed.* \(0x87\), MQTT 3\.1\.1 return code 5\)$/i);
    expect(r.stderr).not.toContain("wrong-again");
  }, 40_000);

  it("gives each sensor its own user name from a {id} template in the config file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-credentials-cfg-"));
    dirs.push(dir);
    const config = join(dir, "fleet.json");
    // Ids 0-2 log in as alice (the fleet's -u/-P, as the observer does); id 3 as dev-3 with its own password.
    writeFileSync(config, JSON.stringify({ groups: [{ name: "fleet", count: 3 }, { name: "own", count: 1, username: "dev-{id}", password: "d3" }] }));
    const r = await sim(["--config", config, "--broker", mosquitto.url(), "-u", "alice", "-P", PASSWORD,
      "--duration", "2s", "--interval", "250ms", "--client-prefix", "tpl-"]);
    expect(r.report.groups.map((g) => g.messages.lost)).toEqual([0, 0]);
    expect(r.report.groups[1].messages.delivered).toBeGreaterThan(0);
    expect(r.report.errors).toEqual([]);
    expect(r.code).toBe(0);
    expectNoSecret(r);
  }, 30_000);
});
