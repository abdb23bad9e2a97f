// Reads the firmware's event record into a plain object (copies everything it returns).
import { EV, EventType, FLAG_FIRST_CHUNK, FLAG_LAST_CHUNK } from "./abi.ts";
import type { Firmware } from "./firmware.ts";
import { readProperties, type Properties } from "./properties.ts";

export interface FirmwareEvent {
  type: EventType;
  name: string;
  reason: number;
  packetId: number;
  packetType: number;
  /** Message: QoS, retain, dup; Connected: sessionPresent. */
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  sessionPresent?: boolean;
  topic?: string;
  payload?: Buffer;
  /** Message chunks: offset of this chunk and total payload length. */
  offset?: number;
  total?: number;
  first?: boolean;
  last?: boolean;
  alias?: number;
  /** ProtocolViolation over a topic alias: the length of the topic the server mapped. */
  topicLength?: number;
  /** SubscribeDone / UnsubscribeDone: one reason code per filter. */
  codes?: number[];
  properties?: Properties;
  value?: number;
}

export function readEvent(fw: Firmware, type: EventType): FirmwareEvent {
  const flags = fw.ev(EV.FLAGS);
  const ev: FirmwareEvent = {
    type,
    name: EventType[type],
    reason: fw.ev(EV.REASON),
    packetId: fw.ev(EV.PACKET_ID),
    packetType: fw.ev(EV.PACKET_TYPE),
  };
  const propsLen = fw.ev(EV.PROPS_LEN);
  if (propsLen > 0) ev.properties = readProperties(fw, fw.ev(EV.PROPS_PTR), propsLen);
  if (type === EventType.Message) {
    ev.qos = (flags >> 1) & 3;
    ev.retain = (flags & 1) !== 0;
    ev.dup = (flags & 8) !== 0;
    ev.first = (flags & FLAG_FIRST_CHUNK) !== 0;
    ev.last = (flags & FLAG_LAST_CHUNK) !== 0;
    if (ev.first) ev.topic = fw.eventTopic();
    ev.payload = fw.eventPayload();
    ev.offset = fw.ev(EV.OFFSET);
    ev.total = fw.ev(EV.TOTAL);
    ev.alias = fw.ev(EV.ALIAS);
  } else if (type === EventType.ProtocolViolation && fw.ev(EV.ALIAS) !== 0) {
    ev.alias = fw.ev(EV.ALIAS);
    ev.topicLength = fw.ev(EV.TOPIC_LEN);
  } else if (type === EventType.Connected) {
    ev.sessionPresent = (flags & 1) !== 0;
  } else if (type === EventType.SubscribeDone || type === EventType.UnsubscribeDone) {
    ev.codes = [...fw.eventPayload()];
  } else if (type === EventType.ReconnectDue || type === EventType.MessageDropped) {
    ev.value = fw.ev(EV.VALUE);
  }
  return ev;
}

/** Polls every pending event (bounded, so a firmware bug cannot hang the host). */
export function drainEvents(fw: Firmware, now: number, limit = 100000): FirmwareEvent[] {
  const out: FirmwareEvent[] = [];
  for (let i = 0; i < limit; i++) {
    const t = fw.exports.pollEvent(now >>> 0) as EventType;
    if (t === EventType.None) break;
    out.push(readEvent(fw, t));
  }
  return out;
}
