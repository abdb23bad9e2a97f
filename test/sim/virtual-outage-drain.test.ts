// A run that ends during a scheduled outage: outages end with publishing, but the sensors cut by it
// are waiting out their reconnect back-off (up to the firmware's RECONNECT_MAX_MS, 60 s), longer
// than the default 10 s drain. What they still hold is not lost: the drain waits out the back-off.
// Found by a new-user trial (72 of 2,016 QoS 1 readings "lost", FAIL, exit 1). On virtual time,
// so the run is exact and takes seconds. The queues the outages built are in the report.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FleetReport } from "../../sim/report-types.ts";

const RUN_TIMEOUT_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), "mote-outage-drain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a run whose publishing ends in the middle of a nightly outage", () => {
  it("drains what the sensors held through their reconnect back-off: nothing lost, exit 0", async () => {
    // Two days; the outage runs 23:00-01:00, so publishing ends at 48 h, an hour into the second one.
    const code = await new Promise<number>((resolve) =>
      execFile("bin/mote", ["sim", "--time", "virtual", "--sensors", "10", "--duration", "2d", "--interval", "5m", "--qos", "1",
        "--link", "outage=2h@23:00/1d", "--quiet", "--report", dir], { timeout: RUN_TIMEOUT_MS }, (err) =>
        resolve(err ? ((err as { code?: number }).code ?? 1) : 0)));
    const r = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport;
    expect(r.outages.map((o) => [o.fromS, o.toS])).toEqual([[23 * 3600, 25 * 3600], [47 * 3600, 48 * 3600]]);
    expect(r.messages.lost).toBe(0);
    expect(r.messages.delivered).toBe(r.messages.published);
    expect(r.drainedS).toBeGreaterThan(10);
    expect(r.drainedS).toBeLessThanOrEqual(10 + 60);
    expect(code).toBe(0);
    // Through the 2 h outage each sensor held its readings, one per 5 min: 24 (25 when one fell on the edge).
    expect(r.groups[0].maxQueuedPerSensor).toBeGreaterThanOrEqual(24);
    expect(r.groups[0].maxQueuedPerSensor).toBeLessThanOrEqual(25);
    const queued = r.series.points.map((p) => p.queued);
    expect(Math.max(...queued)).toBeGreaterThanOrEqual(10 * 23);
    expect(queued.at(-1)).toBe(0);
  }, RUN_TIMEOUT_MS);
});
