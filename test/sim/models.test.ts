// The fleet's sensor models: deterministic for (seed, id), and each one's readings behave like
// the physical quantity it stands for. Seeds are fixed, so every failure reproduces.
import { describe, expect, it } from "vitest";
import { ACCEL_BURST_SAMPLES, createModel, MODEL_NAMES, MODEL_SPECS, type ModelName, type Reading } from "../../sim/models.ts";
import { encodePayload, PAYLOAD_FORMATS } from "../../sim/payload.ts";
import { Prng, sensorSeed } from "../../sim/prng.ts";

const SEED = 20240601;
const INTERVAL_MS = 1000;

/** `count` readings of one sensor, one every intervalMs starting at 0. */
function readings(model: ModelName, id: number, count: number, intervalMs = INTERVAL_MS, seed = SEED): Reading[] {
  const m = createModel(model, seed, id);
  return Array.from({ length: count }, (_, i) => m.next(i * intervalMs));
}

function value(r: Reading, name: string): number {
  const v = r.values.find(([n]) => n === name);
  if (!v) throw new Error(`no channel ${name} in ${JSON.stringify(r)}`);
  return v[1];
}

/** True when v has at most `decimals` decimals (up to float noise). */
function hasDecimals(v: number, decimals: number): boolean {
  const scaled = v * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

describe("the seeded PRNG", () => {
  it("repeats its sequence for the same seed", () => {
    const a = new Prng(7), b = new Prng(7);
    expect(Array.from({ length: 100 }, () => a.next())).toEqual(Array.from({ length: 100 }, () => b.next()));
  });

  it("draws next() in [0, 1) and int(n) as integers in [0, n)", () => {
    const p = new Prng(11);
    const outside: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const x = p.next(), k = p.int(6);
      if (!(x >= 0 && x < 1)) outside.push(x);
      if (!(Number.isInteger(k) && k >= 0 && k < 6)) outside.push(k);
    }
    expect(outside).toEqual([]);
  });

  it("draws normal() with mean 0 and standard deviation 1", () => {
    const p = new Prng(13);
    const xs = Array.from({ length: 20_000 }, () => p.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });

  it("derives distinct, non-zero sensor seeds for distinct ids", () => {
    const seeds = Array.from({ length: 10_000 }, (_, id) => sensorSeed(SEED, id));
    expect(seeds.every((s) => Number.isInteger(s) && s > 0 && s <= 0xffff_ffff)).toBe(true);
    expect(new Set(seeds).size).toBe(seeds.length);
  });

  it("derives different sensor seeds from different fleet seeds", () => {
    expect(sensorSeed(1, 0)).not.toBe(sensorSeed(2, 0));
  });
});

describe("every model", () => {
  it.each(MODEL_NAMES)("%s: the same (seed, id) yields the same payload bytes over 100 readings", (model) => {
    const a = readings(model, 5, 100), b = readings(model, 5, 100);
    for (const f of PAYLOAD_FORMATS) {
      const encode = (r: Reading, i: number) => encodePayload(f, { id: 5, seq: i, ts: i * INTERVAL_MS }, r);
      expect(a.map(encode)).toEqual(b.map(encode));
    }
  });

  it.each(MODEL_NAMES)("%s: different ids yield different readings", (model) => {
    expect(readings(model, 5, 100)).not.toEqual(readings(model, 6, 100));
  });

  it.each(MODEL_NAMES)("%s: different fleet seeds yield different readings", (model) => {
    expect(readings(model, 5, 100, INTERVAL_MS, 1)).not.toEqual(readings(model, 5, 100, INTERVAL_MS, 2));
  });

  it.each(MODEL_NAMES)("%s: each reading carries its model's channels, in order and in range", (model) => {
    const spec = MODEL_SPECS[model];
    for (const r of readings(model, 3, 1000)) {
      expect(r.model).toBe(model);
      expect(r.values.map(([n]) => n)).toEqual(Object.keys(spec.channels));
      for (const [name, v] of r.values) {
        const ch = spec.channels[name];
        expect(v >= ch.min && v <= ch.max && hasDecimals(v, ch.decimals), `${name} = ${v}`).toBe(true);
      }
    }
  });

  it("draws from a stream of its own, not the sensor's Prng(sensorSeed(seed, id)) (used for jitter)", () => {
    const sensor = new Prng(sensorSeed(SEED, 9));
    const c = readings("counter", 9, 100).map((r) => value(r, "c"));
    const steps = c.map((x, i) => x - (i === 0 ? 0 : c[i - 1]));
    expect(steps).not.toEqual(steps.map(() => 1 + sensor.int(5)));
  });

  it("has a name in MODEL_NAMES that createModel reports back", () => {
    expect(MODEL_NAMES.map((m) => createModel(m, SEED, 0).name)).toEqual(MODEL_NAMES);
  });
});

describe("temperature", () => {
  const ts = (id: number, count: number) => readings("temperature", id, count).map((r) => value(r, "t"));

  it("stays within -10..50 °C over 10,000 readings", () => {
    const t = ts(1, 10_000);
    expect(Math.min(...t)).toBeGreaterThanOrEqual(-10);
    expect(Math.max(...t)).toBeLessThanOrEqual(50);
  });

  it("moves by small steps (under 0.3 °C, six standard deviations of a step)", () => {
    const t = ts(2, 10_000);
    const steps = t.slice(1).map((x, i) => Math.abs(x - t[i]));
    expect(Math.max(...steps)).toBeLessThan(0.3);
    expect(new Set(t).size, "it walks rather than standing still").toBeGreaterThan(50);
  });

  it("reverts to its base: spread over 10,000 readings stays under 1.5 °C (a free walk spreads ~5 °C)", () => {
    const t = ts(3, 10_000);
    const mean = t.reduce((s, x) => s + x, 0) / t.length;
    expect(Math.sqrt(t.reduce((s, x) => s + (x - mean) ** 2, 0) / t.length)).toBeLessThan(1.5);
  });

  it("starts near a per-sensor base spread over 15..25 °C", () => {
    const first = Array.from({ length: 200 }, (_, id) => ts(id, 1)[0]);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(14.7);
    expect(Math.max(...first)).toBeLessThanOrEqual(25.3);
    expect(Math.min(...first)).toBeLessThan(16);
    expect(Math.max(...first)).toBeGreaterThan(24);
  });

  it("publishes two decimals", () => {
    expect(ts(4, 1000).every((t) => hasDecimals(t, 2))).toBe(true);
  });
});

describe("accelerometer", () => {
  const GRAVITY = 9.81;
  const rs = readings("accelerometer", 1, 2000);
  const bursts = rs.filter((r) => (r.samples?.length ?? 0) > 1);
  const quiet = rs.filter((r) => r.samples?.length === 1);

  it("bursts in about 5% of readings (2–9% over 2,000)", () => {
    expect(bursts.length / rs.length).toBeGreaterThanOrEqual(0.02);
    expect(bursts.length / rs.length).toBeLessThanOrEqual(0.09);
  });

  it("sends ACCEL_BURST_SAMPLES = 16 samples in a burst, and n says how many", () => {
    expect(ACCEL_BURST_SAMPLES).toBe(16);
    expect(bursts.every((r) => r.samples!.length === 16 && value(r, "n") === 16)).toBe(true);
  });

  it("sends one sample near [0, 0, 9.81] when quiet", () => {
    expect(quiet.length + bursts.length).toBe(rs.length);
    for (const r of quiet) {
      const [x, y, z] = r.samples![0];
      expect(value(r, "n")).toBe(1);
      expect(Math.max(Math.abs(x), Math.abs(y), Math.abs(z - GRAVITY)), JSON.stringify(r)).toBeLessThan(0.15);
    }
  });

  it("vibrates by a few m/s² in a burst", () => {
    for (const r of bursts) {
      const swing = Math.max(...r.samples!.map(([x]) => Math.abs(x)));
      expect(swing, JSON.stringify(r)).toBeGreaterThan(1.5);
      expect(swing, JSON.stringify(r)).toBeLessThan(6);
      expect(r.samples!.every(([, , z]) => Math.abs(z - GRAVITY) < 3)).toBe(true);
    }
  });

  it("rounds every sample to 0.01 m/s²", () => {
    expect(rs.every((r) => r.samples!.every((s) => s.every((v) => hasDecimals(v, 2))))).toBe(true);
  });
});

describe("gps", () => {
  const EARTH_RADIUS_M = 6_371_000;
  /** Reported speed is rounded to 0.1 m/s and positions to 1e-6° (≤ 0.08 m each way). */
  const SPEED_ROUNDING_MS = 0.05;
  const POSITION_ROUNDING_M = 0.2;
  const DISTANCE_TOLERANCE = 0.05;

  const fix = (r: Reading) => ({ lat: value(r, "lat"), lon: value(r, "lon"), spd: value(r, "spd"), hdg: value(r, "hdg") });

  function haversineM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
    const rad = Math.PI / 180;
    const h = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2
      + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
    return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
  }

  it("starts at a per-sensor position in 48..54 °N, 6..14 °E", () => {
    for (let id = 0; id < 100; id++) {
      const { lat, lon } = fix(readings("gps", id, 1)[0]);
      expect(lat >= 48 && lat <= 54 && lon >= 6 && lon <= 14, `id ${id}: ${lat}, ${lon}`).toBe(true);
    }
  });

  it("does not move between two readings at the same time", () => {
    const m = createModel("gps", SEED, 1);
    const a = fix(m.next(5000)), b = fix(m.next(5000));
    expect([b.lat, b.lon]).toEqual([a.lat, a.lon]);
  });

  it("moves speed × time between readings (haversine within 5%)", () => {
    const dtS = 10;
    const track = readings("gps", 2, 2000, dtS * 1000).map(fix);
    const off: string[] = [];
    for (let i = 1; i < track.length; i++) {
      const expected = track[i].spd * dtS;
      const moved = haversineM(track[i - 1], track[i]);
      const slack = DISTANCE_TOLERANCE * expected + SPEED_ROUNDING_MS * dtS + POSITION_ROUNDING_M;
      if (Math.abs(moved - expected) > slack) off.push(`step ${i}: moved ${moved} m at ${track[i].spd} m/s`);
    }
    expect(off).toEqual([]);
    expect(track.some((f, i) => i > 0 && f.spd > 5), "the track does move").toBe(true);
  });

  it("stays on the globe over a long track (lat within ±90°, lon within ±180°)", () => {
    const track = readings("gps", 3, 10_000, 600_000).map(fix);
    expect(track.every((f) => Math.abs(f.lat) <= 90 && Math.abs(f.lon) <= 180)).toBe(true);
    expect(Math.max(...track.map((f) => Math.abs(f.lat - track[0].lat))), "it does travel far").toBeGreaterThan(10);
  });

  it("reports speed in 0..30 m/s with one decimal and heading in whole degrees 0..359", () => {
    const track = readings("gps", 4, 5000).map(fix);
    expect(track.every((f) => f.spd >= 0 && f.spd <= 30 && hasDecimals(f.spd, 1))).toBe(true);
    expect(track.every((f) => Number.isInteger(f.hdg) && f.hdg >= 0 && f.hdg <= 359)).toBe(true);
    expect(new Set(track.map((f) => f.hdg)).size, "the heading wanders").toBeGreaterThan(30);
  });

  it("measures the interval across the u32 clock wrap", () => {
    const wrapped = createModel("gps", SEED, 5), plain = createModel("gps", SEED, 5);
    wrapped.next(2 ** 32 - 1000);
    plain.next(0);
    expect(wrapped.next(1000)).toEqual(plain.next(2000));
  });
});

describe("counter", () => {
  it("increases by 1..5 per reading, every step size occurring", () => {
    const c = readings("counter", 1, 10_000).map((r) => value(r, "c"));
    const steps = c.slice(1).map((x, i) => x - c[i]);
    expect(steps.every((s) => s >= 1 && s <= 5)).toBe(true);
    expect([...new Set(steps)].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("counts from zero: the first reading is 1..5", () => {
    const first = Array.from({ length: 50 }, (_, id) => value(readings("counter", id, 1)[0], "c"));
    expect(first.every((c) => c >= 1 && c <= 5)).toBe(true);
  });
});
