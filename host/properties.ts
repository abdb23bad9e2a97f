// MQTT 5 properties as objects, named as mqtt-packet and MQTT.js name them, converted to and
// from the firmware's property writer and cursor. The firmware validates; this file only maps.
import type { Firmware } from "./firmware.ts";
import { PROP } from "./abi.ts";

export type PropertyValue = number | boolean | string | Buffer | number[] | Record<string, string | string[]>;
export type Properties = Record<string, PropertyValue | undefined>;

type Kind = "byte" | "u16" | "u32" | "varint" | "string" | "binary" | "pair";
interface PropertyInfo { id: number; name: string; kind: Kind }

export const PROPERTY_TABLE: PropertyInfo[] = [
  { id: 0x01, name: "payloadFormatIndicator", kind: "byte" },
  { id: 0x02, name: "messageExpiryInterval", kind: "u32" },
  { id: 0x03, name: "contentType", kind: "string" },
  { id: 0x08, name: "responseTopic", kind: "string" },
  { id: 0x09, name: "correlationData", kind: "binary" },
  { id: 0x0b, name: "subscriptionIdentifier", kind: "varint" },
  { id: 0x11, name: "sessionExpiryInterval", kind: "u32" },
  { id: 0x12, name: "assignedClientIdentifier", kind: "string" },
  { id: 0x13, name: "serverKeepAlive", kind: "u16" },
  { id: 0x15, name: "authenticationMethod", kind: "string" },
  { id: 0x16, name: "authenticationData", kind: "binary" },
  { id: 0x17, name: "requestProblemInformation", kind: "byte" },
  { id: 0x18, name: "willDelayInterval", kind: "u32" },
  { id: 0x19, name: "requestResponseInformation", kind: "byte" },
  { id: 0x1a, name: "responseInformation", kind: "string" },
  { id: 0x1c, name: "serverReference", kind: "string" },
  { id: 0x1f, name: "reasonString", kind: "string" },
  { id: 0x21, name: "receiveMaximum", kind: "u16" },
  { id: 0x22, name: "topicAliasMaximum", kind: "u16" },
  { id: 0x23, name: "topicAlias", kind: "u16" },
  { id: 0x24, name: "maximumQoS", kind: "byte" },
  { id: 0x25, name: "retainAvailable", kind: "byte" },
  { id: 0x26, name: "userProperties", kind: "pair" },
  { id: 0x27, name: "maximumPacketSize", kind: "u32" },
  { id: 0x28, name: "wildcardSubscriptionAvailable", kind: "byte" },
  { id: 0x29, name: "subscriptionIdentifiersAvailable", kind: "byte" },
  { id: 0x2a, name: "sharedSubscriptionAvailable", kind: "byte" },
];
const BY_ID = new Map(PROPERTY_TABLE.map((p) => [p.id, p]));
const BY_NAME = new Map(PROPERTY_TABLE.map((p) => [p.name, p]));
// mqtt-packet reports these 0/1 byte properties as booleans.
const BOOLEAN_NAMES = new Set(["requestProblemInformation", "requestResponseInformation", "retainAvailable",
  "wildcardSubscriptionAvailable", "subscriptionIdentifiersAvailable", "sharedSubscriptionAvailable"]);

export class PropertyError extends Error {}

/** Adds properties to the firmware's PROPS area for the next command. Throws PropertyError on a bad name or value. */
export function writeProperties(fw: Firmware, props: Properties | undefined): void {
  if (!props) return;
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const info = BY_NAME.get(name);
    if (!info) throw new PropertyError(`unknown MQTT 5 property '${name}'`);
    const check = (rc: number) => {
      if (rc < 0) throw new PropertyError(`property ${name} rejected (status ${-rc})`);
    };
    if (info.kind === "pair") {
      for (const [k, v] of Object.entries(value as Record<string, string | string[]>)) {
        for (const item of Array.isArray(v) ? v : [v]) {
          const a = fw.scratchWrite(0, Buffer.from(k, "utf8"));
          const b = fw.scratchWrite(a, Buffer.from(String(item), "utf8"));
          check(fw.exports.propAddBytes(info.id, 0, a, a, b - a));
        }
      }
    } else if (info.kind === "string" || info.kind === "binary") {
      const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), "utf8");
      const end = fw.scratchWrite(0, bytes);
      check(fw.exports.propAddBytes(info.id, 0, end, 0, 0));
    } else {
      for (const v of Array.isArray(value) ? value : [value]) {
        check(fw.exports.propAddInt(info.id, typeof v === "boolean" ? (v ? 1 : 0) : Number(v)));
      }
    }
  }
}

/** Reads validated properties at [ptr, ptr+len) into an object. */
export function readProperties(fw: Firmware, ptr: number, len: number): Properties | undefined {
  if (len === 0) return undefined;
  const out: Properties = {};
  const end = ptr + len;
  const rec = fw.propRecord();
  for (let p = ptr; p !== 0 && p < end; ) {
    p = fw.exports.propRead(p, end);
    if (p === 0) break;
    const id = rec[PROP.ID];
    const info = BY_ID.get(id);
    if (!info) continue;
    if (info.kind === "pair") {
      const k = fw.string(rec[PROP.PTR], rec[PROP.LEN]);
      const v = fw.string(rec[PROP.PTR2], rec[PROP.LEN2]);
      const up = (out.userProperties ??= {}) as Record<string, string | string[]>;
      const prev = up[k];
      up[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    } else if (info.kind === "string") {
      out[info.name] = fw.string(rec[PROP.PTR], rec[PROP.LEN]);
    } else if (info.kind === "binary") {
      out[info.name] = fw.bytes(rec[PROP.PTR], rec[PROP.LEN]);
    } else if (info.id === 0x0b) {
      const prev = out.subscriptionIdentifier;
      out.subscriptionIdentifier = prev === undefined ? rec[PROP.VALUE] : [...(Array.isArray(prev) ? prev : [prev as number]), rec[PROP.VALUE]];
    } else {
      out[info.name] = BOOLEAN_NAMES.has(info.name) ? rec[PROP.VALUE] !== 0 : rec[PROP.VALUE];
    }
  }
  return out;
}
