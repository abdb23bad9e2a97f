// On virtual time a group of emulated modems (real ptys, real time) cannot run: an optional one is
// left out with one warning, as it is without socat, so a config like the demo's runs; a required
// one is a usage error (test/sim/config.test.ts). Found by a new-user trial (`--config sim/demo.json
// --time virtual` was refused).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FleetReport } from "../../sim/report-types.ts";

const RUN_TIMEOUT_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), "mote-virtual-modem-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a fleet with an optional modem group, on virtual time", () => {
  it("runs without the modem group, says so once on stderr and in the report's errors", async () => {
    const config = join(dir, "fleet.json");
    writeFileSync(config, JSON.stringify({ sensors: 6, groups: [
      { name: "direct", count: 4, model: "temperature" },
      { name: "field", count: 2, model: "counter", modem: "bg96@115200", optional: true },
    ] }));
    const run = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile("bin/mote", ["sim", "--config", config, "--time", "virtual", "--duration", "1h", "--interval", "1m", "--quiet",
        "--report", join(dir, "r")], { timeout: RUN_TIMEOUT_MS }, (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr })));
    const line = "mote sim: group 'field' left out: emulated modems run on real ptys in real time, not on virtual time";
    expect(run.stderr.trim().split("\n")).toEqual([line]);
    expect(run.code).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, "r", "report.json"), "utf8")) as FleetReport;
    expect(r.groups.map((g) => [g.name, g.sensors])).toEqual([["direct", 4], ["field", 0]]);
    expect(r.errors).toEqual([{ kind: "left out", count: 1, example: "group 'field': emulated modems run on real ptys in real time, not on virtual time" }]);
    expect(r.messages.delivered).toBe(r.messages.published);
  }, RUN_TIMEOUT_MS);
});
