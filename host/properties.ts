// MQTT 5 properties (spec 2.2.2) as objects, named as mqtt-packet and MQTT.js name them.
// The host serialises them into the firmware's PROPS region and reads them from events;
// the firmware validates every property it sends or receives (firmware/codec/properties.ts),
// so this file only maps between objects and bytes.
import { MoteError, usageError } from "./errors.ts";
import type { Firmware } from "./firmware.ts";
import { Prop } from "../firmware/prop.ts";
import type { Properties, UserProperties } from "./property-types.ts";

export type * from "./property-types.ts";
/** Any property's value. */
export type PropertyValue = NonNullable<Properties[keyof Properties]>;

type Kind = "byte" | "u16" | "u32" | "varint" | "string" | "binary" | "pair";
interface PropertyInfo { id: number; name: string; kind: Kind }

export const PROPERTY_TABLE: PropertyInfo[] = [
  { id: Prop.PayloadFormatIndicator, name: "payloadFormatIndicator", kind: "byte" },
  { id: Prop.MessageExpiryInterval, name: "messageExpiryInterval", kind: "u32" },
  { id: Prop.ContentType, name: "contentType", kind: "string" },
  { id: Prop.ResponseTopic, name: "responseTopic", kind: "string" },
  { id: Prop.CorrelationData, name: "correlationData", kind: "binary" },
  { id: Prop.SubscriptionIdentifier, name: "subscriptionIdentifier", kind: "varint" },
  { id: Prop.SessionExpiryInterval, name: "sessionExpiryInterval", kind: "u32" },
  { id: Prop.AssignedClientIdentifier, name: "assignedClientIdentifier", kind: "string" },
  { id: Prop.ServerKeepAlive, name: "serverKeepAlive", kind: "u16" },
  { id: Prop.AuthenticationMethod, name: "authenticationMethod", kind: "string" },
  { id: Prop.AuthenticationData, name: "authenticationData", kind: "binary" },
  { id: Prop.RequestProblemInformation, name: "requestProblemInformation", kind: "byte" },
  { id: Prop.WillDelayInterval, name: "willDelayInterval", kind: "u32" },
  { id: Prop.RequestResponseInformation, name: "requestResponseInformation", kind: "byte" },
  { id: Prop.ResponseInformation, name: "responseInformation", kind: "string" },
  { id: Prop.ServerReference, name: "serverReference", kind: "string" },
  { id: Prop.ReasonString, name: "reasonString", kind: "string" },
  { id: Prop.ReceiveMaximum, name: "receiveMaximum", kind: "u16" },
  { id: Prop.TopicAliasMaximum, name: "topicAliasMaximum", kind: "u16" },
  { id: Prop.TopicAlias, name: "topicAlias", kind: "u16" },
  { id: Prop.MaximumQoS, name: "maximumQoS", kind: "byte" },
  { id: Prop.RetainAvailable, name: "retainAvailable", kind: "byte" },
  { id: Prop.UserProperty, name: "userProperties", kind: "pair" },
  { id: Prop.MaximumPacketSize, name: "maximumPacketSize", kind: "u32" },
  { id: Prop.WildcardSubscriptionAvailable, name: "wildcardSubscriptionAvailable", kind: "byte" },
  { id: Prop.SubscriptionIdentifierAvailable, name: "subscriptionIdentifiersAvailable", kind: "byte" },
  { id: Prop.SharedSubscriptionAvailable, name: "sharedSubscriptionAvailable", kind: "byte" },
];
const BY_ID = new Map(PROPERTY_TABLE.map((p) => [p.id, p]));
const BY_NAME = new Map(PROPERTY_TABLE.map((p) => [p.name, p]));
// mqtt-packet reports these 0/1 byte properties as booleans.
const BOOLEAN_NAMES = new Set(["payloadFormatIndicator", "requestProblemInformation", "requestResponseInformation", "retainAvailable",
  "wildcardSubscriptionAvailable", "subscriptionIdentifiersAvailable", "sharedSubscriptionAvailable"]);


