// Issue 15, "must show": 30 days of a small fleet on virtual time, in seconds of wall time, whose
// bytes per sensor per day are measured, not estimated. The test works out what they must be
// from the MQTT packet layouts alone (MQTT 3.1.1 §2 and §3.3, §3.4, §3.12, §3.13): a PUBLISH of a
// 15-byte binary reading at QoS 1 on a fixed topic, its PUBACK, and keep-alive PINGREQ/PINGRESP
// between readings. `mote sim` runs as users run it (bin/mote, a child process).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetReport } from "../../sim/report-types.ts";

const SENSORS = 20;
const DAYS = 30;
const INTERVAL_S = 600;
/** Not a divisor of the interval: exactly two pings fall between two readings (at 240 s and 480 s after one). */
const KEEPALIVE_S = 240;
const TOPIC = "plant/readings";
/** sim/payload.ts's binary layout for the temperature model: u8 version/model, u32 id, seq, ts, i16 temperature. */
const PAYLOAD_BYTES = 1 + 4 + 4 + 4 + 2;
const RUN_TIMEOUT_MS = 120_000;

const S_PER_DAY = 86_400;
const READINGS_PER_SENSOR = (DAYS * S_PER_DAY) / INTERVAL_S;

/** PUBLISH, QoS 1, MQTT 3.1.1: fixed header (type byte + remaining length) + topic (2 + n) + packet id (2) + payload. */
function publishBytes(topic: string, payload: number): number {
  const remaining = 2 + Buffer.byteLength(topic) + 2 + payload;
  const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : 3;
  return 1 + lengthBytes + remaining;
}
const PUBACK_BYTES = 4;
const PING_BYTES = 2;

const dir = mkdtempSync(join(tmpdir(), "mote-month-"));
let report: FleetReport;
let run: { code: number; stdout: string; stderr: string; ms: number };

beforeAll(async () => {
  const start = performance.now();
  run = await new Promise((resolve) => {
    execFile("bin/mote", ["sim", "--time", "virtual", "--sensors", String(SENSORS), "--duration", `${DAYS}d`, "--interval", `${INTERVAL_S}s`,
      "--keepalive", String(KEEPALIVE_S), "--qos", "1", "--payload", "binary", "--model", "temperature", "--topic", TOPIC,
      "--quiet", "--report", dir], { timeout: RUN_TIMEOUT_MS }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: performance.now() - start }));
  });
  report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport;
  console.log(`30 days x ${SENSORS} sensors on virtual time: ${report.messages.published} readings in ${(run.ms / 1000).toFixed(1)} s wall`);
}, RUN_TIMEOUT_MS + 10_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("30 days of 20 sensors at one reading per 10 min, on virtual time", () => {
  it("runs the whole month and delivers every reading exactly once", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(report.durationS).toBe(DAYS * S_PER_DAY);
    expect(report.messages).toMatchObject({ published: SENSORS * READINGS_PER_SENSOR, delivered: SENSORS * READINGS_PER_SENSOR, lost: 0, duplicates: 0 });
  });

  it("puts exactly the PUBLISH layout on the wire for every reading [MQTT-3.3.1]", () => {
    const sent = report.bytesByPacketType.PUBLISH;
    expect(sent.packets).toBe(SENSORS * READINGS_PER_SENSOR);
    expect(sent.bytes).toBe(SENSORS * READINGS_PER_SENSOR * publishBytes(TOPIC, PAYLOAD_BYTES));
    expect(report.bytesReceivedByPacketType.PUBACK.bytes).toBe(SENSORS * READINGS_PER_SENSOR * PUBACK_BYTES);
  });

  it("pings twice between two readings and at most twice more around the first and last [MQTT-3.1.2-23]", () => {
    const pings = report.bytesByPacketType.PINGREQ.packets;
    const between = SENSORS * (READINGS_PER_SENSOR - 1) * 2;
    expect(pings).toBeGreaterThanOrEqual(between);
    expect(pings).toBeLessThanOrEqual(between + SENSORS * 2);
    expect(report.bytesReceivedByPacketType.PINGRESP.packets).toBe(pings);
  });

  it("measures bytes per sensor per day as readings x their wire budget + keep-alive traffic", () => {
    const pingsPerSensor = report.bytesByPacketType.PINGREQ.packets / SENSORS;
    const upPerDay = ((READINGS_PER_SENSOR * publishBytes(TOPIC, PAYLOAD_BYTES)) + pingsPerSensor * PING_BYTES) / DAYS;
    const downPerDay = ((READINGS_PER_SENSOR * PUBACK_BYTES) + pingsPerSensor * PING_BYTES) / DAYS;
    const g = report.groups[0].perSensor;
    expect(g.upBytesPerDay).toBe(Math.round(upPerDay));
    expect(g.downBytesPerDay).toBe(Math.round(downPerDay));
    expect(g.upBytesPerMonth).toBe(Math.round(upPerDay * DAYS));
  });

  it("says in its summary that it published for 30 days on virtual time, and how much faster than real time", () => {
    const speed = report.health.speed!;
    expect(speed).toMatchObject({ time: "virtual", simulatedS: DAYS * S_PER_DAY });
    expect(speed.compression).toBeGreaterThan(1000);
    expect(run.stdout).toMatch(/^ {2}run +published for 30 d, drained 0 s, seed 1; virtual time, [\d,]+x real time \([\d. a-z]+ wall\)$/m);
  });

  it("keeps one connection per sensor for the month: no reconnect, no error", () => {
    expect(report.connections).toMatchObject({ connects: SENSORS, reconnects: 0, transportErrors: 0 });
    expect(report.errors).toEqual([]);
  });

  it("draws its time series on the simulated clock: a month in at most 600 points", () => {
    const pts = report.series.points;
    expect(pts.length).toBeLessThanOrEqual(600);
    expect(pts.at(-1)!.tS).toBeGreaterThanOrEqual(DAYS * S_PER_DAY);
    expect(pts.reduce((n, p) => n + p.published, 0)).toBe(SENSORS * READINGS_PER_SENSOR);
  });
});
