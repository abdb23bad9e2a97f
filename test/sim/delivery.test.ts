// The observer's bookkeeping: distinct deliveries per sensor, duplicates, and the subscription
// filters derived from topic templates.
import { describe, expect, it } from "vitest";
import { DeliveryLedger, filterCovers, observerFilters, templateFilter } from "../../sim/delivery.ts";

describe("DeliveryLedger", () => {
  it("counts in-order sequence numbers once each", () => {
    const l = new DeliveryLedger(2);
    for (let s = 0; s < 100; s++) expect(l.record(1, s)).toBe(true);
    expect(l.count(1)).toBe(100);
    expect(l.count(0)).toBe(0);
  });

  it("reports a repeated sequence number as a duplicate, below and above the contiguous run", () => {
    const l = new DeliveryLedger(1);
    l.record(0, 0);
    l.record(0, 5);
    expect(l.record(0, 0)).toBe(false);
    expect(l.record(0, 5)).toBe(false);
    expect(l.count(0)).toBe(2);
  });

  it("counts out-of-order arrivals (a resend after a reconnect) exactly", () => {
    const l = new DeliveryLedger(1);
    for (const s of [0, 1, 4, 2, 6, 3, 5, 3]) l.record(0, s);
    expect(l.count(0)).toBe(7);
    expect(l.record(0, 7)).toBe(true);
    expect(l.count(0)).toBe(8);
  });

  it("matches a set-based count on a random arrival order with duplicates", () => {
    const l = new DeliveryLedger(1);
    const seen = new Set<number>();
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const s = x % 700;
      expect(l.record(0, s)).toBe(!seen.has(s));
      seen.add(s);
    }
    expect(l.count(0)).toBe(seen.size);
  });
});

describe("observer filters", () => {
  it("turn each placeholder segment into '+'", () => {
    expect(templateFilter("sensors/{id}/temperature")).toBe("sensors/+/temperature");
    expect(templateFilter("fleet/{group}/dev-{id}/{model}")).toBe("fleet/+/+/+");
  });

  it("know when one filter covers another [MQTT-4.7]", () => {
    expect(filterCovers("a/+/c", "a/b/c")).toBe(true);
    expect(filterCovers("a/#", "a/b/c")).toBe(true);
    expect(filterCovers("a/+", "a/b/c")).toBe(false);
    expect(filterCovers("a/b/c", "a/+/c")).toBe(false);
    expect(filterCovers("a/+/c", "a/+/c")).toBe(true);
  });

  it("keep only the filters not covered by another, so no message matches two subscriptions", () => {
    expect(observerFilters(["s/{id}/temperature", "s/{id}/{model}", "s/{id}/gps"])).toEqual(["s/+/+"]);
    expect(observerFilters(["a/{id}", "b/{id}", "a/{id}"])).toEqual(["a/+", "b/+"]);
  });
});
