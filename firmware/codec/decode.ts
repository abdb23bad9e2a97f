// Decodes one complete packet a client can receive, into the event record. Pure: no session
// state is read or changed, so the same function serves the session and the codec tests.
// Returns 0 or the reason code the spec assigns to the violation.
import { Reason } from "../reason";
import * as P from "./packet-type";
import { rdBegin, rdPos, rdFail, rdU8, rdU16, rdString, rdLen, rdLeft } from "./reader";
import { rdProps, propsPtr, propsLen, propsNone } from "./properties";
import { reasonAllowed } from "./reason-sets";
import { varintRead, varintLen, VARINT_MALFORMED } from "./varint";
import { evClear, evSet, EventType, EV_PACKET_TYPE, EV_FLAGS, EV_REASON, EV_PACKET_ID, EV_TOPIC_PTR, EV_TOPIC_LEN,
  EV_PAYLOAD_PTR, EV_PAYLOAD_LEN, EV_PROPS_PTR, EV_PROPS_LEN, EV_TOTAL, EV_ALIAS } from "../event";
import { propValue, propSeen } from "./properties";
import { MQTT5_ENABLED } from "../budget";
import { hasWildcard } from "./topic";
import { Prop } from "../prop";


/**
 * 0 when a client may receive packet type `type`, else the reason: reserved type 0 is
 * malformed; packets only a server receives (and DISCONNECT/AUTH in 3.1.1) break the protocol.
 * Checked as soon as the first byte is in, so such a packet is refused before it is complete.
 */
export function receivable(type: u32, v5: bool): i32 {
  if (type == 0) return Reason.MalformedPacket;
  if (type == P.CONNECT || type == P.SUBSCRIBE || type == P.UNSUBSCRIBE || type == P.PINGREQ || (!(MQTT5_ENABLED && v5) && type >= P.DISCONNECT)) {
    return Reason.ProtocolError;
  }
  return 0;
}

/**
 * Frames a packet at [ptr, end). Returns its frame (> 0) once the fixed header is complete, 0
 * when more bytes are needed, or -MalformedPacket. A frame is one i32 rather than two globals:
 * the Remaining Length (at most 28 bits) above the fixed header's length (2-5) in bits 0-2.
 */
export function frameHeader(ptr: usize, end: usize): i32 {
  if (ptr + 2 > end) return 0;
  let v = varintRead(ptr + 1, end);
  if (v == VARINT_MALFORMED) return -Reason.MalformedPacket;
  if (v < 0) return 0;
  return v << 3 | (1 + varintLen);
}

/** The Remaining Length of a frame. */
// @ts-ignore: decorator
@inline function frameRemaining(frame: i32): i32 { return frame >>> 3; }
/** The length of a frame's fixed header: the type byte and the Remaining Length varint. */
// @ts-ignore: decorator
@inline function frameHeaderLen(frame: i32): i32 { return frame & 7; }
/** The length of the whole packet. */
// @ts-ignore: decorator
@inline export function frameTotal(frame: i32): i32 { return (frame & 7) + (frame >>> 3); }

/**
 * Decodes the variable header of a PUBLISH whose bytes [ptr, end) may stop before the payload
 * ends (chunked delivery). Returns 0 with the payload start at rdPos, -1 when the variable
 * header is not complete yet, or a reason code.
 */
export function decodePublishHead(ptr: usize, end: usize, frame: i32, asV5: bool): i32 {
  let v5 = MQTT5_ENABLED && asV5;
  let hdrLen = frameHeaderLen(frame);
  let flags = <u32>load<u8>(ptr) & 0x0f;
  let qos = (flags >> 1) & 3;
  if (qos == 3) return Reason.MalformedPacket;             // [MQTT-3.3.1-4]
  if (qos == 0 && (flags & 8) != 0) return Reason.MalformedPacket; // DUP must be 0 at QoS 0 [MQTT-3.3.1-2]
  propsNone();
  let packetEnd = ptr + <usize>(hdrLen + frameRemaining(frame));
  let stop = end < packetEnd ? end : packetEnd;
  rdBegin(ptr + <usize>hdrLen, stop);
  let topic = rdString();
  let topicLen = rdLen;
  let packetId: u32 = 0;
  if (qos > 0) packetId = rdU16();
  let reason: i32 = 0;
  if (v5 && !rdFail) reason = rdProps(P.PUBLISH);
  if (rdFail) return stop < packetEnd ? -1 : Reason.MalformedPacket;
  if (reason != 0) return reason;
  if (qos > 0 && packetId == 0) return Reason.ProtocolError;  // [MQTT-2.2.1-3]
  let alias: u32 = 0;
  if (v5 && propSeen(Prop.TopicAlias)) {
    alias = propValue(Prop.TopicAlias);
    if (alias == 0) return Reason.TopicAliasInvalid;                 // [MQTT-3.3.2-8]
  }
  if (topicLen == 0 && alias == 0) return Reason.ProtocolError; // [MQTT-4.7.3-1]
  if (hasWildcard(topic, topicLen)) return Reason.TopicNameInvalid;   // [MQTT-3.3.2-2]
  evSet(EV_FLAGS, flags & 0x0f);
  evSet(EV_PACKET_ID, packetId);
  evSet(EV_TOPIC_PTR, <u32>topic);
  evSet(EV_TOPIC_LEN, <u32>topicLen);
  evSet(EV_ALIAS, alias);
  if (v5) {
    evSet(EV_PROPS_PTR, <u32>propsPtr);
    evSet(EV_PROPS_LEN, <u32>propsLen);
  }
  evSet(EV_PAYLOAD_PTR, <u32>rdPos);
  evSet(EV_TOTAL, <u32>(packetEnd - rdPos));
  evSet(EV_PAYLOAD_LEN, <u32>(stop - rdPos));
  return 0;
}

