// The latency histogram (sim/histogram.ts): nearest rank over its buckets is the raw definition
// (sim/percentiles.ts) for values up to 1024 ms and within 1/128 above; two histograms merged read
// the same percentiles as one fed every sample; its sparse form reads back to the same histogram;
// and it holds a bounded number of buckets whatever it is fed. The report's summary of it:
// report-files.test.ts (latencySummary).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUCKETS, EXACT_MAX_MS, Histogram, VALUE_MAX_MS, bucketValue } from "../../sim/histogram.ts";
import { nearestRank } from "../../sim/percentiles.ts";
import { latencySummary } from "../../sim/report.ts";

const QS = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1];

const fed = (samples: number[]) => {
  const h = new Histogram();
  for (const v of samples) h.add(v);
  return h;
};
const sorted = (samples: number[]) => Float64Array.from(samples).sort();

describe("Histogram percentiles", () => {
  it("are the raw nearest rank for samples up to 1024 ms", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: EXACT_MAX_MS }), { minLength: 1, maxLength: 500 }), (samples) => {
      const h = fed(samples);
      for (const q of QS) expect(h.percentile(q), `q ${q}`).toBe(nearestRank(sorted(samples), q));
    }));
  });

  it("are at or above the raw nearest rank, by at most 1/128 of it, above 1024 ms", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 40 * 86_400_000 }), { minLength: 1, maxLength: 500 }), (samples) => {
      const h = fed(samples);
      for (const q of QS) {
        const raw = nearestRank(sorted(samples), q);
        expect(h.percentile(q)).toBeGreaterThanOrEqual(raw);
        expect(h.percentile(q) - raw).toBeLessThanOrEqual(raw / 128);
      }
    }));
  });

  it("are 0 for an empty histogram", () => {
    expect(new Histogram().percentile(0.5)).toBe(0);
    expect(new Histogram().count).toBe(0);
  });

  it("count, and keep the exact max", () => {
    const h = fed([3, 1500, 1033, 7]);
    expect(h.count).toBe(4);
    expect(h.max).toBe(1500);
    expect(h.percentile(1)).toBe(1500);
    expect(h.percentile(0.75)).toBe(1040);
  });

  it("round samples to whole ms, negative as 0, and hold huge ones at VALUE_MAX_MS", () => {
    const h = fed([-5, 2.4, 2.6, 1e15]);
    expect(h.sparse()).toEqual([[0, 1], [2, 1], [3, 1], [VALUE_MAX_MS, 1]]);
  });
});

describe("Histogram.merge", () => {
  it("gives the percentiles, count, max and buckets of one histogram fed every sample", () => {
    const sample = fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 10_000_000 }));
    fc.assert(fc.property(fc.array(sample, { maxLength: 300 }), fc.array(sample, { maxLength: 300 }), (a, b) => {
      const merged = fed(a);
      merged.merge(fed(b));
      const one = fed([...a, ...b]);
      expect(merged.count).toBe(one.count);
      expect(merged.max).toBe(one.max);
      expect(merged.sparse()).toEqual(one.sparse());
      for (const q of QS) expect(merged.percentile(q)).toBe(one.percentile(q));
      expect(latencySummary(merged)).toEqual(latencySummary(one));
    }));
  });
});

describe("the sparse form", () => {
  it("reads back to the same buckets and percentiles", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 100_000_000 }), { maxLength: 300 }), (samples) => {
      const h = fed(samples);
      const back = Histogram.from(JSON.parse(JSON.stringify(h.sparse())), h.max);
      expect(back.sparse()).toEqual(h.sparse());
      expect(back.count).toBe(h.count);
      for (const q of QS) expect(back.percentile(q)).toBe(h.percentile(q));
    }));
  });

  it("names each bucket by its highest value, which falls in the same bucket", () => {
    for (let i = 0; i < BUCKETS; i++) {
      const h = fed([bucketValue(i)]);
      expect(h.sparse()).toEqual([[bucketValue(i), 1]]);
      if (i > 0) expect(bucketValue(i)).toBeGreaterThan(bucketValue(i - 1));
    }
    // Above 1024 ms the next value up starts a new bucket.
    expect(fed([1032, 1033]).sparse()).toEqual([[1032, 1], [1040, 1]]);
  });

  it("nests fine buckets in the chart's power-of-two buckets (upToMs/2 < v <= upToMs)", () => {
    for (let e = 11; e <= 31; e++) {
      const h = fed([2 ** e, 2 ** e + 1]);
      expect(h.sparse().map(([v]) => v)).toEqual([2 ** e, 2 ** e + 2 ** (e - 7)]);
    }
  });
});

describe("memory", () => {
  it(`stays at most ${BUCKETS} buckets, whatever the samples`, () => {
    const h = new Histogram();
    // Every whole ms of the exact range and a spread over 49 days: more distinct values than buckets.
    for (let v = 0; v < 200_000; v++) h.add(v);
    for (let v = 0; v < 2 ** 32; v += 104_729) h.add(v);
    expect(h.count).toBe(200_000 + Math.ceil(2 ** 32 / 104_729));
    expect(h.sparse().length).toBeLessThanOrEqual(BUCKETS);
    expect(BUCKETS).toBe(3841);
  });

  it("summarises a month of one-a-minute samples per sensor in a bounded form", () => {
    const h = new Histogram();
    for (let i = 0; i < 1_000_000; i++) h.add((i * 7919) % 90_000);
    const s = latencySummary(h);
    expect(s.buckets!.length).toBeLessThanOrEqual(BUCKETS);
    expect(s.histogram.reduce((n, b) => n + b.count, 0)).toBe(1_000_000);
    expect(s.max).toBe(89_999);
  });
});
