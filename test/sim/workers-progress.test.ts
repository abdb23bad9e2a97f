// The fleet's progress line under --workers, from each worker's latest JSON progress line: what a
// single process would print (counts summed, the slowest worker's time and phase).
import { describe, expect, it } from "vitest";
import { fleetProgress, workerProgress, type WorkerProgress } from "../../sim/workers-progress.ts";
import { progressLine } from "../../sim/progress.ts";

const worker = (over: Partial<WorkerProgress>): WorkerProgress => ({
  elapsedS: 100, totalS: 200, drainS: 10, phase: "running", connected: 5, sensors: 5, published: 50, delivered: 49, errors: 0, refused: 0,
  bytesUp: 1000, bytesDown: 100, msgsPerS: 10, bytesPerS: 110, ...over,
});

describe("the progress of a run over workers", () => {
  it("reads a worker's JSON progress line and nothing else", () => {
    const p = worker({});
    expect(workerProgress(JSON.stringify({ progress: p }))).toEqual(p);
    expect(workerProgress("mote sim: warning: something")).toBeUndefined();
    expect(workerProgress("{\"progress\": broken")).toBeUndefined();
  });

  it("sums the counts and rates, and takes the slowest worker's time and phase", () => {
    const p = fleetProgress([worker({ elapsedS: 120, published: 60 }), worker({ elapsedS: 90, phase: "starting", connected: 3, errors: 2 })]);
    expect(p).toMatchObject({ elapsedS: 90, phase: "starting", connected: 8, sensors: 10, published: 110, delivered: 98, errors: 2, msgsPerS: 20 });
  });

  it("on virtual time, goes at the slowest worker's pace of simulated time", () => {
    const p = fleetProgress([worker({ simulatedPerS: 30_000 }), worker({ simulatedPerS: 25_000 })]);
    expect(p.simulatedPerS).toBe(25_000);
    expect(progressLine(p, { msgs: p.msgsPerS, bytes: p.bytesPerS, simulatedS: p.simulatedPerS })).toMatch(/^\[1 min 40 s of 3 min 20 s simulated, running,/);
  });
});