function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function lengthPrefixed(b: Buffer): Buffer {
  if (b.length > 0xffff) throw usageError(`a property value of ${b.length} bytes exceeds 65,535`);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

function integer(info: PropertyInfo, v: number): Buffer {
  const max = { byte: 0xff, u16: 0xffff, u32: 0xffffffff, varint: 268435455 }[info.kind as "byte"];
  if (!Number.isInteger(v) || v < 0 || v > max) throw usageError(`property ${info.name}: ${v} is out of range`);
  if (info.kind === "byte") return Buffer.from([v]);
  if (info.kind === "u16") return Buffer.from([v >> 8, v & 0xff]);
  if (info.kind === "u32") { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; }
  return Buffer.from(varint(v));
}

/** Serialises properties (without the Property Length). Throws a usage MoteError on an unknown name or bad value. */
export function encodeProperties(props: Properties | undefined): Buffer {
  if (!props) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const info = BY_NAME.get(name);
    if (!info) throw usageError(`unknown MQTT 5 property '${name}'`);
    const id = Buffer.from([info.id]);
    if (info.kind === "pair") {
      for (const [k, v] of Object.entries(value as UserProperties)) {
        for (const item of Array.isArray(v) ? v : [v]) {
          parts.push(id, lengthPrefixed(Buffer.from(k, "utf8")), lengthPrefixed(Buffer.from(String(item), "utf8")));
        }
      }
    } else if (info.kind === "string" || info.kind === "binary") {
      parts.push(id, lengthPrefixed(Buffer.isBuffer(value) ? value : Buffer.from(String(value), "utf8")));
    } else {
      for (const v of Array.isArray(value) ? value : [value]) {
        parts.push(id, integer(info, typeof v === "boolean" ? (v ? 1 : 0) : Number(v)));
      }
    }
  }
  return Buffer.concat(parts);
}

/** Puts serialised properties into PROPS for the next command (the firmware validates them then). */
export function setProperties(fw: Firmware, bytes: Uint8Array): void {
  if (bytes.length === 0 && fw.propsSize === 0) return; // a 3.1.1-only profile has no properties to clear
  fw.memory.set(bytes, fw.props);
  const rc = fw.exports.propsSet(bytes.length);
  if (rc < 0) throw new MoteError(`${bytes.length} bytes of properties exceed PROPS_BYTES (${fw.propsSize})`, "budget");
}

/** Reads properties the firmware has validated, at [ptr, ptr+len) of its memory. */
export function readProperties(fw: Firmware, ptr: number, len: number): Properties | undefined {
  if (len === 0) return undefined;
  return decodeProperties(Buffer.from(fw.memory.subarray(ptr, ptr + len)));
}

/** Parses serialised properties (already validated, or trusted: no checks beyond bounds). */
function decodeProperties(b: Buffer): Properties {
  const out: Properties = {};
  // The table gives each name its kind, so the values written by name below have their types.
  const byName = out as Record<string, unknown>;
  let p = 0;
  const str = () => {
    const n = b.readUInt16BE(p);
    const s = b.subarray(p + 2, p + 2 + n);
    p += 2 + n;
    return s;
  };
  while (p < b.length) {
    let id = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = b[p++];
      id += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) break;
    }
    const info = BY_ID.get(id);
    if (!info) throw new MoteError(`unknown property identifier 0x${id.toString(16)}`, "protocol");
    if (info.kind === "pair") {
      const k = str().toString("utf8");
      const v = str().toString("utf8");
      // A prototype-free record: a property named "constructor" or "__proto__" is just a name.
      const up = (out.userProperties ??= Object.create(null) as UserProperties);
      const prev = Object.prototype.hasOwnProperty.call(up, k) ? up[k] : undefined;
      up[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    } else if (info.kind === "string") {
      byName[info.name] = str().toString("utf8");
    } else if (info.kind === "binary") {
      byName[info.name] = Buffer.from(str());
    } else {
      let v: number;
      if (info.kind === "byte") v = b[p++];
      else if (info.kind === "u16") { v = b.readUInt16BE(p); p += 2; }
      else if (info.kind === "u32") { v = b.readUInt32BE(p); p += 4; }
      else {
        v = 0;
        for (let shift = 0; ; shift += 7) {
          const byte = b[p++];
          v += (byte & 0x7f) * 2 ** shift;
          if (!(byte & 0x80)) break;
        }
      }
      if (info.id === Prop.SubscriptionIdentifier && out.subscriptionIdentifier !== undefined) {
        const prev = out.subscriptionIdentifier;
        out.subscriptionIdentifier = [...(Array.isArray(prev) ? prev : [prev as number]), v];
      } else {
        byName[info.name] = BOOLEAN_NAMES.has(info.name) ? v !== 0 : v;
      }
    }
  }
  return out;
}