/** Decodes the complete packet at ptr (its frame from frameHeader) into the event record. */
export function decodePacket(ptr: usize, frame: i32, asV5: bool): i32 {
  // A local constant-folds to false in 3.1.1-only profiles, so their v5 branches vanish.
  let v5 = MQTT5_ENABLED && asV5;
  let first = <u32>load<u8>(ptr);
  let type = first >> 4;
  let flags = first & 0x0f;
  let hdrLen = frameHeaderLen(frame);
  let remLen = frameRemaining(frame);
  let end = ptr + <usize>(hdrLen + remLen);
  evClear(EventType.None);
  propsNone();
  evSet(EV_PACKET_TYPE, type);
  if (type == P.PUBLISH) return decodePublishHead(ptr, end, frame, v5);
  let bad = receivable(type, v5);
  if (bad != 0) return bad;
  // Every other packet a client receives has fixed flags: 0010 for PUBREL, 0000 otherwise [MQTT-2.1.3-1].
  if (flags != (type == P.PUBREL ? 2 : 0)) return Reason.MalformedPacket;
  rdBegin(ptr + <usize>hdrLen, end);
  let reason: i32 = 0;
  let code: u32 = 0;
  if (type == P.CONNACK) {
    let ackFlags = rdU8();
    code = rdU8();
    if (rdFail) return Reason.MalformedPacket;
    if (!v5 && remLen != 2) return Reason.MalformedPacket;
    if ((ackFlags & 0xfe) != 0) return Reason.MalformedPacket;        // [MQTT-3.2.2-1]
    // A 3.1.1-only server answers a 5.0 CONNECT with its own refusal "20 02 00 01" (3.1.2.2):
    // report it as Unsupported Protocol Version rather than as a broken packet.
    if (v5 && remLen == 2 && code == 1 && ackFlags == 0) {
      evSet(EV_REASON, Reason.UnsupportedProtocolVersion);
      return 0;
    }
    if (v5) reason = rdProps(P.CONNACK); // always present in 5.0 (3.2.2.3.1)
    if (!reasonAllowed(type, code, v5)) return Reason.ProtocolError;
    if (ackFlags != 0 && code != 0) return Reason.ProtocolError;       // session present only on success [MQTT-3.2.2-6]
    evSet(EV_FLAGS, ackFlags);
  } else if (type >= P.PUBACK && type <= P.PUBCOMP) {
    let id = rdU16();
    if (rdFail) return Reason.MalformedPacket;
    if (!v5 && remLen != 2) return Reason.MalformedPacket;
    if (v5 && remLen > 2) code = rdU8();
    if (v5 && remLen > 3) reason = rdProps(type);
    if (id == 0) return Reason.ProtocolError;
    if (v5 && !reasonAllowed(type, code, v5)) return Reason.ProtocolError; // 3.1.1 acks carry no code
    evSet(EV_PACKET_ID, id);
  } else if (type == P.SUBACK || type == P.UNSUBACK) {
    let id = rdU16();
    if (rdFail) return Reason.MalformedPacket;
    if (v5) reason = rdProps(type);
    if (rdFail) return Reason.MalformedPacket;
    let n = rdLeft();
    if (type == P.UNSUBACK && !v5) {
      if (n != 0) return Reason.MalformedPacket;
    } else {
      if (n < 1) return Reason.ProtocolError;                          // one code per filter [MQTT-3.9.3-1]
      for (let i = 0; i < n; i++) {
        if (!reasonAllowed(type, <u32>load<u8>(rdPos + <usize>i), v5)) return v5 ? Reason.ProtocolError : Reason.MalformedPacket;
      }
    }
    if (id == 0) return Reason.ProtocolError;
    evSet(EV_PACKET_ID, id);
    evSet(EV_PAYLOAD_PTR, <u32>rdPos);
    evSet(EV_PAYLOAD_LEN, <u32>n);
    rdBegin(end, end); // the codes are consumed
  } else if (type == P.PINGRESP) {
    if (remLen != 0) return Reason.MalformedPacket;
  } else if (v5) {
    // DISCONNECT or AUTH (5.0 only: screened above).
    if (remLen > 0) code = rdU8();
    if (remLen > 1) reason = rdProps(type);
    if (rdFail) return Reason.MalformedPacket;
    if (reason != 0) return reason;
    if (!reasonAllowed(type, code, v5)) return Reason.ProtocolError;
    if (type == P.DISCONNECT && propSeen(Prop.SessionExpiryInterval)) return Reason.ProtocolError; // only a client sends it [MQTT-3.14.2-2]
    // The method is required unless the AUTH is a bare Success (3.15.2.1, 3.15.2.2.2).
    if (type == P.AUTH && (code != 0 || propsLen > 0) && !propSeen(Prop.AuthenticationMethod)) return Reason.ProtocolError;
  }
  if (rdFail) return Reason.MalformedPacket;
  if (reason != 0) return reason;
  if (rdPos != end) return Reason.MalformedPacket;                     // trailing bytes
  evSet(EV_REASON, code);
  if (v5) {
    evSet(EV_PROPS_PTR, <u32>propsPtr);
    evSet(EV_PROPS_LEN, <u32>propsLen);
  }
  return 0;
}
