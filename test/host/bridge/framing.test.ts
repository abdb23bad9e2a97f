// Packet boundaries on the board -> broker direction. Unit checks of the fixed-header framer and
// the CONNECT signature, then a hand-driven "board" (a raw port writing bytes we chose) against
// mosquitto: garbage before the CONNECT is discarded and counted with a warning; after the broker
// closes, packets are dropped and counted by type, a packet cut short is never forwarded into the
// next connection, and the next CONNECT opens a new one; a CONNECT in mid-session starts over.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import mqttPacket from "mqtt-packet";
import type { SerialPort } from "serialport";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.ts";
import { Framer, connectSignature, type TranscriptEntry } from "../../../host/bridge/index.ts";
import { Rig, collect, uniqueId, uniqueTopic, waitFor, writeRaw } from "./helpers.ts";

const gen = (p: object): Buffer => mqttPacket.generate(p as mqttPacket.Packet);
const connectPacket = (clientId: string, protocolVersion: 3 | 4 | 5 = 4): Buffer =>
  gen({ cmd: "connect", protocolId: protocolVersion === 3 ? "MQIsdp" : "MQTT", protocolVersion, clean: true, keepalive: 60, clientId });
const pingreq = gen({ cmd: "pingreq" });

describe("framing (no I/O)", () => {
  it("recognises a CONNECT by its first bytes, for MQTT 3.1, 3.1.1 and 5.0", () => {
    for (const v of [3, 4, 5] as const) {
      const c = [...connectPacket("x", v)];
      const n = v === 3 ? 10 : 8; // 0x10, remaining length, name length, name ("MQIsdp" or "MQTT")
      expect(connectSignature(c.slice(0, n - 1))).toBe("partial");
      expect(connectSignature(c.slice(0, n))).toBe("match");
    }
    const long = [...connectPacket("y".repeat(200))]; // a two-byte remaining length
    expect(long[1] & 0x80).toBe(0x80);
    expect(connectSignature(long.slice(0, 10))).toBe("match");
    expect(connectSignature([...Buffer.from("AT\r\n")])).toBe("no");
    expect(connectSignature([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x00])).toBe("no");
    expect(connectSignature([0x10, 0x02, 0x00, 0x04])).toBe("no"); // too short to be a CONNECT
    expect(connectSignature([0x10, 0x80, 0x80, 0x80, 0x80])).toBe("no"); // five length bytes
    expect(connectSignature([0x30, 0x0c])).toBe("no");
  });

  it("splits a stream into packets by fixed header, fed whole or one byte at a time", () => {
    const packets = [
      connectPacket("board"),
      gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "a/b", qos: 1 }] }),
      gen({ cmd: "publish", topic: "t", payload: Buffer.alloc(300, 0x10), qos: 1, messageId: 2 }),
      pingreq,
      gen({ cmd: "disconnect" }),
    ];
    const stream = Buffer.concat(packets);
    const expected = packets.map((p) => [p[0] >> 4, p.length]);
    for (const step of [stream.length, 1, 7]) {
      const f = new Framer(true);
      const got: [number, number][] = [];
      for (let off = 0; off < stream.length; off += step) {
        f.split(stream.subarray(off, off + step), 0, (s, e, type, first, last) => {
          if (first) got.push([type, 0]);
          got[got.length - 1][1] += e - s;
          expect(last).toBe(f.atBoundary);
        });
      }
      expect(got).toEqual(expected);
    }
  });

  it("loses the framing on a fifth remaining-length byte and reports the rest as unframed", () => {
    const f = new Framer(true);
    const types: number[] = [];
    f.split(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]), 0, (s, e, type) => { for (let i = s; i < e; i++) types.push(type); });
    expect(types).toEqual([3, 3, 3, 3, 3, -1, -1]);
    expect(f.synced).toBe(false);
  });
});

