// fast-check generators of broker-to-client byte streams: random bytes, valid packets with random
// mutations, random bodies behind plausible fixed headers, and ways to split a stream into reads.
import fc from "fast-check";
import { gen, type Version } from "../support/session-tools.ts";
import { sessionInput } from "./packet-arbitraries.ts";

const byte = fc.integer({ min: 0, max: 255 });

type Mutation = { kind: "flip" | "insert" | "delete" | "truncate"; at: number; value: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("flip", "insert", "delete", "truncate") as fc.Arbitrary<Mutation["kind"]>, at: fc.nat(), value: byte,
});

function mutate(b: Buffer, ms: Mutation[]): Buffer {
  let out = Buffer.from(b);
  for (const m of ms) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    if (m.kind === "flip") out[at] = m.value;
    else if (m.kind === "insert") out = Buffer.concat([out.subarray(0, at), Buffer.from([m.value]), out.subarray(at)]);
    else if (m.kind === "delete") out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    else out = out.subarray(0, at);
  }
  return out;
}

/** Valid packets for a connected session, concatenated, then changed in up to 3 places. */
export const mutatedPackets = (v: Version) =>
  fc.record({ packets: fc.array(sessionInput(v), { minLength: 1, maxLength: 4 }), mutations: fc.oneof(fc.constant<Mutation[]>([]), fc.array(mutation, { minLength: 1, maxLength: 3 })) })
    .map(({ packets, mutations }) => mutate(Buffer.concat(packets.map((p) => gen(p, v))), mutations));

export const randomBytes = fc.uint8Array({ minLength: 1, maxLength: 700 }).map((a) => Buffer.from(a));

function varint(n: number): number[] {
  const out: number[] = [];
  do { let b = n % 128; n = Math.floor(n / 128); if (n > 0) b |= 0x80; out.push(b); } while (n > 0);
  return out;
}

/** A first byte a client may see, a Remaining Length that matches the body (or not), and a random body. */
export const randomBody = fc.record({
  first: fc.constantFrom(0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x3a, 0x3d, 0x40, 0x50, 0x62, 0x70, 0x90, 0xb0, 0xd0, 0xe0, 0xf0),
  body: fc.uint8Array({ maxLength: 300 }),
  lengthDelta: fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 3 })),
}).map(({ first, body, lengthDelta }) =>
  Buffer.concat([Buffer.from([first, ...varint(Math.max(0, body.length + lengthDelta))]), Buffer.from(body)]));

export const brokerBytes = (v: Version) =>
  fc.oneof({ arbitrary: randomBytes, weight: 1 }, { arbitrary: mutatedPackets(v), weight: 4 }, { arbitrary: randomBody, weight: 2 });

/** Read sizes to split a stream into (cycled); empty = one read. */
export const splits = fc.array(fc.integer({ min: 1, max: 80 }), { maxLength: 12 });

/** Cuts bytes into reads of the given sizes (cycled). */
export function pieces(bytes: Buffer, sizes: number[]): Buffer[] {
  if (sizes.length === 0) return [bytes];
  const out: Buffer[] = [];
  for (let off = 0, i = 0; off < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(bytes.subarray(off, off + n));
    off += n;
  }
  return out;
}
