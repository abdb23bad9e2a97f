// The event record: one fixed slot the host reads after pollEvent(). Pointers in it point
// into RX (or the alias table) and stay valid until the next call into the firmware that
// takes input (receive, rxReserve, pollEvent).
import { EVENT } from "./regions";

export enum EventType {
  None = 0,
  /** CONNACK accepted. flags bit 0: session present. props: CONNACK properties. */
  Connected = 1,
  /** CONNACK refused. reason: the server's code (3.1.1 return codes mapped to 5.0 codes). */
  ConnectRefused = 2,
  /** An incoming application message, or one chunk of it (flags: first/last chunk). */
  Message = 3,
  /** An outgoing QoS 1/2 message is complete (PUBACK / PUBCOMP) or refused (reason >= 0x80). */
  PublishDone = 4,
  /** SUBACK: payload = one reason code per filter. */
  SubscribeDone = 5,
  /** UNSUBACK: payload = one reason code per filter (MQTT 5 only; empty for 3.1.1). */
  UnsubscribeDone = 6,
  /** The server sent DISCONNECT (reason, props). The host should close the transport. */
  ServerDisconnect = 7,
  /**
   * The server broke the protocol; a DISCONNECT with `reason` (MQTT 5) is in TX. Flush TX, then close.
   * Over a topic alias: alias and topic length say which (0x83: the topic exceeds TOPIC_ALIAS_TOPIC_BYTES).
   */
  ProtocolViolation = 8,
  /** CONNACK or PINGRESP did not arrive in time (reason 0x8D Keep Alive timeout). Close the transport. */
  Timeout = 9,
  /** The reconnect delay has passed: open the transport and call transportOpened(). */
  ReconnectDue = 10,
  /** AUTH from the server (MQTT 5 enhanced authentication): reason, props. */
  Auth = 11,
  /** A queued message was evicted by the outbox overflow policy. packetId (0 for QoS 0), value: its outbox sequence. */
  MessageDropped = 12,
}

// Word indexes in the event record.
export const EV_TYPE = 0;
export const EV_REASON = 1;
export const EV_PACKET_ID = 2;
/** Message: bit0 retain, bit1-2 QoS, bit3 dup, bit4 first chunk, bit5 last chunk. Connected: bit0 session present. */
export const EV_FLAGS = 3;
export const EV_TOPIC_PTR = 4;
export const EV_TOPIC_LEN = 5;
export const EV_PAYLOAD_PTR = 6;
export const EV_PAYLOAD_LEN = 7;
export const EV_PROPS_PTR = 8;
export const EV_PROPS_LEN = 9;
/** Message: offset of this chunk in the whole payload. */
export const EV_OFFSET = 10;
/** Message: length of the whole payload. */
export const EV_TOTAL = 11;
/** Wire packet type the event came from (0 for local events). */
export const EV_PACKET_TYPE = 12;
/** Message, ProtocolViolation: the topic alias the server used (0 = none). */
export const EV_ALIAS = 13;
/** Outgoing sequence number of the message (PublishDone / MessageDropped). */
export const EV_VALUE = 14;

export const FLAG_FIRST_CHUNK: u32 = 1 << 4;
export const FLAG_LAST_CHUNK: u32 = 1 << 5;

export function evSet(word: i32, value: u32): void {
  store<u32>(EVENT + (<usize>word << 2), value);
}

export function evGet(word: i32): u32 {
  return load<u32>(EVENT + (<usize>word << 2));
}

export function evClear(type: EventType): void {
  memory.fill(EVENT, 0, 64);
  store<u32>(EVENT, type);
}
