// Payload encodings of a sensor reading (json, text, binary), their worst-case sizes, and the
// observer's fast read of id, seq and ts back from a payload. Every payload carries its sensor's
// id, so the observer never needs the topic to tell sensors apart (many fleets share one topic). Numbers are fixed-point by the channel
// specs in models.ts, so all three encodings carry exactly the same values.
import { isUtf8 } from "node:buffer";
import { MODEL_SPECS, type Channel, type ModelName, type Reading } from "./models.ts";

export type PayloadFormat = "json" | "text" | "binary";
export const PAYLOAD_FORMATS: readonly PayloadFormat[] = ["json", "text", "binary"];

/** id, seq and ts: u32 counters. */
const U32: Channel = { decimals: 0, min: 0, max: 0xffff_ffff };
/** Decimal digits of the largest u32, 4294967295. */
const U32_DIGITS_MAX = 10;

/*
 * Binary layout, little-endian; the encoder writes exactly binaryBytes(model, n) bytes.
 *
 * | offset | field                                                       | payload bytes  |
 * |--------|-------------------------------------------------------------|----------------|
 * | 0      | u8: BINARY_VERSION in the high nibble, MODEL_IDS in the low |                |
 * | 1      | u32 id, the sensor's fleet-wide id                          |                |
 * | 5      | u32 seq                                                     |                |
 * | 9      | u32 ts, ms since the fleet start                            |                |
 * | 13     | temperature: i16 t × 100 (°C)                               | 15             |
 * | 13     | accelerometer: u8 n, then n × (i16 x, y, z × 100 (m/s²))    | 14 + 6n ≤ 110  |
 * | 13     | gps: i32 lat × 1e6, i32 lon × 1e6 (°), u16 spd × 10 (m/s),  | 25             |
 * |        |      u16 hdg (°)                                            |                |
 * | 13     | counter: u32 c                                              | 17             |
 *
 * Version 1 had no id (seq at 1, ts at 5); a fixed-width id keeps every offset constant.
 */
const BINARY_VERSION = 2;
const BINARY_HEADER_BYTES = 13;
const MODEL_IDS: Readonly<Record<ModelName, number>> = { temperature: 0, accelerometer: 1, gps: 2, counter: 3 };
const MODEL_BY_ID: readonly ModelName[] = (Object.keys(MODEL_IDS) as ModelName[]).sort((a, b) => MODEL_IDS[a] - MODEL_IDS[b]);

type Field = "u8" | "u16" | "i16" | "u32" | "i32";
const FIELD_BYTES: Readonly<Record<Field, number>> = { u8: 1, u16: 2, i16: 2, u32: 4, i32: 4 };
const WRITE: Readonly<Record<Field, (b: Buffer, v: number, at: number) => number>> = {
  u8: (b, v, at) => b.writeUInt8(v, at),
  u16: (b, v, at) => b.writeUInt16LE(v, at),
  i16: (b, v, at) => b.writeInt16LE(v, at),
  u32: (b, v, at) => b.writeUInt32LE(v, at),
  i32: (b, v, at) => b.writeInt32LE(v, at),
};
/** Each model's scalar fields after the header, in wire order. */
const BINARY_FIELDS: Readonly<Record<ModelName, readonly (readonly [channel: string, type: Field])[]>> = {
  temperature: [["t", "i16"]],
  accelerometer: [["n", "u8"]],
  gps: [["lat", "i32"], ["lon", "i32"], ["spd", "u16"], ["hdg", "u16"]],
  counter: [["c", "u32"]],
};
/** Each burst sample is x, y, z. */
const SAMPLE_FIELD: Field = "i16";
const SAMPLE_BYTES = 3 * FIELD_BYTES[SAMPLE_FIELD];

/** The counters every payload begins with: the sensor's id, its sequence number and the timestamp (ms since the fleet start). */
export type Header = { id: number; seq: number; ts: number };

