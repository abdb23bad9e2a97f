// The fleet's one scheduler (sim/fleet-clock.ts): timers fire in due order, equal dues in the order
// they were armed, a disarmed timer never fires, a re-armed one fires once at its new time, and a
// delay past setTimeout's 2^31-1 ms waits the whole delay. It runs on the process's timers, so
// these tests drive it with a VirtualClock installed as the process's time (sim/virtual-timers.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../host/virtual-clock.ts";
import { installVirtualTimers } from "../../sim/virtual-timers.ts";
import { FleetClock, Timer } from "../../sim/fleet-clock.ts";

let time: VirtualClock;
let uninstall: () => void;

/** A clock whose timers log `name@ms` when they fire. */
function logged(): { clock: FleetClock; log: string[]; timer: (name: string) => Timer } {
  const clock = new FleetClock();
  const log: string[] = [];
  return { clock, log, timer: (name) => new Timer(() => log.push(`${name}@${clock.now()}`)) };
}

describe("FleetClock", () => {
  beforeEach(() => {
    time = new VirtualClock();
    uninstall = installVirtualTimers(time);
  });
  afterEach(() => uninstall());

  it("fires timers in the order they are due, whatever the order they were armed in", () => {
    const { clock, log, timer } = logged();
    clock.arm(timer("c"), 300);
    clock.arm(timer("a"), 100);
    clock.arm(timer("b"), 200);
    clock.setTimer(() => log.push(`fn@${clock.now()}`), 150);
    time.advance(1000);
    expect(log).toEqual(["a@100", "fn@150", "b@200", "c@300"]);
    expect(clock.pending).toBe(0);
  });

  it("fires timers due at the same time in the order they were armed", () => {
    const { clock, log, timer } = logged();
    const names = Array.from({ length: 50 }, (_, i) => `t${i}`);
    for (const n of names) clock.arm(timer(n), 500);
    time.advance(499);
    expect(log).toEqual([]);
    time.advance(1);
    expect(log).toEqual(names.map((n) => `${n}@500`));
  });

  it("orders a timer armed later for the same due after those armed earlier, also from inside a firing", () => {
    const { clock, log, timer } = logged();
    const late = timer("late");
    clock.arm(timer("first"), 100);
    clock.setTimer(() => clock.arm(late, 100), 100); // due at 200, armed after "second"
    clock.arm(timer("second"), 200);
    time.advance(1000);
    expect(log).toEqual(["first@100", "second@200", "late@200"]);
  });

  it("never fires a disarmed timer, nor a cleared handle; clearing twice or after firing is harmless", () => {
    const { clock, log, timer } = logged();
    const a = timer("a");
    clock.arm(a, 100);
    const h = clock.setTimer(() => log.push("h"), 100);
    clock.arm(timer("b"), 100);
    clock.disarm(a);
    clock.clearTimer(h);
    clock.clearTimer(h);
    clock.clearTimer(undefined);
    expect(a.armed).toBe(false);
    time.advance(1000);
    expect(log).toEqual(["b@100"]);
    clock.disarm(a);
    expect(clock.pending).toBe(0);
  });

  it("re-arms a timer to its new time, earlier or later, and fires it once", () => {
    const { clock, log, timer } = logged();
    const t = timer("t");
    clock.arm(t, 500);
    clock.arm(t, 100);
    expect(clock.pending).toBe(1);
    time.advance(200);
    expect(log).toEqual(["t@100"]);
    clock.arm(t, 100);
    clock.arm(t, 700);
    time.advance(2000);
    expect(log).toEqual(["t@100", "t@900"]);
  });

  it("re-arms a handle of the same function in place (the host loop's deadline), and a foreign one on a new timer", () => {
    const clock = new FleetClock();
    const at: number[] = [];
    const fn = () => at.push(clock.now());
    const h = clock.setTimer(fn, 100);
    expect(clock.rearm(h, fn, 300)).toBe(h);
    expect(clock.pending).toBe(1);
    time.advance(1000);
    expect(clock.rearm(h, fn, 100)).toBe(h);
    const other = clock.rearm(h, () => at.push(-1), 50);
    expect(other).not.toBe(h);
    expect(clock.rearm(undefined, fn, 10)).not.toBe(h);
    time.advance(1000);
    expect(at).toEqual([300, 1010, -1, 1100]);
  });

  it("lets a timer re-arm itself as it fires (a reading schedules the next)", () => {
    const clock = new FleetClock();
    const at: number[] = [];
    const t: Timer = new Timer(() => {
      at.push(clock.now());
      if (at.length < 5) clock.arm(t, 60_000);
    });
    clock.arm(t, 1000);
    time.advance(10 * 60_000);
    expect(at).toEqual([1000, 61_000, 121_000, 181_000, 241_000]);
  });

  it("treats a delay under 1 ms as 1 ms, as setTimeout does", () => {
    const { clock, log, timer } = logged();
    clock.arm(timer("zero"), 0);
    clock.arm(timer("nan"), NaN);
    time.advance(0);
    expect(log).toEqual([]);
    time.advance(1);
    expect(log).toEqual(["zero@1", "nan@1"]);
  });

  it("waits the whole delay past 2^31-1 ms (where setTimeout would fire after 1 ms)", () => {
    const { clock, log, timer } = logged();
    const days40 = 40 * 86_400_000;
    clock.arm(timer("long"), days40);
    clock.arm(timer("short"), 2 ** 31);
    time.advance(2 ** 31 - 2);
    expect(log).toEqual([]);
    time.advance(days40);
    expect(log).toEqual([`short@${2 ** 31}`, `long@${days40}`]);
  });

  it("keeps one process timer whatever the number of timers, and none once all are done", () => {
    const clock = new FleetClock();
    for (let i = 0; i < 10_000; i++) clock.arm(new Timer(() => {}), 1 + (i % 997));
    expect(time.pending).toBe(1);
    time.advance(1000);
    expect(clock.pending).toBe(0);
    expect(time.pending).toBe(0);
    const t = new Timer(() => {});
    clock.arm(t, 5000);
    clock.disarm(t);
    expect(time.pending).toBe(0);
  });
});

describe("FleetClock on Node's own timers", () => {
  const waitFor = (done: () => boolean) => new Promise<void>((resolve, reject) => {
    const t0 = performance.now();
    const poll = setInterval(() => {
      if (done()) resolve();
      else if (performance.now() - t0 > 2000) reject(new Error("timed out"));
      else return;
      clearInterval(poll);
    }, 5);
  });

  it("re-uses its one timer for waits of the same length, and fires again after everything was disarmed", async () => {
    const clock = new FleetClock();
    let fired = 0;
    const t = new Timer(() => fired++);
    clock.arm(t, 5);
    await waitFor(() => fired === 1);
    clock.arm(t, 5); // the wake-up that fired is refreshed
    await waitFor(() => fired === 2);
    clock.arm(t, 5);
    clock.disarm(t); // nothing left: the wake-up is cleared, and a cleared Node timer cannot be refreshed
    clock.arm(t, 5);
    await waitFor(() => fired === 3);
    expect(clock.pending).toBe(0);
  });
});
