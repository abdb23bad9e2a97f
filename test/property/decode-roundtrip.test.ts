// Every valid packet a server may send, encoded by mqtt-packet (an independent implementation),
// decodes with the firmware's decodeRx to the same fields mqtt-packet's parser reads back.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EV, Region } from "../../host/abi.ts";
import { Firmware } from "../../host/firmware.ts";
import { readProperties } from "../../host/properties.ts";
import { gen, parse, type Packet, type Version } from "../support/session-tools.ts";
import { runs } from "./fc-settings.ts";
import { serverPacket } from "./packet-arbitraries.ts";

const TYPES: Record<string, number> = {
  connack: 2, publish: 3, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7, suback: 9, unsuback: 11, pingresp: 13, disconnect: 14, auth: 15,
};

/** Property objects compared by value: booleans as 0/1 (mqtt-packet and the host differ), Buffers as hex. */
function normal(props: unknown): unknown {
  if (props === undefined) return undefined;
  return JSON.parse(JSON.stringify(props, (_k, v) => {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (v && v.type === "Buffer" && Array.isArray(v.data)) return Buffer.from(v.data).toString("hex");
    return v;
  }));
}

/** The fields of a parsed mqtt-packet object that the firmware's event record carries. */
function expected(p: Packet, version: Version) {
  const out: Record<string, unknown> = { packetType: TYPES[p.cmd], packetId: p.messageId ?? 0, properties: normal(p.properties) };
  if (p.cmd === "publish") {
    Object.assign(out, { qos: p.qos, retain: p.retain, dup: p.dup, topic: p.topic, payload: Buffer.from(p.payload).toString("hex"),
      alias: p.properties?.topicAlias ?? 0, reason: 0 });
  } else if (p.cmd === "connack") {
    Object.assign(out, { sessionPresent: p.sessionPresent, reason: version === 5 ? p.reasonCode : p.returnCode });
  } else if (p.cmd === "suback" || p.cmd === "unsuback") {
    Object.assign(out, { codes: p.granted ?? [], reason: 0 });
  } else {
    out.reason = p.reasonCode ?? 0;
  }
  return out;
}

/** The same fields read from the firmware's event record after decodeRx. */
function decoded(fw: Firmware, p: Packet) {
  const flags = fw.ev(EV.FLAGS);
  const out: Record<string, unknown> = {
    packetType: fw.ev(EV.PACKET_TYPE), packetId: fw.ev(EV.PACKET_ID),
    properties: normal(readProperties(fw, fw.ev(EV.PROPS_PTR), fw.ev(EV.PROPS_LEN))),
  };
  if (p.cmd === "publish") {
    Object.assign(out, { qos: (flags >> 1) & 3, retain: (flags & 1) !== 0, dup: (flags & 8) !== 0,
      topic: fw.string(fw.ev(EV.TOPIC_PTR), fw.ev(EV.TOPIC_LEN)), payload: fw.eventPayload().toString("hex"),
      alias: fw.ev(EV.ALIAS), reason: fw.ev(EV.REASON) });
    expect(fw.ev(EV.TOTAL)).toBe(fw.ev(EV.PAYLOAD_LEN));
  } else if (p.cmd === "connack") {
    Object.assign(out, { sessionPresent: (flags & 1) !== 0, reason: fw.ev(EV.REASON) });
  } else if (p.cmd === "suback" || p.cmd === "unsuback") {
    Object.assign(out, { codes: [...fw.eventPayload()], reason: fw.ev(EV.REASON) });
  } else {
    out.reason = fw.ev(EV.REASON);
  }
  return out;
}

describe.each([[4, "default"], [5, "default"], [4, "tiny"], [5, "large"]] as [Version, string][])(
  "decodeRx agrees with mqtt-packet, MQTT version %i, profile %s", (version, profile) => {
    it("decodes every valid server packet to the fields mqtt-packet parses", () => {
      const fw = new Firmware(profile);
      const rx = fw.exports.regionOffset(Region.Rx);
      const rxSize = fw.exports.regionSize(Region.Rx);
      fc.assert(fc.property(serverPacket(version), (packet) => {
        const bytes = gen(packet, version);
        fc.pre(bytes.length <= rxSize);
        const [parsed] = parse(bytes, version);
        fw.memory.set(bytes, rx);
        expect(fw.exports.decodeRx(bytes.length, version === 5 ? 1 : 0)).toBe(0);
        expect(decoded(fw, parsed)).toEqual(expected(parsed, version));
      }), runs(600));
    });

    it("answers -1 when the length given stops short of the packet (bytes beyond it are not read)", () => {
      const fw = new Firmware(profile);
      const rx = fw.exports.regionOffset(Region.Rx);
      fc.assert(fc.property(serverPacket(version), fc.nat(), (packet, at) => {
        const bytes = gen(packet, version);
        fc.pre(bytes.length <= fw.exports.regionSize(Region.Rx) && bytes.length > 2);
        fw.memory.set(bytes, rx);
        const len = 2 + (at % (bytes.length - 2));
        expect(fw.exports.decodeRx(len, version === 5 ? 1 : 0)).toBe(-1);
      }), runs(300));
    });

    it("answers -1 when bytes follow the packet", () => {
      const fw = new Firmware(profile);
      const rx = fw.exports.regionOffset(Region.Rx);
      fc.assert(fc.property(serverPacket(version), (packet) => {
        const bytes = Buffer.concat([gen(packet, version), Buffer.from([0xd0, 0x00])]);
        fc.pre(bytes.length <= fw.exports.regionSize(Region.Rx));
        fw.memory.set(bytes, rx);
        expect(fw.exports.decodeRx(bytes.length, version === 5 ? 1 : 0)).toBe(-1);
      }), runs(300));
  });
  });
