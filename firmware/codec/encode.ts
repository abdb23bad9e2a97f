// Encoders for every packet a client sends. Each one is given its exact size first
// (the *Size functions), the caller checks capacity once, and the encoder writes exactly
// that many bytes (smoltcp's emit rule). Arguments are addresses and lengths in memory.
import * as P from "./packet-type";
import { varintSize, varintWrite } from "./varint";
import { wrU8, wrU16, wrBinary, wrBytes } from "./writer";

/** Bytes of a packet with this Remaining Length. */
export function packetSize(remaining: i32): i32 {
  return 1 + varintSize(remaining) + remaining;
}

/** Bytes a Property Length plus properties take (nothing in 3.1.1). */
function propsField(v5: bool, len: i32): i32 {
  return v5 ? varintSize(len) + len : 0;
}

function header(dst: usize, first: u32, remaining: i32): usize {
  store<u8>(dst, first);
  return varintWrite(dst + 1, remaining);
}

function writeProps(p: usize, v5: bool, ptr: usize, len: i32): usize {
  if (!v5) return p;
  p = varintWrite(p, len);
  return wrBytes(p, ptr, len);
}

// ---- CONNECT (3.1) ----

/** Connect flag bits (3.1.2.3). */
export const CF_CLEAN: u32 = 0x02;
export const CF_WILL: u32 = 0x04;
export const CF_WILL_RETAIN: u32 = 0x20;
export const CF_PASSWORD: u32 = 0x40;
export const CF_USERNAME: u32 = 0x80;

/** Remaining Length of a CONNECT; lengths of -1 mean the field is absent. */
export function connectRemaining(v5: bool, propsLen: i32, idLen: i32, willPropsLen: i32, willTopicLen: i32,
  willPayloadLen: i32, userLen: i32, passLen: i32): i32 {
  let n = 10 + propsField(v5, propsLen) + 2 + idLen;
  if (willTopicLen >= 0) n += propsField(v5, willPropsLen) + 2 + willTopicLen + 2 + willPayloadLen;
  if (userLen >= 0) n += 2 + userLen;
  if (passLen >= 0) n += 2 + passLen;
  return n;
}

/**
 * Writes the CONNECT variable header and payload (the Remaining Length's worth of bytes, no
 * fixed header: the session keeps the body and adds the header when it sends it).
 */
export function encodeConnectBody(p: usize, v5: bool, flags: u32, keepAlive: u32, propsPtr: usize, propsLen: i32,
  idPtr: usize, idLen: i32, willPropsPtr: usize, willPropsLen: i32, willTopicPtr: usize, willTopicLen: i32,
  willPayloadPtr: usize, willPayloadLen: i32, userPtr: usize, userLen: i32, passPtr: usize, passLen: i32): usize {
  p = wrU16(p, 4);
  store<u32>(p, 0x5454514d); // "MQTT"
  p += 4;
  p = wrU8(p, v5 ? P.MQTT5 : P.MQTT311);
  p = wrU8(p, flags);
  p = wrU16(p, keepAlive);
  p = writeProps(p, v5, propsPtr, propsLen);
  p = wrBinary(p, idPtr, idLen);
  if (willTopicLen >= 0) {
    p = writeProps(p, v5, willPropsPtr, willPropsLen);
    p = wrBinary(p, willTopicPtr, willTopicLen);
    p = wrBinary(p, willPayloadPtr, willPayloadLen);
  }
  if (userLen >= 0) p = wrBinary(p, userPtr, userLen);
  if (passLen >= 0) p = wrBinary(p, passPtr, passLen);
  return p;
}

// ---- PUBLISH (3.3) ----

export function publishRemaining(v5: bool, topicLen: i32, qos: u32, propsLen: i32, payloadLen: i32): i32 {
  return 2 + topicLen + (qos > 0 ? 2 : 0) + propsField(v5, propsLen) + payloadLen;
}

/** Writes the PUBLISH fixed and variable header (not the payload); returns the address where the payload goes. */
export function encodePublishHead(dst: usize, v5: bool, flags: u32, topicPtr: usize, topicLen: i32, packetId: u32,
  propsPtr: usize, propsLen: i32, payloadLen: i32): usize {
  let qos = (flags >> 1) & 3;
  let p = header(dst, (P.PUBLISH << 4) | flags, publishRemaining(v5, topicLen, qos, propsLen, payloadLen));
  p = wrBinary(p, topicPtr, topicLen);
  if (qos > 0) p = wrU16(p, packetId);
  return writeProps(p, v5, propsPtr, propsLen);
}

// ---- PUBACK, PUBREC, PUBREL, PUBCOMP (3.4-3.7) ----

export function encodeAck(dst: usize, type: u32, packetId: u32, reason: u32, v5: bool): usize {
  let withReason = v5 && reason != 0;
  store<u8>(dst, (type << 4) | (type == P.PUBREL ? 2 : 0));
  store<u8>(dst + 1, withReason ? 3 : 2);
  let p = wrU16(dst + 2, packetId);
  if (withReason) p = wrU8(p, reason);
  return p;
}

// ---- SUBSCRIBE, UNSUBSCRIBE (3.8, 3.10) ----
// The host lays out the payload as it goes on the wire (two-byte length, filter, and for
// SUBSCRIBE one options byte); the session validates it before it is encoded.

export function requestRemaining(v5: bool, propsLen: i32, payloadLen: i32): i32 {
  return 2 + propsField(v5, propsLen) + payloadLen;
}

export function encodeRequest(dst: usize, type: u32, v5: bool, packetId: u32, propsPtr: usize, propsLen: i32,
  payloadPtr: usize, payloadLen: i32): usize {
  let p = header(dst, (type << 4) | 2, requestRemaining(v5, propsLen, payloadLen)); // flags 0010 [MQTT-3.8.1-1]
  p = wrU16(p, packetId);
  p = writeProps(p, v5, propsPtr, propsLen);
  return wrBytes(p, payloadPtr, payloadLen);
}

// ---- PINGREQ, DISCONNECT, AUTH (3.12, 3.14, 3.15) ----

/** DISCONNECT or AUTH: Remaining Length 0 when the reason is 0 and there are no properties. */
export function reasonPacketRemaining(v5: bool, reason: u32, propsLen: i32): i32 {
  if (!v5 || (reason == 0 && propsLen == 0)) return 0;
  return 1 + (propsLen > 0 ? propsField(true, propsLen) : 0);
}

export function encodeReasonPacket(dst: usize, type: u32, v5: bool, reason: u32, propsPtr: usize, propsLen: i32): usize {
  let rem = reasonPacketRemaining(v5, reason, propsLen);
  let p = header(dst, type << 4, rem);
  if (rem > 0) p = wrU8(p, reason);
  if (rem > 1) p = writeProps(p, true, propsPtr, propsLen);
  return p;
}

export function encodePingreq(dst: usize): usize {
  store<u16>(dst, 0x00c0); // c0 00
  return dst + 2;
}
