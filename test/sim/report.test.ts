// npm start's fleet run, small: every message delivered exactly once and verified by the
// observer, and the three report files agree with each other.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetReport } from "../../sim/report.ts";

const run = promisify(execFile);
let dir: string;
let stdout: string;
let report: FleetReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mote-sim-"));
  ({ stdout } = await run(process.execPath, ["--import", "tsx", "sim/main.ts", "--sensors", "20", "--duration", "2", "--interval", "200", "--report", dir],
    { timeout: 60_000 }));
  report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
}, 90_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the fleet run", () => {
  it("ends with the line 'report: <path>'", () => {
    expect(stdout.trim().split("\n").at(-1)).toBe(`report: ${join(dir, "report.json")}`);
  });

  it("delivers every published message exactly once (QoS 1)", () => {
    expect(report.sensors).toBe(20);
    expect(report.messages.published).toBeGreaterThanOrEqual(20 * 8); // 10 intervals in 2 s, minus start-up
    expect(report.messages.delivered).toBe(report.messages.published);
    expect(report.messages.lost).toBe(0);
    expect(report.messages.duplicates).toBe(0);
  });

  it("counts a latency for every delivery, and the histogram adds up", () => {
    const l = report.latencyMs;
    expect(l.p50).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    expect(l.histogram.reduce((n, b) => n + b.count, 0)).toBe(report.messages.delivered);
  });

  it("reports the PUBLISH bytes the devices sent and the device budget", () => {
    const p = report.bytesByPacketType.PUBLISH;
    expect(p.packets).toBe(report.messages.published);
    expect(p.bytes / p.packets).toBeCloseTo(p.bytesPerPacket, 0);
    expect(report.device.wasmBytes).toBeGreaterThan(0);
    expect(Object.values(report.device.memoryRegions).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(report.device.staticBytes);
  });

  it("writes report.md and report.html with the same numbers as report.json", () => {
    const md = readFileSync(join(dir, "report.md"), "utf8");
    const html = readFileSync(join(dir, "report.html"), "utf8");
    const m = report.messages;
    expect(md).toContain(`| | ${m.published} | ${m.delivered} | ${m.lost} | ${m.duplicates} |`);
    expect(md).toContain(`| ms | ${report.latencyMs.p50} | ${report.latencyMs.p99} | ${report.latencyMs.max} |`);
    expect(html).toContain(`<td>${m.published}</td><td>${m.delivered}</td><td>${m.lost}</td><td>${m.duplicates}</td>`);
    expect(html).toContain(`<td>${report.latencyMs.p50}</td><td>${report.latencyMs.p99}</td><td>${report.latencyMs.max}</td>`);
    for (const [type, v] of Object.entries(report.bytesByPacketType)) {
      expect(md).toContain(`| ${type} | ${v.packets} | ${v.bytes} | ${v.bytesPerPacket} |`);
      expect(html).toContain(`>${type}</text>`);
    }
  });

  it("keeps report.html self-contained (inline SVG, nothing fetched)", () => {
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<(script|link|img)\b|src=|url\(/i);
  });
});
