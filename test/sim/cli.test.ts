// `mote sim` as a user runs it: help, usage errors (exit 2, one line), runtime errors (exit 1,
// one line), a budget that cannot hold a group's messages, and progress lines off a terminal.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "mote-simcli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mote(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("bin/mote", ["sim", ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe("mote sim", () => {
  it("prints its flags with --help and exits 0", async () => {
    const r = await mote(["--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--sensors", "--broker", "--link", "--modem", "--shard", "--report", "--json"]) expect(r.stdout).toContain(flag);
  });

  it("refuses a bad flag value with one line and exit 2", async () => {
    const r = await mote(["--sensors", "-3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mote sim: --sensors must be an integer from 1 to 1000000, got '-3' (see mote sim --help)\n");
  });

  it("refuses a group whose largest message cannot fit its profile, before it starts", async () => {
    const r = await mote(["--profile", "tiny", "--model", "accelerometer", "--payload", "json", "--sensors", "1", "--report", dir,
      "--topic", "a-long-deployment-prefix/building-seven/floor-three/line-four/{group}/{id}/{model}"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mote sim: group 'accelerometer': accelerometer messages in json \(up to \d+ payload bytes, topic \d+ bytes\) do not fit profile 'tiny'/);
  });

  it("refuses a report directory it cannot write before it runs anything", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "not a directory");
    const r = await mote(["--sensors", "1", "--report", join(file, "report")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mote sim: --report: cannot write to '${join(file, "report")}' (ENOTDIR) (see mote sim --help)\n`);
  });

  it("says which broker it could not reach and exits 1", async () => {
    const r = await mote(["--broker", "mqtt://127.0.0.1:1", "--sensors", "1", "--duration", "1s", "--report", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toBe("mote sim: cannot connect to 127.0.0.1:1: connection refused");
  });

  it("prints the report as JSON with --json, progress as JSON lines and then the report path on stderr", async () => {
    const r = await mote(["--json", "--sensors", "5", "--duration", "6s", "--interval", "500ms", "--report", dir]);
    expect(r.code, r.stderr).toBe(0);
    const stderr = r.stderr.trim().split("\n");
    expect(stderr.at(-1)).toBe(`report: ${join(dir, "report.json")}`);
    const progress = stderr.slice(0, -1).map((l) => JSON.parse(l) as { progress: { connected: number; sensors: number } });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)!.progress).toMatchObject({ connected: 5, sensors: 5 });
    expect(JSON.parse(r.stdout).messages.lost).toBe(0);
  });
});

describe("the progress line", () => {
  it("shows elapsed, total and remaining time, connections, rates, counts and errors", async () => {
    const { progressLine } = await import("../../sim/progress.ts");
    const line = progressLine({ elapsedS: 12.4, totalS: 40, drainS: 10, phase: "running", connected: 290, sensors: 300, published: 3500, delivered: 3498,
      errors: 2, refused: 0, bytesUp: 0, bytesDown: 0 }, { msgs: 298.6, bytes: 21_234 });
    expect(line).toBe("[12/40 s running, 28 s left] connected 290/300, 299 msg/s, 21.2k B/s, published 3500, delivered 3498, errors 2");
  });

  it("names refused logins among the errors, with the latest refusal's reason and code", async () => {
    const { progressLine } = await import("../../sim/progress.ts");
    const line = progressLine({ elapsedS: 2, totalS: 40, drainS: 10, phase: "running", connected: 5, sensors: 10, published: 10, delivered: 10,
      errors: 5, refused: 5, refusedReason: "connection refused: Not authorized (0x87), MQTT 3.1.1 return code 5", bytesUp: 0, bytesDown: 0 },
    { msgs: 5, bytes: 100 });
    expect(line.endsWith("errors 5 (5 logins refused: Not authorized (0x87), MQTT 3.1.1 return code 5)")).toBe(true);
  });

  it("counts links cut by scheduled outages apart from the errors", async () => {
    const { progressLine } = await import("../../sim/progress.ts");
    const line = progressLine({ elapsedS: 20, totalS: 40, drainS: 10, phase: "running", connected: 251, sensors: 300, published: 5919, delivered: 5795,
      errors: 0, refused: 0, outageCuts: 161, bytesUp: 0, bytesDown: 0 }, { msgs: 299, bytes: 20_100 });
    expect(line.endsWith("errors 0, 161 links cut by scheduled outages")).toBe(true);
  });

  it("on virtual time, says simulated time done and asked for, the wall time left and how much faster than real time it goes", async () => {
    const { progressLine } = await import("../../sim/progress.ts");
    const line = progressLine({ elapsedS: 3 * 86_400 + 4 * 3600, totalS: 30 * 86_400, drainS: 10, phase: "running", connected: 100, sensors: 100,
      published: 446_400, delivered: 446_400, errors: 0, refused: 0, bytesUp: 0, bytesDown: 0 }, { msgs: 15_000, bytes: 900_000, simulatedS: 9000 });
    expect(line).toBe("[3 d 4 h of 30 d simulated, running, about 4 min 18 s left, 9000x real time] connected 100/100, 15.0k msg/s, 900.0k B/s, " +
      "published 446400, delivered 446400, errors 0");
  });

  it("says draining once publishing is over", async () => {
    const { progressLine } = await import("../../sim/progress.ts");
    const line = progressLine({ elapsedS: 41, totalS: 40, drainS: 10, phase: "draining", connected: 300, sensors: 300, published: 1, delivered: 1,
      errors: 0, refused: 0, bytesUp: 0, bytesDown: 0 }, { msgs: 0, bytes: 0 });
    expect(line.startsWith("[41 s: published 40 s, draining 1/10 s]")).toBe(true);
  });
});
