// The payload encodings: hand-worked vectors, the observer's read of id, seq and ts (round trip,
// rejections, robustness on random bytes), and the worst-case sizes the firmware buffers are
// budgeted against.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createModel, MODEL_NAMES, MODEL_SPECS, type ModelName, type Reading } from "../../sim/models.ts";
import { decodeHeader, encodePayload, maxPayloadBytes, PAYLOAD_FORMATS, type PayloadFormat } from "../../sim/payload.ts";
import { Prng } from "../../sim/prng.ts";

const SEED = 977;
const U32_MAX = 0xffff_ffff;
/** The default firmware profile has 1 KiB buffers; a JSON burst must leave room for the topic and headers. */
const JSON_BURST_BUDGET_BYTES = 700;

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/sim/${name}`, import.meta.url), "utf8")) as T;

interface Vector {
  name: string;
  id: number;
  seq: number;
  ts: number;
  reading: Reading;
  json: string;
  text: string;
  binary: [hex: string, what: string][];
}
const VECTORS = fixture<{ vectors: Vector[] }>("payload-vectors.json").vectors;

interface Rejection { format: PayloadFormat; why: string; text?: string; hex?: string }
const REJECTIONS = fixture<{ cases: Rejection[] }>("header-rejections.json").cases;

/** Expected payloads as strings, so a mismatch shows as a readable diff: hex for binary. */
function expected(v: Vector, f: PayloadFormat): string {
  return f === "binary" ? v.binary.map(([hex]) => hex).join("") : v[f];
}
function shown(f: PayloadFormat, b: Buffer): string {
  return b.toString(f === "binary" ? "hex" : "utf8");
}
function bytesOf(f: PayloadFormat, s: string): Buffer {
  return f === "binary" ? Buffer.from(s, "hex") : Buffer.from(s, "utf8");
}

describe("payload vectors", () => {
  it("cover every model", () => {
    expect([...new Set(VECTORS.map((v) => v.reading.model))].sort()).toEqual([...MODEL_NAMES].sort());
  });

  for (const v of VECTORS) {
    for (const f of PAYLOAD_FORMATS) {
      it(`${f}, ${v.name}: encodes to the worked-out bytes`, () => {
        expect(shown(f, encodePayload(f, v, v.reading))).toBe(expected(v, f));
      });

      it(`${f}, ${v.name}: reads id, seq and ts back`, () => {
        expect(decodeHeader(f, bytesOf(f, expected(v, f)))).toEqual({ id: v.id, seq: v.seq, ts: v.ts });
      });
    }

    // Text has no terminator, so a cut after ts's digits still reads as a (shorter) payload.
    for (const f of ["json", "binary"] as const) {
      it(`${f}, ${v.name}: rejects every truncation`, () => {
        const b = bytesOf(f, expected(v, f));
        const accepted = Array.from({ length: b.length }, (_, n) => n).filter((n) => decodeHeader(f, b.subarray(0, n)) !== undefined);
        expect(accepted).toEqual([]);
      });
    }
  }
});

describe("decodeHeader", () => {
  it.each(PAYLOAD_FORMATS.flatMap((f) => MODEL_NAMES.map((m) => [f, m] as const)))(
    "%s, %s: reads back any u32 id, seq and ts",
    (f, model) => {
      const p = new Prng(SEED);
      const sensor = createModel(model, SEED, 1);
      const u32 = () => p.int(2 ** 32);
      const triples = [[0, 0, 0], [U32_MAX, U32_MAX, U32_MAX], ...Array.from({ length: 500 }, () => [u32(), u32(), u32()])];
      const wrong = triples.filter(([id, seq, ts]) => {
        const h = decodeHeader(f, encodePayload(f, { id, seq, ts }, sensor.next(ts)));
        return h?.id !== id || h.seq !== seq || h.ts !== ts;
      });
      expect(wrong).toEqual([]);
    },
  );

  for (const c of REJECTIONS) {
    it(`${c.format}: rejects ${c.why}`, () => {
      const bytes = c.hex !== undefined ? Buffer.from(c.hex.replaceAll(" ", ""), "hex") : Buffer.from(c.text!, "utf8");
      expect(decodeHeader(c.format, bytes)).toBeUndefined();
    });
  }

  it("rejects an unknown format", () => {
    expect(decodeHeader("xml" as PayloadFormat, Buffer.from('{"id":3,"seq":1,"ts":2}'))).toBeUndefined();
  });

  it.each(PAYLOAD_FORMATS)("%s: never throws on 10,000 random buffers, and what it accepts is three u32", (f) => {
    const p = new Prng(SEED);
    // Three kinds of noise: uniform bytes, bytes from the formats' own alphabet, and real payloads
    // with one byte changed or cut short (which reach deep into the checks).
    const alphabet = Buffer.from('{}[]",:;= .-0123456789idseqtsxyzn\n\xff\x20\x21');
    const valid = VECTORS.map((v) => bytesOf(f, expected(v, f)));
    const noise = (): Uint8Array => {
      const kind = p.int(3);
      if (kind === 2) {
        const b = Buffer.from(valid[p.int(valid.length)]);
        b[p.int(b.length)] = p.int(256);
        return b.subarray(0, p.int(b.length + 1));
      }
      return Uint8Array.from({ length: p.int(120) }, () => (kind === 0 ? p.int(256) : alphabet[p.int(alphabet.length)]));
    };
    const bad: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const b = noise();
      try {
        const h = decodeHeader(f, b);
        const isU32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= U32_MAX;
        if (h && !(isU32(h.id) && isU32(h.seq) && isU32(h.ts))) {
          bad.push(`${Buffer.from(b).toString("hex")} -> ${JSON.stringify(h)}`);
        }
      } catch (e) {
        bad.push(`${Buffer.from(b).toString("hex")} threw ${String(e)}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe("encodePayload", () => {
  const ZERO = { id: 0, seq: 0, ts: 0 };
  const t = (v: number): Reading => ({ model: "temperature", values: [["t", v]] });

  it("refuses an id, seq or ts that is not a u32", () => {
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expect(() => encodePayload("text", { id: bad, seq: 0, ts: 0 }, t(20)), `id ${bad}`).toThrow(RangeError);
      expect(() => encodePayload("json", { id: 0, seq: bad, ts: 0 }, t(20)), `seq ${bad}`).toThrow(RangeError);
      expect(() => encodePayload("binary", { id: 0, seq: 0, ts: bad }, t(20)), `ts ${bad}`).toThrow(RangeError);
    }
  });

  it("refuses a value outside its channel's range (the size bounds rely on it)", () => {
    for (const f of PAYLOAD_FORMATS) expect(() => encodePayload(f, ZERO, t(400))).toThrow(RangeError);
  });

  it("refuses a reading without its model's channels", () => {
    for (const f of PAYLOAD_FORMATS) expect(() => encodePayload(f, ZERO, { model: "gps", values: [["lat", 50]] })).toThrow(RangeError);
  });

  it("refuses a burst whose count disagrees with its samples", () => {
    const r: Reading = { model: "accelerometer", values: [["n", 2]], samples: [[0, 0, 9.81]] };
    for (const f of PAYLOAD_FORMATS) expect(() => encodePayload(f, ZERO, r)).toThrow(RangeError);
  });
});

