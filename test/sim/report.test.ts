// The demo fleet as `npm start` runs it (sim/cli.ts on sim/demo.json, smaller and shorter): it
// exits 0, prints `report: <path>` last, and writes three report files that agree: every keyed
// cell of report.html and every number of report.md's message table is report.json's value, and
// no report file names a file of this repository.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetReport } from "../../sim/report-types.ts";
import { cellProblem, fromMarkdownNumber, keyedCells, markdownTables, valueAt } from "../support/report-files.ts";

const run = promisify(execFile);
let dir: string;
let stdout: string;
let report: FleetReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mote-demo-"));
  ({ stdout } = await run(process.execPath, ["--expose-gc", "--import", "tsx", "sim/cli.ts", "--config", "sim/demo.json", "--sensors", "40",
    "--duration", "6s", "--report", dir], { timeout: 90_000 }));
  report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the demo fleet run", () => {
  it("ends with the line 'report: <path>'", () => {
    expect(stdout.trim().split("\n").at(-1)).toBe(`report: ${join(dir, "report.json")}`);
  });

  it("writes report.json, report.md and report.html", () => {
    for (const f of ["report.json", "report.md", "report.html"]) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it("runs every group of the demo, the modem group included, and loses nothing", () => {
    expect(report.groups.map((g) => g.name)).toEqual(["indoor", "machines", "trucks", "meters", "field"]);
    const field = report.groups.find((g) => g.name === "field")!;
    expect(field.link).toBe("bg96 modem at 9600 baud");
    // AT framing costs more serial bytes than the MQTT bytes it carries.
    expect(field.serial!.bytesPerMessage).toBeGreaterThan(field.message.mqtt311.total * 2);
    for (const g of report.groups) {
      expect(g.messages.published, g.name).toBeGreaterThan(0);
      expect(g.messages.delivered, g.name).toBe(g.messages.published);
    }
  });

  it("measures the device: Wasm size, regions, a finite stack bound and host memory per sensor", () => {
    expect(report.device.wasmBytes).toBeGreaterThan(1000);
    expect(Object.keys(report.device.memoryRegions)).toContain("outbox");
    expect(report.device.stack.linearMemoryBytes).toBe(0);
    expect(report.device.stack.maxCallDepth).toBeGreaterThan(1);
    expect(report.device.rssBytesPerSensor).toBeGreaterThan(0);
  });

  it("shows in report.html exactly the values of report.json", () => {
    const cells = keyedCells(readFileSync(join(dir, "report.html"), "utf8"));
    expect(cells.length).toBeGreaterThan(50);
    for (const c of cells) expect(cellProblem(c, valueAt(report, c.key)), c.key).toBeUndefined();
    for (const k of ["messages.published", "messages.delivered", "messages.lost", "latencyMs.p99", "device.wasmBytes"]) {
      expect(cells.some((c) => c.key === k), k).toBe(true);
    }
  });

  it("shows in report.md the message counts of report.json", () => {
    const md = readFileSync(join(dir, "report.md"), "utf8");
    const table = markdownTables(md).find((t) => t.head.includes("refused locally"))!;
    const col = (name: string) => table.head.findIndex((h) => h.toLowerCase().startsWith(name));
    const all = table.rows[0];
    expect(fromMarkdownNumber(all[col("published")])).toBe(report.messages.published);
    expect(fromMarkdownNumber(all[col("delivered")])).toBe(report.messages.delivered);
    expect(fromMarkdownNumber(all[col("lost")])).toBe(report.messages.lost);
  });

  it("names no file of this repository beyond the command line's own arguments", () => {
    for (const f of ["report.md", "report.html"]) {
      const text = readFileSync(join(dir, f), "utf8").replaceAll(report.run.commandLine, "");
      expect(text.match(/\b(test|sim|host|firmware|bin)\/[\w./-]+|\b[A-Z]+\.md\b/g), f).toBeNull();
    }
  });
});
