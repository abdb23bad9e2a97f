// Emulated boards in a fleet (issue 14): `mote sim --board N` runs the firmware as C on QEMU
// Cortex-M4 boards next to the Wasm sensors, carried to the broker by the raw bridge; the report
// counts each board's readings by their sequence numbers, and a lost one fails the run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSim } from "../../sim/main.ts";
import { parseFleetConfig } from "../../sim/config.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import { buildMcu, MCU_BUILD_TIMEOUT_MS } from "../mcu/mcu-build.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
// The board images (incremental and locked: the microcontroller tests ask for the same build).
beforeAll(() => buildMcu(), MCU_BUILD_TIMEOUT_MS);

describe("mote sim --board", () => {
  it("runs an emulated tiny board beside the sensors, on the embedded broker: every reading delivered and counted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-fleetboards-"));
    dirs.push(dir);
    let out = "";
    let err = "";
    const code = await runSim(["--board", "1", "--sensors", "3", "--duration", "8s", "--interval", "1s", "--drain", "20s", "--report", dir, "--quiet"],
      { out: (t) => (out += t), err: (t) => (err += t) });
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport;
    expect(code, err).toBe(0);
    expect(report.boards).toHaveLength(1);
    const [b] = report.boards!;
    expect(b).toMatchObject({ clientId: "mote-board-1", profile: "tiny", lost: 0, duplicates: 0 });
    expect(b.published).toBeGreaterThan(0);
    expect(b.delivered).toBe(b.published);
    expect(out).toMatch(/boards +1 emulated Cortex-M4 board \(tiny\): \d+ readings, \d+ delivered, 0 lost/);
    expect(readFileSync(join(dir, "report.md"), "utf8")).toContain("Emulated boards");
  }, 90_000);

  it("checks the board group before the run: count, profile and MQTT version", () => {
    expect(parseFleetConfig(["--board", "2"]).board).toEqual({ profile: "tiny", count: 2, intervalS: 1 });
    expect(parseFleetConfig(["--board", "1", "-V", "5", "--broker", "mqtt://127.0.0.1:1883"]).board?.profile).toBe("default");
    expect(() => parseFleetConfig(["--board", "0"])).toThrow("--board: count must be 1 to 16, got '0'");
    expect(() => parseFleetConfig(["--board", "x"])).toThrow(/count must be 1 to 16/);
  });
});