describe("maxPayloadBytes", () => {
  const MAX = { id: U32_MAX, seq: U32_MAX, ts: U32_MAX };
  it("is 15, 110, 25 and 17 bytes in binary, as the layout adds up (version/model, id, seq, ts, then the model's fields)", () => {
    expect(MODEL_NAMES.map((m) => [m, maxPayloadBytes("binary", m)])).toEqual([
      ["temperature", 1 + 4 + 4 + 4 + 2],
      ["accelerometer", 1 + 4 + 4 + 4 + 1 + 16 * 6],
      ["gps", 1 + 4 + 4 + 4 + 4 + 4 + 2 + 2],
      ["counter", 1 + 4 + 4 + 4 + 4],
    ]);
  });

  it(`keeps a JSON burst within ${JSON_BURST_BUDGET_BYTES} bytes`, () => {
    expect(maxPayloadBytes("json", "accelerometer")).toBeLessThanOrEqual(JSON_BURST_BUDGET_BYTES);
  });

  it.each(PAYLOAD_FORMATS.flatMap((f) => MODEL_NAMES.map((m) => [f, m] as const)))(
    "%s, %s: bounds every generated payload (and binary reaches its bound)",
    (f, model) => {
      let largest = 0;
      for (let id = 0; id < 20; id++) {
        const sensor = createModel(model, SEED, id);
        for (let i = 0; i < 500; i++) largest = Math.max(largest, encodePayload(f, MAX, sensor.next(i * 1000)).length);
      }
      expect(largest).toBeLessThanOrEqual(maxPayloadBytes(f, model));
      if (f === "binary") expect(largest).toBe(maxPayloadBytes(f, model));
    },
  );

  /** A reading with every channel one step inside a bound: the most digits a channel can print. */
  function extreme(model: ModelName, side: "min" | "max"): Reading {
    const spec = MODEL_SPECS[model];
    const near = (ch: { decimals: number; min: number; max: number }) => (side === "min" ? ch.min + 10 ** -ch.decimals : ch.max - 10 ** -ch.decimals);
    const burst = spec.burst;
    const samples = burst ? Array.from({ length: burst.samplesMax }, (): [number, number, number] => [near(burst.axis), near(burst.axis), near(burst.axis)]) : undefined;
    return {
      model,
      values: Object.entries(spec.channels).map(([name, ch]) => [name, name === burst?.countChannel ? burst.samplesMax : near(ch)]),
      samples,
    };
  }

  it.each(PAYLOAD_FORMATS.flatMap((f) => MODEL_NAMES.map((m) => [f, m] as const)))(
    "%s, %s: bounds readings at the edges of every channel's range",
    (f, model) => {
      for (const side of ["min", "max"] as const) {
        expect(encodePayload(f, MAX, extreme(model, side)).length, side).toBeLessThanOrEqual(maxPayloadBytes(f, model));
      }
    },
  );
});
