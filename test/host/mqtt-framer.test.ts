// The one framer (host/mqtt-framer.ts) and the two meters on it: packet lengths at the start of a
// buffer, the same packets whole or a byte at a time, and what bytes outside MQTT framing do to
// the bridge (framing lost until reset) and to the meters (resynchronised on the next byte).
import { describe, expect, it } from "vitest";
import mqttPacket from "mqtt-packet";
import { Framer, packetLength } from "../../host/mqtt-framer.ts";
import { PacketMeter } from "../../host/packet-meter.ts";
import { WireTable, wireFraming } from "../../sim/wire-meter.ts";
import { PacketType } from "../../host/abi.ts";

const gen = (p: object): Buffer => mqttPacket.generate(p as mqttPacket.Packet);
const publish = gen({ cmd: "publish", topic: "t", payload: Buffer.alloc(300, 7), qos: 1, messageId: 9 });
const puback = gen({ cmd: "puback", messageId: 0x1234 });
const pingreq = gen({ cmd: "pingreq" });
const stream = Buffer.concat([publish, puback, pingreq]);

describe("packetLength", () => {
  it("is the whole length once all of it is there, 0 before, -1 for a fifth length byte", () => {
    expect(packetLength(publish)).toBe(publish.length);
    expect(packetLength(stream)).toBe(publish.length);
    expect(packetLength(stream, publish.length)).toBe(puback.length);
    for (let n = 0; n < publish.length; n++) expect(packetLength(publish.subarray(0, n))).toBe(0);
    expect(packetLength(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(-1);
  });
});

describe("Framer", () => {
  it("reports each fixed header once, whole or a byte at a time", () => {
    for (const step of [stream.length, 1, 5]) {
      const f = new Framer(true);
      const headers: [number, number][] = [];
      for (let at = 0; at < stream.length; at += step) {
        f.split(stream.subarray(at, at + step), 0, () => {}, (type, header, remaining) => headers.push([type, header + remaining]));
      }
      expect(headers).toEqual([[3, publish.length], [4, puback.length], [12, pingreq.length]]);
      expect(f.atBoundary).toBe(true);
    }
  });

  it("with resync, starts over on the byte after a fifth length byte", () => {
    const f = new Framer(true, true);
    const types: number[] = [];
    const bad = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]);
    f.split(Buffer.concat([bad, pingreq]), 0, (s, e, type) => { for (let i = s; i < e; i++) types.push(type); });
    expect(types).toEqual([3, 3, 3, 3, -1, 12, 12]);
    expect(f.synced && f.atBoundary).toBe(true);
  });
});

describe("meters on the framer", () => {
  it("PacketMeter counts packets and reads acknowledgement ids split across chunks", () => {
    const m = new PacketMeter();
    const acks: [number, number][] = [];
    m.watch((type, id) => acks.push([type, id]));
    for (let at = 0; at < stream.length; at++) m.add(stream.subarray(at, at + 1));
    expect(acks).toEqual([[PacketType.PUBACK, 0x1234]]);
    expect(m.table()).toEqual({
      PINGREQ: { packets: 1, bytes: 2, bytesPerPacket: 2 },
      PUBACK: { packets: 1, bytes: 4, bytesPerPacket: 4 },
      PUBLISH: { packets: 1, bytes: publish.length, bytesPerPacket: publish.length },
    });
  });

  it("WireTable counts the same packets per stream", () => {
    const t = new WireTable();
    const f = wireFraming();
    for (let at = 0; at < stream.length; at += 3) t.add(f, stream.subarray(at, at + 3));
    expect(t.total()).toEqual({ bytes: stream.length, packets: 3 });
  });
});