/** Encodes id, seq, ts and a reading. Throws on a reading its model could not produce (a programmer error). */
export function encodePayload(format: PayloadFormat, h: Header, r: Reading): Buffer {
  const { id, seq, ts: tsMs } = h;
  checkU32(id, "id");
  checkU32(seq, "seq");
  checkU32(tsMs, "ts");
  checkReading(r);
  switch (format) {
    case "json": return Buffer.from(json(h, r, decimal));
    case "text": return Buffer.from(text(h, r, decimal));
    case "binary": return binary(h, r);
  }
  throw new RangeError(`unknown payload format '${format as string}'`);
}

/** Largest payload a model can produce in a format (for budget checks against a firmware profile's buffers). */
export function maxPayloadBytes(format: PayloadFormat, model: ModelName): number {
  const spec = MODEL_SPECS[model];
  const samplesMax = spec.burst?.samplesMax ?? 0;
  if (format === "binary") return binaryBytes(model, samplesMax);
  // Encode the widest reading (every channel, the longest burst) with every number at its widest.
  const widest: Reading = {
    model,
    values: Object.keys(spec.channels).map((name) => [name, 0]),
    samples: Array.from({ length: samplesMax }, () => [0, 0, 0]),
  };
  const wide: Num = (_, ch) => "0".repeat(widestDecimal(ch));
  return Buffer.byteLength(format === "json" ? json(ZERO, widest, wide) : text(ZERO, widest, wide));
}

const ZERO: Header = { id: 0, seq: 0, ts: 0 };

/** Formats one number of a channel. */
type Num = (value: number, ch: Channel) => string;

/** `{"id":7,"seq":12,"ts":3456,"t":21.37}`; bursts as `"xyz":[[x,y,z],...]`. */
function json(h: Header, r: Reading, num: Num): string {
  let s = `{"id":${num(h.id, U32)},"seq":${num(h.seq, U32)},"ts":${num(h.ts, U32)}`;
  for (const [name, v] of r.values) s += `,"${name}":${num(v, channelOf(r.model, name))}`;
  const axis = MODEL_SPECS[r.model].burst?.axis;
  if (axis && r.samples?.length) s += `,"xyz":[${r.samples.map((xyz) => `[${xyz.map((v) => num(v, axis)).join(",")}]`).join(",")}]`;
  return s + "}";
}

/** `id=7 seq=12 ts=3456 t=21.37`; bursts as `xyz=x,y,z;x,y,z;...`. */
function text(h: Header, r: Reading, num: Num): string {
  let s = `id=${num(h.id, U32)} seq=${num(h.seq, U32)} ts=${num(h.ts, U32)}`;
  for (const [name, v] of r.values) s += ` ${name}=${num(v, channelOf(r.model, name))}`;
  const axis = MODEL_SPECS[r.model].burst?.axis;
  if (axis && r.samples?.length) s += ` xyz=${r.samples.map((xyz) => xyz.map((v) => num(v, axis)).join(",")).join(";")}`;
  return s;
}

function binary(h: Header, r: Reading): Buffer {
  const samples = r.samples ?? [];
  const b = Buffer.alloc(binaryBytes(r.model, samples.length));
  let at = b.writeUInt8((BINARY_VERSION << 4) | MODEL_IDS[r.model], 0);
  at = b.writeUInt32LE(h.id, at);
  at = b.writeUInt32LE(h.seq, at);
  at = b.writeUInt32LE(h.ts, at);
  for (const [name, type] of BINARY_FIELDS[r.model]) {
    at = WRITE[type](b, fixed(valueOf(r, name), channelOf(r.model, name)), at);
  }
  const axis = MODEL_SPECS[r.model].burst?.axis;
  for (const xyz of samples) for (const v of xyz) at = WRITE[SAMPLE_FIELD](b, fixed(v, axis!), at);
  return b;
}

