// Guards before a run (issue 12, problems 3-5): what cannot work is a usage error (exit 2, one
// line) before anything starts, what cannot happen is a warning, and --json keeps stdout to one
// JSON document.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseFleetConfig } from "../../sim/config.ts";
import { preflight } from "../../sim/guards.ts";
import { progressLine } from "../../sim/progress.ts";

const dir = mkdtempSync(join(tmpdir(), "mote-simguards-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mote(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("bin/mote", ["sim", ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe("mote sim refuses before the run, with one line and exit 2", () => {
  it("--interval 0 (it used to publish until the stack overflowed)", async () => {
    const r = await mote(["--interval", "0", "--sensors", "2", "--duration", "2s", "--report", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mote sim: --interval must be more than 0, got '0' (see mote sim --help)\n");
  });

  it("--duration 0s", async () => {
    const r = await mote(["--duration", "0s", "--report", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mote sim: --duration must be more than 0, got '0s' (see mote sim --help)\n");
  });

  it("an unknown --profile, listing the profiles there are", async () => {
    const r = await mote(["--profile", "huge", "--sensors", "1", "--report", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mote sim: profile 'huge' is unknown (use default, large, tiny) (see mote sim --help)\n");
  });

  it("-V 5 with the embedded broker, which speaks MQTT 3.1.1 only", async () => {
    const r = await mote(["-V", "5", "--sensors", "1", "--duration", "1s", "--report", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mote sim: -V 5: the embedded broker speaks MQTT 3.1.1 only: give --broker (e.g. a mosquitto) or drop -V 5 " +
      "(see mote sim --help)\n");
  });
});

describe("an outage that can never start within the run", () => {
  it("is a warning line before the run, which still runs", async () => {
    const r = await mote(["--link", "outage=10s@30s/60s", "--sensors", "1", "--duration", "1s", "--drain", "1s", "--quiet", "--report", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split("\n")[0]).toBe("mote sim: warning: group 'temperature': the outage at 30 s never starts within the 1 s run (--duration)");
  });

  it("is no warning when it starts within the duration", () => {
    expect(preflight(parseFleetConfig(["--link", "outage=10s@30s/60s", "--duration", "40s"]))).toEqual([]);
    expect(preflight(parseFleetConfig(["--link", "outage=10s@30s/60s"]))).toHaveLength(1);
  });
});

describe("--json", () => {
  it("puts exactly one JSON document, the report, on stdout; the report path goes to stderr", async () => {
    const r = await mote(["--json", "--sensors", "2", "--duration", "2s", "--interval", "500ms", "--report", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { messages: { lost: number } }).messages.lost).toBe(0);
    expect(r.stderr.trim().split("\n").at(-1)).toBe(`report: ${join(dir, "report.json")}`);
  });
});

describe("the progress line while draining", () => {
  it("counts the drain against its own limit, not the publishing time", () => {
    const line = progressLine({ elapsedS: 47, totalS: 40, drainS: 10, phase: "draining", connected: 3, sensors: 3, published: 1, delivered: 1,
      errors: 0, refused: 0, bytesUp: 0, bytesDown: 0 }, { msgs: 0, bytes: 0 });
    expect(line.startsWith("[47 s: published 40 s, draining 7/10 s]")).toBe(true);
  });
});
