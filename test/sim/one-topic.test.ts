// A fleet whose sensors all publish to one fixed topic (no {id} in the template): the observer
// tells them apart by the id in the payload, so every message is counted exactly, in every
// payload encoding (issue 12, problem 1).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSim } from "../../sim/main.ts";
import { PAYLOAD_FORMATS } from "../../sim/payload.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";

const SENSORS = 20;
const dirs: string[] = [];
let mosquitto: Mosquitto;

beforeAll(async () => {
  mosquitto = await startMosquitto({ quiet: true });
});

afterAll(async () => {
  await mosquitto?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("a fleet publishing to one fixed topic", () => {
  it.each(PAYLOAD_FORMATS)("%s: delivers every QoS 1 message, counted exactly, with no false losses or duplicates", async (format) => {
    const dir = mkdtempSync(join(tmpdir(), "mote-one-topic-"));
    dirs.push(dir);
    let err = "";
    const code = await runSim(["--broker", mosquitto.url(), "--topic", `fixed/${format}`, "--payload", format, "--qos", "1",
      "--sensors", String(SENSORS), "--duration", "2s", "--interval", "250ms", "--drain", "2s", "--client-prefix", `one-${format}-`,
      "--report", dir, "--quiet"], { out: () => {}, err: (t) => (err += t) });
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport;
    const m = report.messages;
    expect(m.published).toBeGreaterThanOrEqual(SENSORS * 6);
    expect({ delivered: m.delivered, lost: m.lost, duplicates: m.duplicates }).toEqual({ delivered: m.published, lost: 0, duplicates: 0 });
    expect(code, err).toBe(0);
  }, 60_000);
});