function binaryBytes(model: ModelName, samples: number): number {
  return BINARY_FIELDS[model].reduce((n, [, type]) => n + FIELD_BYTES[type], BINARY_HEADER_BYTES) + samples * SAMPLE_BYTES;
}

/** The value in fixed point (value × 10^decimals); throws outside the channel's range, as the sizes rely on it. */
function fixed(value: number, ch: Channel): number {
  const scale = 10 ** ch.decimals;
  const n = Math.round(value * scale) + 0; // + 0 turns -0 into 0
  if (!(n >= Math.round(ch.min * scale) && n <= Math.round(ch.max * scale))) {
    throw new RangeError(`${value} is outside [${ch.min}, ${ch.max}]`);
  }
  return n;
}

/** Rounded to the channel's decimals, trailing zeros stripped, never an exponent: 21.3, -0.05, 4294967295. */
function decimal(value: number, ch: Channel): string {
  const n = fixed(value, ch);
  const scale = 10 ** ch.decimals;
  const a = Math.abs(n);
  const fraction = String(a % scale).padStart(ch.decimals, "0").replace(/0+$/, "");
  return (n < 0 ? "-" : "") + String(Math.floor(a / scale)) + (fraction ? `.${fraction}` : "");
}

/** Characters of the longest decimal() of a channel: sign, integer digits, point and decimals. */
function widestDecimal(ch: Channel): number {
  const integerDigits = String(Math.floor(Math.max(-ch.min, ch.max))).length;
  return (ch.min < 0 ? 1 : 0) + integerDigits + (ch.decimals > 0 ? 1 + ch.decimals : 0);
}

function channelOf(model: ModelName, name: string): Channel {
  const channels = MODEL_SPECS[model].channels;
  if (!Object.hasOwn(channels, name)) throw new RangeError(`a ${model} reading has no channel '${name}'`);
  return channels[name];
}

function valueOf(r: Reading, name: string): number {
  const found = r.values.find(([n]) => n === name);
  if (!found) throw new RangeError(`the ${r.model} reading lacks channel '${name}'`);
  return found[1];
}

/** id, seq and ts are counted, never rounded: a fraction is a caller's mistake. */
function checkU32(v: number, what: string): void {
  if (!(Number.isInteger(v) && v >= U32.min && v <= U32.max)) throw new RangeError(`${what} ${v} is not a u32`);
}

/** A reading must have exactly its model's channels, in order, and a burst no longer than the model allows. */
function checkReading(r: Reading): void {
  const spec = MODEL_SPECS[r.model];
  if (!spec) throw new RangeError(`unknown sensor model '${r.model as string}'`);
  const names = r.values.map(([n]) => n).join();
  if (names !== Object.keys(spec.channels).join()) throw new RangeError(`a ${r.model} reading has channels '${names}'`);
  const samples = r.samples?.length ?? 0;
  const burst = spec.burst;
  if (burst ? valueOf(r, burst.countChannel) !== samples || samples > burst.samplesMax : samples > 0) {
    throw new RangeError(`a ${r.model} reading has ${samples} samples`);
  }
}

// --- The observer's view: id, seq and ts, without parsing the rest ----------------------------

/** How a keyed format begins: `<idKey><digits><seqKey><digits><tsKey><digits>` followed by one of `after`. */
interface KeyedSyntax {
  readonly idKey: Uint8Array;
  readonly seqKey: Uint8Array;
  readonly tsKey: Uint8Array;
  /** Bytes that may follow ts's digits; END stands for the end of the payload. */
  readonly after: readonly number[];
  /** The byte a complete payload ends with, if the format has one. */
  readonly last?: number;
}
const END = -1;
const JSON_SYNTAX: KeyedSyntax = {
  idKey: Buffer.from('{"id":'), seqKey: Buffer.from(',"seq":'), tsKey: Buffer.from(',"ts":'), after: [0x2c, 0x7d], last: 0x7d,
};
const TEXT_SYNTAX: KeyedSyntax = { idKey: Buffer.from("id="), seqKey: Buffer.from(" seq="), tsKey: Buffer.from(" ts="), after: [0x20, END] };

