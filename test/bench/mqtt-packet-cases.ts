// mqtt-packet, the baseline: generate() builds a Buffer; parser.parse() emits a packet object
// with a topic string and a payload Buffer.
import mqttPacket from "mqtt-packet";
import { PAYLOAD, PROTOCOL_VERSION, TOPIC, sink } from "./message.ts";
import type { Case } from "./measure.ts";

const opts = { protocolVersion: PROTOCOL_VERSION };
const packet = { cmd: "publish", topic: TOPIC, payload: PAYLOAD, qos: 0, retain: false, dup: false } as const;

export function mqttPacketWire(): Buffer {
  return mqttPacket.generate(packet, opts);
}

export const encode: Case = (n) => {
  for (let i = 0; i < n; i++) sink.value += mqttPacket.generate(packet, opts).length;
};

export function decoder(): { decode: Case; last: () => mqttPacket.IPublishPacket | undefined } {
  const wire = mqttPacketWire();
  const parser = mqttPacket.parser(opts);
  let last: mqttPacket.IPublishPacket | undefined;
  parser.on("packet", (p) => {
    last = p as mqttPacket.IPublishPacket;
    sink.value += last.topic.length + (last.payload as Buffer).length;
  });
  const decode: Case = (n) => {
    for (let i = 0; i < n; i++) parser.parse(wire);
  };
  return { decode, last: () => last };
}

/** mqtt-packet fed the same batched reads as our batched decoder. */
export function batchedDecoder(batch: number): Case {
  const wire = mqttPacketWire();
  const chunk = Buffer.concat(Array.from({ length: batch }, () => wire));
  const parser = mqttPacket.parser(opts);
  parser.on("packet", (p) => {
    const m = p as mqttPacket.IPublishPacket;
    sink.value += m.topic.length + (m.payload as Buffer).length;
  });
  return (n) => {
    for (let i = 0; i < n; i += batch) parser.parse(chunk);
  };
}
