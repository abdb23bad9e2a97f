// Our side: the default firmware profile, connected (3.1.1, no keepalive), driven through the
// ABI exactly as a host drives it. Every case copies bytes in and out of linear memory.
import { EV, EventType, Region } from "../../host/abi.ts";
import { configure } from "../../host/commands.ts";
import { Firmware } from "../../host/firmware.ts";
import { PAYLOAD, PROTOCOL_VERSION, TOPIC, sink } from "./message.ts";
import type { Case } from "./measure.ts";

const NOW = 1000;

export function connectedFirmware(): Firmware {
  const fw = new Firmware("default");
  if (configure(fw, { version: PROTOCOL_VERSION, clientId: "bench", keepalive: 0 }) !== 0) throw new Error("configure failed");
  if (fw.exports.transportOpened(NOW) !== 0) throw new Error("transportOpened failed");
  fw.transmit(NOW); // CONNECT
  fw.feed(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNACK, accepted
  const ev = fw.exports.pollEvent(NOW);
  if (ev !== EventType.Connected) throw new Error(`expected Connected, got event ${ev}`);
  while (fw.exports.pollEvent(NOW) !== EventType.None);
  return fw;
}

/** Encode: copy topic and payload into SCRATCH, publish, drain TX, copy the packet out into a new Buffer. */
export function encoder(): { encode: Case; once: () => Buffer } {
  const fw = connectedFirmware();
  const ex = fw.exports;
  const mem = fw.memory;
  const topic = Buffer.from(TOPIC, "utf8");
  const tLen = topic.length;
  const pLen = PAYLOAD.length;
  const once = (): Buffer => {
    mem.set(topic, fw.scratch);
    mem.set(PAYLOAD, fw.scratch + tLen);
    const rc = ex.publishBegin(0, tLen, pLen, 0, 0);
    if (rc < 0) throw new Error(`publish failed: status ${-rc}`);
    ex.publishWrite(tLen, pLen);
    const n = ex.pollTransmit(NOW);
    return Buffer.from(mem.subarray(fw.tx, fw.tx + n));
  };
  const encode: Case = (count) => {
    for (let i = 0; i < count; i++) {
      mem.set(topic, fw.scratch);
      mem.set(PAYLOAD, fw.scratch + tLen);
      ex.publishBegin(0, tLen, pLen, 0, 0);
      ex.publishWrite(tLen, pLen);
      const n = ex.pollTransmit(NOW);
      sink.value += Buffer.from(mem.subarray(fw.tx, fw.tx + n)).length;
    }
  };
  return { encode, once };
}

export type DecodeOutput = "offsets" | "payload-buffer" | "payload-buffer+topic-string";

/**
 * Decode: copy the PUBLISH into RX, receive, pollEvent until None (the host loop), then read
 * the message as offsets, or also copy the payload into a Buffer, or also make the topic string.
 */
export function decoder(wire: Uint8Array, output: DecodeOutput): { decode: Case; once: () => { topic: string; payload: Buffer } } {
  const fw = connectedFirmware();
  const ex = fw.exports;
  const mem = fw.memory;
  const words = new Uint32Array(mem.buffer);
  const ev = ex.regionOffset(Region.Event) >>> 2;
  const len = wire.length;
  const feed = (): number => {
    if (ex.rxReserve() < len) throw new Error("RX full");
    mem.set(wire, ex.rxWritePtr());
    ex.receive(len);
    return ex.pollEvent(NOW);
  };
  const once = () => {
    if (feed() !== EventType.Message) throw new Error("expected a Message event");
    const topic = fw.string(words[ev + EV.TOPIC_PTR], words[ev + EV.TOPIC_LEN]);
    const payload = fw.bytes(words[ev + EV.PAYLOAD_PTR], words[ev + EV.PAYLOAD_LEN]);
    while (ex.pollEvent(NOW) !== EventType.None);
    return { topic, payload };
  };
  const withPayload = output !== "offsets";
  const withTopic = output === "payload-buffer+topic-string";
  const decode: Case = (count) => {
    for (let i = 0; i < count; i++) {
      feed();
      const tPtr = words[ev + EV.TOPIC_PTR], tLen = words[ev + EV.TOPIC_LEN];
      const pPtr = words[ev + EV.PAYLOAD_PTR], pLen = words[ev + EV.PAYLOAD_LEN];
      sink.value += tPtr + tLen + pPtr + pLen;
      if (withPayload) sink.value += Buffer.from(mem.subarray(pPtr, pPtr + pLen)).length;
      if (withTopic) sink.value += fw.string(tPtr, tLen).length;
      ex.pollEvent(NOW); // None: the host loop polls until there is nothing left
    }
  };
  return { decode, once };
}

/** Messages per host-loop pass in the batched cases: one read or one drain carries this many packets. */
export const BATCH = 10;

/**
 * Encode as the host loop does it: copy topic and payload in and publish each message, then
 * drain TX once and copy the packets out into one Buffer (as a socket write would).
 */
export function batchedEncoder(): Case {
  const fw = connectedFirmware();
  const ex = fw.exports;
  const mem = fw.memory;
  const topic = Buffer.from(TOPIC, "utf8");
  const tLen = topic.length;
  const pLen = PAYLOAD.length;
  return (count) => {
    for (let i = 0; i < count; i += BATCH) {
      for (let k = 0; k < BATCH; k++) {
        mem.set(topic, fw.scratch);
        mem.set(PAYLOAD, fw.scratch + tLen);
        ex.publishBegin(0, tLen, pLen, 0, 0);
        ex.publishWrite(tLen, pLen);
      }
      const n = ex.pollTransmit(NOW);
      sink.value += Buffer.from(mem.subarray(fw.tx, fw.tx + n)).length;
    }
  };
}

/**
 * Decode as the host loop does it: one read of BATCH packets copied into RX, then pollEvent
 * until None; each message read as offsets, or with its payload copied into a Buffer.
 */
export function batchedDecoder(wire: Uint8Array, withPayload: boolean): Case {
  const fw = connectedFirmware();
  const ex = fw.exports;
  const mem = fw.memory;
  const words = new Uint32Array(mem.buffer);
  const ev = ex.regionOffset(Region.Event) >>> 2;
  const chunk = Buffer.concat(Array.from({ length: BATCH }, () => wire));
  return (count) => {
    for (let i = 0; i < count; i += BATCH) {
      if (ex.rxReserve() < chunk.length) throw new Error("RX full");
      mem.set(chunk, ex.rxWritePtr());
      ex.receive(chunk.length);
      while (ex.pollEvent(NOW) === EventType.Message) {
        const pPtr = words[ev + EV.PAYLOAD_PTR], pLen = words[ev + EV.PAYLOAD_LEN];
        sink.value += words[ev + EV.TOPIC_LEN] + pLen;
        if (withPayload) sink.value += Buffer.from(mem.subarray(pPtr, pPtr + pLen)).length;
      }
    }
  };
}