/**
 * Reads id, seq and ts back (the observer's view); undefined when the bytes are not a payload of this
 * format. Never throws. The formats begin differently ('{', 'i', 0x20–0x23), so at most one accepts a payload.
 */
export function decodeHeader(format: PayloadFormat, bytes: Uint8Array): Header | undefined {
  if (!(bytes instanceof Uint8Array)) return undefined;
  switch (format) {
    case "json": return keyedHeader(bytes, JSON_SYNTAX);
    case "text": return keyedHeader(bytes, TEXT_SYNTAX);
    case "binary": return binaryHeader(bytes);
    default: return undefined;
  }
}

function keyedHeader(b: Uint8Array, syntax: KeyedSyntax): Header | undefined {
  const id = digitsAfter(b, 0, syntax.idKey);
  if (!id) return undefined;
  const seq = digitsAfter(b, id.end, syntax.seqKey);
  if (!seq) return undefined;
  const ts = digitsAfter(b, seq.end, syntax.tsKey);
  if (!ts) return undefined;
  if (!syntax.after.includes(ts.end < b.length ? b[ts.end] : END)) return undefined;
  if (syntax.last !== undefined && b[b.length - 1] !== syntax.last) return undefined;
  // Scanning the whole payload is the price of rejecting non-UTF-8; it is native and allocation-free.
  if (!isUtf8(b)) return undefined;
  return { id: id.value, seq: seq.value, ts: ts.value };
}

/** The u32 in canonical decimal (no sign, no leading zero) that follows `key` at `at`. */
function digitsAfter(b: Uint8Array, at: number, key: Uint8Array): { value: number; end: number } | undefined {
  if (b.length < at + key.length) return undefined;
  for (let i = 0; i < key.length; i++) if (b[at + i] !== key[i]) return undefined;
  const start = at + key.length;
  let end = start;
  let value = 0;
  while (end < b.length && end - start <= U32_DIGITS_MAX && b[end] >= 0x30 && b[end] <= 0x39) value = value * 10 + b[end++] - 0x30;
  const digits = end - start;
  if (digits === 0 || digits > U32_DIGITS_MAX || value > U32.max || (digits > 1 && b[start] === 0x30)) return undefined;
  return { value, end };
}

function binaryHeader(b: Uint8Array): Header | undefined {
  if (b.length < BINARY_HEADER_BYTES || b[0] >> 4 !== BINARY_VERSION) return undefined;
  const model = MODEL_BY_ID[b[0] & 0x0f];
  if (model === undefined) return undefined;
  let samples = 0;
  const burst = MODEL_SPECS[model].burst;
  if (burst) {
    // The sample count is a u8 field; check it against the model before trusting the length.
    const countAt = COUNT_OFFSETS.get(model)!;
    if (b.length <= countAt) return undefined;
    const count = MODEL_SPECS[model].channels[burst.countChannel];
    samples = b[countAt];
    if (samples < count.min || samples > count.max) return undefined;
  }
  if (b.length !== binaryBytes(model, samples)) return undefined;
  return { id: u32le(b, 1), seq: u32le(b, 5), ts: u32le(b, 9) };
}

function fieldOffset(model: ModelName, channel: string): number {
  let at = BINARY_HEADER_BYTES;
  for (const [name, type] of BINARY_FIELDS[model]) {
    if (name === channel) return at;
    at += FIELD_BYTES[type];
  }
  throw new RangeError(`the ${model} layout has no field '${channel}'`);
}

/** Where each bursting model's sample count sits; worked out once, so that decoding cannot throw. */
const COUNT_OFFSETS: ReadonlyMap<ModelName, number> = new Map(
  MODEL_BY_ID.flatMap((m) => {
    const burst = MODEL_SPECS[m].burst;
    return burst ? [[m, fieldOffset(m, burst.countChannel)] as const] : [];
  }),
);

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
