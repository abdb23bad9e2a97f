// Node's timers on a VirtualClock (sim/virtual-timers.ts) and the driver that runs a task on it
// (sim/virtual-run.ts): what `mote sim --time virtual` relies on to run aedes, the link models and
// the host loops on simulated time.
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../host/virtual-clock.ts";
import { sleep } from "../../host/sleep.ts";
import { installVirtualTimers, VIRTUAL_EPOCH_MS } from "../../sim/virtual-timers.ts";
import { onVirtualTime } from "../../sim/virtual-run.ts";

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
});

function install(): VirtualClock {
  const clock = new VirtualClock();
  uninstall = installVirtualTimers(clock);
  return clock;
}

describe("virtual timers", () => {
  it("keep a refreshed timer from firing, as aedes refreshes a client's keep-alive on every packet", () => {
    const clock = install();
    const fired: number[] = [];
    const keepalives = Array.from({ length: 50 }, (_, i) => setTimeout(() => fired.push(i), 90_000));
    const refreshers = keepalives.map((t, i) => setInterval(() => t.refresh(), 60_000 + i * 7));
    clock.advance(3_600_000);
    expect(fired).toEqual([]);
    for (const r of refreshers) clearInterval(r);
    clock.advance(90_000);
    expect(fired).toHaveLength(50);
  });

  it("run an immediate after the timers already due, in the order they were set", () => {
    const clock = install();
    const order: string[] = [];
    setTimeout(() => {
      setImmediate(() => order.push("immediate"));
      order.push("timer a");
    }, 5);
    setTimeout(() => order.push("timer b"), 5);
    clock.advance(5);
    expect(order).toEqual(["timer a", "timer b", "immediate"]);
  });

  it("make Date and performance.now read the clock, from midnight of the simulated calendar, and give them back", () => {
    const realNow = Date.now();
    const clock = install();
    clock.advance(2 * 3_600_000);
    expect(Date.now()).toBe(VIRTUAL_EPOCH_MS + 2 * 3_600_000);
    expect(new Date().toISOString()).toBe("2026-01-01T02:00:00.000Z");
    expect(new Date(0).getTime()).toBe(0);
    expect(performance.now()).toBe(2 * 3_600_000);
    uninstall!();
    uninstall = undefined;
    expect(Date.now()).toBeGreaterThanOrEqual(realNow);
    expect(performance.now()).toBeLessThan(2 * 3_600_000);
  });

  it("treat a delay out of range as 1 ms, as Node does", () => {
    const clock = install();
    let at = -1;
    setTimeout(() => (at = clock.now()), 2 ** 31);
    clock.advance(10);
    expect(at).toBe(1);
  });

  it("cancel with clearTimeout, clearInterval and clearImmediate", () => {
    const clock = install();
    let n = 0;
    clearTimeout(setTimeout(() => n++, 1));
    clearInterval(setInterval(() => n++, 1));
    clearImmediate(setImmediate(() => n++));
    clock.advance(100);
    expect(n).toBe(0);
  });
});

describe("a task on virtual time", () => {
  it("waits 30 days (beyond setTimeout's longest delay) in a blink and reports the simulated time", async () => {
    const start = performance.now();
    const { value, stats } = await onVirtualTime(async () => {
      await sleep(30 * 86_400_000);
      return Date.now();
    });
    expect(value).toBe(VIRTUAL_EPOCH_MS + 30 * 86_400_000);
    expect(stats.simulatedMs).toBe(30 * 86_400_000);
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it("fails with one line when it waits on nothing", async () => {
    await expect(onVirtualTime(() => new Promise(() => {}))).rejects.toThrow(/^virtual time: the run waits on nothing \(no timer left at 0 ms\)$/);
  });
});
