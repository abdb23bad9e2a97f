// Compares two packets by meaning: both are parsed with mqtt-packet and their fields compared,
// so encodings that differ without changing the packet (property order, a PUBACK's omitted
// Success reason code) are not differences. Returns one entry per field that differs.
import { isDeepStrictEqual } from "node:util";
import mqttPacket, { type Packet } from "mqtt-packet";

type Fields = Record<string, unknown>;

const PACKET_NAMES = ["reserved", "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback",
  "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect", "auth"];

/** The packet type's name as mqtt-packet spells it ("publish", "pubrel", ...). */
export const packetName = (bytes: Buffer): string => PACKET_NAMES[bytes[0] >> 4];

export function parsePacket(bytes: Buffer, version: 4 | 5): Fields | string {
  let packet: Fields | undefined;
  let error: string | undefined;
  const p = mqttPacket.parser({ protocolVersion: version });
  p.on("packet", (x: Packet) => { packet ??= x as unknown as Fields; });
  p.on("error", (e: Error) => { error ??= e.message; });
  p.parse(bytes);
  if (error) return `does not parse: ${error}`;
  if (!packet) return "incomplete packet";
  return packet;
}

const show = (v: unknown): string => (Buffer.isBuffer(v) ? `<${v.toString("hex")}>` : JSON.stringify(v) ?? "absent");

/** One differing field; expected/actual are shown as JSON (buffers as <hex>, a missing field as "absent"). */
export interface FieldDiff { field: string; expected: string; actual: string }
export const describeDiff = (d: FieldDiff): string => `${d.field}: expected ${d.expected}, got ${d.actual}`;

/** Field-level differences; [] when the packets mean the same. `length` (the encoding's size) is ignored. */
export function packetDiff(expected: Buffer, actual: Buffer, version: 4 | 5): FieldDiff[] {
  if (expected.equals(actual)) return [];
  const e = parsePacket(expected, version);
  const a = parsePacket(actual, version);
  if (typeof a === "string") return [{ field: "packet", expected: expected.toString("hex"), actual: `${actual.toString("hex")} (${a})` }];
  if (typeof e === "string") return [{ field: "packet", expected: `${expected.toString("hex")} (${e})`, actual: actual.toString("hex") }];
  const out: FieldDiff[] = [];
  const norm = (p: Fields): Fields => {
    const { length: _l, ...rest } = p;
    // A v5 ack or DISCONNECT without a reason code means Success (0x00) (3.4.2.1, 3.14.2.1); mqtt-packet leaves it unset.
    if (version === 5 && ["puback", "pubrec", "pubrel", "pubcomp", "disconnect"].includes(String(rest.cmd))) rest.reasonCode ??= 0;
    return rest;
  };
  const ne = norm(e);
  const na = norm(a);
  for (const key of new Set([...Object.keys(ne), ...Object.keys(na)])) {
    if (key === "properties") continue;
    if (!isDeepStrictEqual(ne[key], na[key])) out.push({ field: key, expected: show(ne[key]), actual: show(na[key]) });
  }
  const pe = (ne.properties ?? {}) as Fields;
  const pa = (na.properties ?? {}) as Fields;
  for (const key of new Set([...Object.keys(pe), ...Object.keys(pa)])) {
    if (!isDeepStrictEqual(pe[key], pa[key])) out.push({ field: `properties.${key}`, expected: show(pe[key]), actual: show(pa[key]) });
  }
  return out;
}
