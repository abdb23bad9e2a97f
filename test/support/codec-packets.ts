// Packet objects named as mqtt-packet names them, reduced to the fields that are on the wire,
// so that three sources can be compared with toEqual: our decoder (decodeRx), mqtt-packet's
// parser, and the hand-written test vectors (JSON, where a Buffer is written {"$hex": "..."}).
import mqtt from "mqtt-packet";
import { EV, EventType, PacketType, Region } from "../../host/abi.ts";
import type { Firmware } from "../../host/firmware.ts";
import { readEvent } from "../../host/events.ts";

/** A packet in mqtt-packet's naming (cmd, messageId, properties, ...). Buffers may be Buffers or {$hex}. */
export type Packet = { cmd: string } & Record<string, unknown>;
export type Version = 4 | 5;

export const CMD = [
  "reserved", "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback",
  "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect", "auth",
] as const;

/** Bytes from hex written with any separators ("30 05 | 00 01 ..."). */
export function hexBytes(s: string): Buffer {
  const digits = s.replace(/[^0-9a-fA-F]/g, "");
  if (digits.length % 2 !== 0) throw new Error(`odd number of hex digits in "${s}"`);
  return Buffer.from(digits, "hex");
}

export function spacedHex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex").replace(/(..)(?!$)/g, "$1 ");
}

/** JSON form: Buffers become {$hex}, undefined fields vanish. */
export function toJson(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $hex: Buffer.from(v).toString("hex") };
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJson(x);
    return out;
  }
  return v;
}

/** Live form: {$hex} becomes a Buffer (for mqtt-packet and for our commands). */
export function fromJson<T = unknown>(v: unknown): T {
  if (v instanceof Uint8Array) return v as T;
  if (Array.isArray(v)) return v.map((x) => fromJson(x)) as T;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.$hex === "string" && Object.keys(o).length === 1) return hexBytes(o.$hex) as T;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = fromJson(x);
    return out as T;
  }
  return v as T;
}

const isEmpty = (o: unknown) => o === undefined || o === null || (typeof o === "object" && Object.keys(o).length === 0);
const props = (p: unknown) => (isEmpty(p) ? undefined : p);

// ---- Our decoder ----

const EVENT_FOR: Partial<Record<number, EventType>> = {
  [PacketType.PUBLISH]: EventType.Message,
  [PacketType.CONNACK]: EventType.Connected,
  [PacketType.SUBACK]: EventType.SubscribeDone,
  [PacketType.UNSUBACK]: EventType.UnsubscribeDone,
};

export interface Decoded {
  /** decodeRx's result: 0, a reason code, or -1 (not exactly one complete packet). */
  rc: number;
  packet?: Packet;
}

/** Copies one packet into RX and runs the pure decoder (no session). */
export function decodeRx(fw: Firmware, bytes: Uint8Array, version: Version): Decoded {
  const rxSize = fw.exports.regionSize(Region.Rx);
  if (bytes.length > rxSize) throw new RangeError(`${bytes.length} bytes do not fit RX (${rxSize}) of profile ${fw.profile}`);
  fw.memory.set(bytes, fw.exports.regionOffset(Region.Rx));
  const rc = fw.exports.decodeRx(bytes.length, version === 5 ? 1 : 0);
  return rc === 0 ? { rc, packet: eventToPacket(fw, version) } : { rc };
}

/**
 * The event record after a successful decodeRx, as an mqtt-packet object. One conversion is
 * made on purpose: host/properties.ts reports payloadFormatIndicator as a number where
 * mqtt-packet uses a boolean (reported separately by property-naming.test.ts); it is turned into
 * a boolean here so that the codec comparisons test the codec.
 */
