// Byte-level rewrites of CONNECT packets, used where a peer's fixture and our client differ
// only in a way that is stated in the test: the protocol name and level of MQTT 3.1, and the
// CONNECT properties our firmware announces from its budget. Everything else stays byte-exact.
import { PROPERTY_TABLE } from "../../host/properties.ts";

function varintAt(b: Uint8Array, pos: number): { value: number; len: number } {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const x = b[pos + i];
    if (x === undefined) throw new Error("truncated Variable Byte Integer");
    value += (x & 0x7f) * 128 ** i;
    if ((x & 0x80) === 0) return { value, len: i + 1 };
  }
  throw new Error("Variable Byte Integer longer than four bytes");
}

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let x = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) x |= 0x80;
    out.push(x);
  } while (n > 0);
  return Buffer.from(out);
}

/** Splits a packet into its first byte and its body (what the Remaining Length covers). */
function split(b: Uint8Array): { first: number; body: Buffer } {
  const rl = varintAt(b, 1);
  const body = Buffer.from(b.subarray(1 + rl.len));
  if (body.length !== rl.value) throw new Error(`Remaining Length ${rl.value} but ${body.length} bytes follow`);
  return { first: b[0], body };
}

const join = (first: number, body: Buffer) => Buffer.concat([Buffer.from([first]), varint(body.length), body]);

const MQISDP_3 = Buffer.from("00064d514973647003", "hex");
const MQTT_NAME = Buffer.from("00044d515454", "hex");

/**
 * An MQTT 3.1 CONNECT ("MQIsdp", level 3) as the MQTT 3.1.1 CONNECT with the same fields
 * ("MQTT", level 4). The two differ in nothing else for the fields they share.
 */
export function mqtt31AsMqtt311(b: Uint8Array): Buffer {
  const { first, body } = split(b);
  if (first !== 0x10 || !body.subarray(0, 9).equals(MQISDP_3)) throw new Error("not an MQTT 3.1 CONNECT");
  return join(first, Buffer.concat([MQTT_NAME, Buffer.from([4]), body.subarray(9)]));
}

const SIZE: Record<string, (b: Buffer, p: number) => number> = {
  byte: () => 1,
  u16: () => 2,
  u32: () => 4,
  varint: (b, p) => varintAt(b, p).len,
  string: (b, p) => 2 + b.readUInt16BE(p),
  binary: (b, p) => 2 + b.readUInt16BE(p),
  pair: (b, p) => { const k = 2 + b.readUInt16BE(p); return k + 2 + b.readUInt16BE(p + k); },
};

/** An MQTT 5 CONNECT without the CONNECT properties whose identifiers are given (will properties untouched). */
export function withoutConnectProperties(b: Uint8Array, ids: number[]): Buffer {
  const { first, body } = split(b);
  const nameLen = body.readUInt16BE(0);
  const propsAt = 2 + nameLen + 4; // protocol name, level, flags, keep alive
  if (body[2 + nameLen] !== 5) throw new Error("not an MQTT 5 CONNECT");
  const pl = varintAt(body, propsAt);
  const start = propsAt + pl.len;
  const end = start + pl.value;
  const kept: Buffer[] = [];
  for (let p = start; p < end; ) {
    const id = varintAt(body, p);
    const info = PROPERTY_TABLE.find((x) => x.id === id.value);
    if (!info) throw new Error(`unknown property 0x${id.value.toString(16)}`);
    const size = id.len + SIZE[info.kind](body, p + id.len);
    if (!ids.includes(id.value)) kept.push(body.subarray(p, p + size));
    p += size;
  }
  const props = Buffer.concat(kept);
  return join(first, Buffer.concat([body.subarray(0, propsAt), varint(props.length), props, body.subarray(end)]));
}
