// A very short interval against the embedded broker (issue 12, problem 4): aedes's emitter queue,
// still full when the observer left at the end of a short drain, drained by recursion (each message
// with no subscriber starts the next inside the same call) until the stack overflowed, and the run
// ended in "internal error" without a report. The drain is short on purpose: that left the backlog.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { runSim } from "../../sim/main.ts";

const dir = mkdtempSync(join(tmpdir(), "mote-fast-interval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("--interval 1ms, 200 sensors, a 1 s drain on the embedded broker: every message delivered, a report, no stack overflow", async () => {
  let out = "";
  let err = "";
  const code = await runSim(
    ["--interval", "1ms", "--duration", "2s", "--sensors", "200", "--drain", "1s", "--quiet", "--report", dir],
    { out: (t) => void (out += t), err: (t) => void (err += t) },
  );
  expect(err + out).not.toContain("internal error");
  expect(err + out).not.toContain("Maximum call stack size exceeded");
  expect(existsSync(join(dir, "report.json"))).toBe(true);
  expect(code).toBe(0);
}, 60_000);