export function eventToPacket(fw: Firmware, version: Version): Packet {
  const type = fw.ev(EV.PACKET_TYPE);
  const ev = readEvent(fw, EVENT_FOR[type] ?? EventType.None);
  const cmd = CMD[type];
  const properties = props(ev.properties) as Record<string, unknown> | undefined;
  if (properties && typeof properties.payloadFormatIndicator === "number") {
    properties.payloadFormatIndicator = properties.payloadFormatIndicator !== 0;
  }
  const v5 = version === 5;
  switch (type) {
    case PacketType.CONNACK:
      return v5
        ? { cmd, sessionPresent: ev.sessionPresent, reasonCode: ev.reason, properties }
        : { cmd, sessionPresent: ev.sessionPresent, returnCode: ev.reason };
    case PacketType.PUBLISH: {
      const qos = ev.qos ?? 0;
      return {
        cmd, topic: fw.eventTopic(), payload: ev.payload, qos, dup: ev.dup, retain: ev.retain,
        messageId: qos > 0 ? ev.packetId : undefined, properties,
      };
    }
    case PacketType.PUBACK: case PacketType.PUBREC: case PacketType.PUBREL: case PacketType.PUBCOMP:
      return v5 ? { cmd, messageId: ev.packetId, reasonCode: ev.reason, properties } : { cmd, messageId: ev.packetId };
    case PacketType.SUBACK:
      return { cmd, messageId: ev.packetId, granted: ev.codes, properties };
    case PacketType.UNSUBACK:
      return v5 ? { cmd, messageId: ev.packetId, granted: ev.codes, properties } : { cmd, messageId: ev.packetId };
    case PacketType.DISCONNECT: case PacketType.AUTH:
      return { cmd, reasonCode: ev.reason, properties };
    default:
      return { cmd };
  }
}

// ---- mqtt-packet ----

/** The packet fields that are on the wire, from an mqtt-packet object (parsed or written by hand). */
export function canonical(p: Packet, version: Version): Packet {
  const v5 = version === 5;
  const cmd = p.cmd;
  const properties = props(p.properties);
  switch (cmd) {
    case "connect": {
      const w = p.will as Record<string, unknown> | undefined;
      return {
        cmd, protocolId: p.protocolId, protocolVersion: p.protocolVersion, clean: p.clean, keepalive: p.keepalive,
        clientId: p.clientId, properties,
        will: w && { topic: w.topic, payload: w.payload, qos: w.qos, retain: w.retain, properties: props(w.properties) },
        username: p.username, password: p.password,
      };
    }
    case "connack":
      return v5
        ? { cmd, sessionPresent: p.sessionPresent, reasonCode: p.reasonCode ?? 0, properties }
        : { cmd, sessionPresent: p.sessionPresent, returnCode: p.returnCode };
    case "publish": {
      const qos = (p.qos as number) ?? 0;
      return {
        cmd, topic: p.topic, payload: typeof p.payload === "string" ? Buffer.from(p.payload) : p.payload, qos,
        dup: p.dup ?? false, retain: p.retain ?? false, messageId: qos > 0 ? p.messageId : undefined, properties,
      };
    }
    case "puback": case "pubrec": case "pubrel": case "pubcomp":
      return v5 ? { cmd, messageId: p.messageId, reasonCode: p.reasonCode ?? 0, properties } : { cmd, messageId: p.messageId };
    case "subscribe":
      return {
        cmd, messageId: p.messageId, properties,
        subscriptions: (p.subscriptions as Record<string, unknown>[]).map((s) =>
          v5 ? { topic: s.topic, qos: s.qos, nl: s.nl ?? false, rap: s.rap ?? false, rh: s.rh ?? 0 } : { topic: s.topic, qos: s.qos }),
      };
    case "suback":
      return { cmd, messageId: p.messageId, granted: p.granted, properties };
    case "unsubscribe":
      return { cmd, messageId: p.messageId, unsubscriptions: p.unsubscriptions, properties };
    case "unsuback":
      return v5 ? { cmd, messageId: p.messageId, granted: p.granted ?? [], properties } : { cmd, messageId: p.messageId };
    case "disconnect": case "auth":
      return v5 ? { cmd, reasonCode: p.reasonCode ?? 0, properties } : { cmd };
    default:
      return { cmd };
  }
}

/** Comparable JSON of a packet from any source. */
export function comparable(p: Packet, version: Version): unknown {
  return toJson(canonical(fromJson<Packet>(p), version));
}

export interface Parsed {
  packets: Packet[];
  error?: string;
}

/** mqtt-packet's parser on a byte string (all packets it yields, and its first error). */
export function mqttParse(bytes: Uint8Array, version: Version): Parsed {
  const parser = mqtt.parser({ protocolVersion: version });
  const out: Parsed = { packets: [] };
  parser.on("packet", (p: unknown) => out.packets.push(p as Packet));
  parser.on("error", (e: Error) => { out.error ??= e.message; });
  parser.parse(Buffer.from(bytes));
  return out;
}

/** mqtt-packet's generator ({$hex} values are accepted and turned into Buffers). */
export function mqttGenerate(p: Packet, version: Version): Buffer {
  return mqtt.generate(fromJson(p) as mqtt.Packet, { protocolVersion: version });
}