describe("a hand-driven board against mosquitto", () => {
  let broker: Mosquitto;
  const rig = new Rig();
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterEach(() => rig.closeAll());
  afterAll(() => broker?.stop());

  /** Bytes the raw board received. */
  function inbox(p: SerialPort): { bytes: () => Buffer; connacks: () => number } {
    const chunks: Buffer[] = [];
    p.on("data", (d: Buffer) => chunks.push(d));
    const bytes = () => Buffer.concat(chunks);
    // CONNACK (3.1.1, accepted): 20 02 00 00.
    const connacks = () => bytes().toString("hex").split("20020000").length - 1;
    return { bytes, connacks };
  }

  it("discards and counts garbage before the board's CONNECT, with a warning; the session then works", async () => {
    const pty = await rig.ptys();
    const entries: TranscriptEntry[] = [];
    const { bridge, log } = await rig.bridge({ port: pty.b, baudRate: 115200, url: broker.url(), transcript: (e) => entries.push(e) });
    // A boot banner, AT commands for a modem that is not there, a CONNECT that breaks off, noise
    // with every byte value but no CONNECT in it, and a last 0x10 right before the real CONNECT.
    const noise = Buffer.from([...Array(256).keys()].filter((b) => b !== 0x10));
    const garbage = Buffer.concat([
      Buffer.from("\r\nboot v1.2\r\nAT\r\nAT+CIPSTART=\"TCP\",\"x\",1883\r\n"),
      Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x00]),
      noise,
      Buffer.from([0x10]),
    ]);
    const raw = await rig.raw(pty.a);
    await writeRaw(raw, garbage);
    await waitFor(() => bridge.stats().serial.fromBoard === garbage.length, 3000, "the garbage at the bridge");
    await new Promise((r) => raw.close(r));
    expect(bridge.stats().dropped).toEqual({ bytes: garbage.length - 1, garbage: garbage.length - 1 }); // the last 0x10 may start a CONNECT
    expect(bridge.stats().broker.connections).toBe(0);

    const topic = uniqueTopic("garbage");
    const board = await rig.board(pty.a);
    const got = collect(board);
    await board.subscribe(topic, { qos: 1 });
    await board.publish(topic, "after the noise", { qos: 1 });
    await waitFor(() => got.length === 1, 3000, "the message back");
    const s = bridge.stats();
    expect(s.dropped).toEqual({ bytes: garbage.length, garbage: garbage.length });
    expect(s.packets.dropped).toEqual({});
    expect(s.broker.connections).toBe(1);
    expect(s.serial.fromBoard).toBe(garbage.length + board.wireBytes()!.sent);
    expect(s.forwarded.toBroker).toBe(board.wireBytes()!.sent);
    expect(log).toContain("bridge: warning: no broker connection: discarding bytes from the board until its CONNECT");
    expect(log).toContain(`bridge: warning: discarded ${garbage.length} bytes from the board before its CONNECT`);
    expect(entries.filter((e) => e.dir === "board>dropped").reduce((n, e) => n + (e.length ?? 0), 0)).toBe(garbage.length);
    expect(entries.find((e) => e.dir === "board>broker")?.type).toBe("CONNECT");
  });

  it("after the broker closes: drops and counts packets by type, never forwards a cut packet's tail, reconnects at the next CONNECT", async () => {
    const pty = await rig.ptys();
    const { bridge, log } = await rig.bridge({ port: pty.b, baudRate: 115200, url: broker.url() });
    const raw = await rig.raw(pty.a);
    const box = inbox(raw);
    const id = uniqueId("raw");
    await writeRaw(raw, connectPacket(id));
    await waitFor(() => box.connacks() === 1, 3000, "the first CONNACK");

    // Another client takes the id over: mosquitto closes the board's connection.
    await rig.mqttjs(broker.url(), { clientId: id });
    await waitFor(() => bridge.stats().broker.closedByBroker === 1, 3000, "the broker's close at the bridge");

    // The board has not noticed: a PINGREQ, and a PUBLISH that breaks off after 20 of its 105
    // bytes (the board reset), then the board's new CONNECT. The payload is 0x10 bytes, the
    // first byte of a CONNECT, to tempt the bridge.
    const publish = gen({ cmd: "publish", topic: "cut/short", payload: Buffer.alloc(90, 0x10), qos: 0 });
    expect(publish.length).toBe(2 + 2 + 9 + 90);
    await writeRaw(raw, Buffer.concat([pingreq, publish.subarray(0, 20)]));
    await waitFor(() => bridge.stats().serial.fromBoard === connectPacket(id).length + 22, 3000, "the bytes at the bridge");
    expect(bridge.stats().broker.connections).toBe(1);
    const id2 = uniqueId("raw2");
    await writeRaw(raw, connectPacket(id2));
    await waitFor(() => box.connacks() === 2, 3000, "the second CONNACK");

    const s = bridge.stats();
    expect(s.broker).toMatchObject({ connections: 2, failures: 0, closedByBroker: 1, connected: true });
    expect(s.packets.dropped).toEqual({
      PINGREQ: { packets: 1, bytes: 2, bytesPerPacket: 2 },
      PUBLISH: { packets: 1, bytes: 20, bytesPerPacket: 20 },
    });
    expect(s.dropped).toEqual({ bytes: 22, garbage: 0 });
    expect(s.packets.toBroker.CONNECT.packets).toBe(2);
    expect(s.forwarded.toBroker).toBe(connectPacket(id).length + connectPacket(id2).length);
    expect(log.some((l) => /warning: the broker closed the connection; dropping the board's bytes until its next CONNECT/.test(l))).toBe(true);
    expect(log).toContain("bridge: warning: dropped 22 bytes the board sent without a broker connection");
    // mosquitto saw two clean CONNECTs and nothing malformed.
    expect(broker.logs()).toMatch(new RegExp(`New client connected .* as ${id2}`));
    expect(broker.logs()).not.toMatch(/protocol error|malformed/i);
  });

  it("a CONNECT in mid-session is a new session: the old connection is closed, a new one opened", async () => {
    const pty = await rig.ptys();
    const { bridge, log } = await rig.bridge({ port: pty.b, baudRate: 115200, url: broker.url() });
    const raw = await rig.raw(pty.a);
    const box = inbox(raw);
    const id = uniqueId("restart");
    await writeRaw(raw, connectPacket(id));
    await waitFor(() => box.connacks() === 1, 3000, "the first CONNACK");
    await writeRaw(raw, Buffer.concat([pingreq, connectPacket(id)]));
    await waitFor(() => box.connacks() === 2, 3000, "the second CONNACK");
    const s = bridge.stats();
    expect(s.broker).toMatchObject({ connections: 2, connected: true });
    expect(s.packets.toBroker).toMatchObject({ CONNECT: { packets: 2 }, PINGREQ: { packets: 1 } });
    expect(s.dropped.bytes).toBe(0);
    expect(log).toContain("bridge: the board sent a new CONNECT: closing the broker connection, opening a new one");
    expect(broker.logs()).not.toMatch(/protocol error|malformed/i);
  });
});
