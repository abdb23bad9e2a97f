// The CONNECT packet: validated and built once by configure(), re-sent on every reconnect,
// and patched when the server assigns a client id. Also what the session must remember of it.
import {
  MQTT5_ENABLED, PROPS_BYTES, CONNECT_BYTES, INBOUND_QOS2_SLOTS, TOPIC_ALIAS_IN_SLOTS, MAX_INBOUND_PACKET_BYTES,
} from "../budget";
import { SCRATCH, PROPS, CONNECT } from "../regions";
import { Status } from "../reason";
import * as P from "../codec/packet-type";
import { propsCheck, propSeen, propValue, propsBuilt, propsReset, KIND_WILL, pAuthMethodPtr, pAuthMethodLen } from "../codec/properties";
import { utf8Valid } from "../codec/utf8";
import { topicNameValid } from "../codec/topic";
import { varintSize } from "../codec/varint";
import { wrU16 } from "../codec/writer";
import { connectRemaining, encodeConnectBody, CF_CLEAN, CF_WILL, CF_WILL_RETAIN, CF_PASSWORD, CF_USERNAME } from "../codec/encode";
import { inScratch } from "./scratch";
import { bytesEqual } from "../codec/bytes-equal";
import { Prop } from "../prop";

/** The largest packet MQTT can frame: 1 + 4 bytes of header + 268,435,455 (2.1.4). */
const UNLIMITED: i32 = 268435460;

export let configured = false;
export let version5 = false;
export let keepAliveS: u32 = 0;
export let cleanStartAsked = false;
export let clientIdEmpty = false;
/** The CONNECT carried an Authentication Method, so the server may send AUTH [MQTT-4.12.0-6]. */
export let authMethodSent = false;
/** The session outlives the connection (5.0 Session Expiry > 0; 3.1.1 clean session off). */
export let sessionPersists = false;
/** Largest packet we accept (our Maximum Packet Size). */
export let inboundMaxPacket: i32 = UNLIMITED;
/** The CONNECT body (without its fixed header) lives at CONNECT + 5, so a new client id can be spliced in. */
export const CONNECT_BODY: usize = CONNECT + 5;
export let connectBodyLen: i32 = 0;
let connectIdPos: i32 = 0;
/** The Authentication Method inside the CONNECT body (offset, length), when there is one. */
let authMethodPos: i32 = 0;
let authMethodLen: i32 = 0;

/** True when the last scanned properties carry the Authentication Method of our CONNECT [MQTT-4.12.1-1]. */
export function sameAuthMethod(): bool {
  return authMethodSent && pAuthMethodLen == authMethodLen &&
    bytesEqual(pAuthMethodPtr, CONNECT_BODY + <usize>authMethodPos, authMethodLen);
}


/**
 * Builds the CONNECT packet from SCRATCH fields and the properties built in PROPS: the first
 * connectPropsLen bytes are CONNECT properties, the rest will properties. Lengths of -1 mean
 * "absent" (user name, password, will). Returns 0 or -Status.
 */
export function configure(version: u32, cleanStart: u32, keepAlive: u32, idOff: i32, idLen: i32,
  userOff: i32, userLen: i32, passOff: i32, passLen: i32, willTopicOff: i32, willTopicLen: i32,
  willPayloadOff: i32, willPayloadLen: i32, willQos: u32, willRetain: u32, connectPropsLen: i32): i32 {
  if (version != P.MQTT311 && version != P.MQTT5) return -Status.BadArgument;
  if (version == P.MQTT5 && !MQTT5_ENABLED) return -Status.Unsupported;
  let is5 = MQTT5_ENABLED && version == P.MQTT5;
  if (!inScratch(idOff, idLen) || idLen < 0 || !inScratch(userOff, userLen) || !inScratch(passOff, passLen) ||
    !inScratch(willTopicOff, willTopicLen) || !inScratch(willPayloadOff, willPayloadLen < 0 ? 0 : willPayloadLen)) return -Status.BadArgument;
  if (keepAlive > 65535 || willQos > 2) return -Status.BadArgument;
  if (!utf8Valid(SCRATCH + <usize>idOff, idLen)) return -Status.BadArgument;
  if (!is5 && idLen == 0 && cleanStart == 0) return -Status.BadArgument;             // [MQTT-3.1.3-7]
  if (userLen >= 0 && !utf8Valid(SCRATCH + <usize>userOff, userLen)) return -Status.BadArgument;
  if (!is5 && passLen >= 0 && userLen < 0) return -Status.BadArgument;              // [MQTT-3.1.2-22]
  let hasWill = willTopicLen >= 0;
  if (hasWill && !topicNameValid(SCRATCH + <usize>willTopicOff, willTopicLen)) return -Status.BadArgument;
  if (!hasWill && (willQos != 0 || willRetain != 0)) return -Status.BadArgument;     // [MQTT-3.1.2-11], [MQTT-3.1.2-13]
  if (willPayloadLen < 0) willPayloadLen = 0;
  let propsTotal = is5 ? propsBuilt : 0;
  if (connectPropsLen < 0 || connectPropsLen > propsTotal) return -Status.BadArgument;
  let willPropsLen = propsTotal - connectPropsLen;
  // Nothing below changes the session until the CONNECT is built: a refused configure keeps the old one.
  let maxIn: i32 = MAX_INBOUND_PACKET_BYTES < 268435455 ? MAX_INBOUND_PACKET_BYTES : UNLIMITED;
  let withAuth = false;
  let expiry: u32 = 0;
  if (is5) {
    if (propsCheck(PROPS, connectPropsLen, P.CONNECT) != 0) return -Status.BadArgument;
    if (propSeen(Prop.ReceiveMaximum) && propValue(Prop.ReceiveMaximum) > <u32>INBOUND_QOS2_SLOTS) return -Status.BadArgument;
    if (propSeen(Prop.TopicAliasMaximum) && propValue(Prop.TopicAliasMaximum) > <u32>TOPIC_ALIAS_IN_SLOTS) return -Status.BadArgument;
    if (propSeen(Prop.MaximumPacketSize)) maxIn = <i32>min<u32>(propValue(Prop.MaximumPacketSize), <u32>MAX_INBOUND_PACKET_BYTES);
    if (propSeen(Prop.SessionExpiryInterval)) expiry = propValue(Prop.SessionExpiryInterval);
    withAuth = propSeen(Prop.AuthenticationMethod);
    authMethodLen = pAuthMethodLen;
    authMethodPos = 10 + varintSize(connectPropsLen) + <i32>(pAuthMethodPtr - PROPS); // where it lands in the body
    // Our Receive Maximum must be announced: the inbound QoS 2 table holds no more [MQTT-3.3.4-9].
    if (!propSeen(Prop.ReceiveMaximum) && INBOUND_QOS2_SLOTS < 65535) return -Status.BadArgument;
    if (!propSeen(Prop.MaximumPacketSize) && MAX_INBOUND_PACKET_BYTES < 268435455) return -Status.BadArgument;
    if (willPropsLen > 0 && propsCheck(PROPS + <usize>connectPropsLen, willPropsLen, KIND_WILL) != 0) return -Status.BadArgument;
  }
  let flags: u32 = cleanStart != 0 ? CF_CLEAN : 0;
  if (hasWill) flags |= CF_WILL | (willQos << 3) | (willRetain != 0 ? CF_WILL_RETAIN : 0);
  if (userLen >= 0) flags |= CF_USERNAME;
  if (passLen >= 0) flags |= CF_PASSWORD;
  let rem = connectRemaining(is5, connectPropsLen, idLen, willPropsLen, hasWill ? willTopicLen : -1, willPayloadLen, userLen, passLen);
  if (5 + rem > CONNECT_BYTES) return -Status.TooLarge;
  let end = encodeConnectBody(CONNECT_BODY, is5, flags, keepAlive, PROPS, connectPropsLen, SCRATCH + <usize>idOff, idLen,
    PROPS + <usize>connectPropsLen, willPropsLen, SCRATCH + <usize>willTopicOff, hasWill ? willTopicLen : -1,
    SCRATCH + <usize>willPayloadOff, willPayloadLen, SCRATCH + <usize>userOff, userLen, SCRATCH + <usize>passOff, passLen);
  connectBodyLen = <i32>(end - CONNECT_BODY);
  connectIdPos = 10 + (is5 ? varintSize(connectPropsLen) + connectPropsLen : 0);
  version5 = is5;
  keepAliveS = keepAlive;
  cleanStartAsked = cleanStart != 0;
  clientIdEmpty = idLen == 0;
  authMethodSent = withAuth;
  inboundMaxPacket = maxIn;
  sessionPersists = is5 ? expiry > 0 : cleanStart == 0;
  configured = true;
  propsReset();
  return 0;
}

/** Replaces the client id in the stored CONNECT (MQTT 5 Assigned Client Identifier, 3.2.2.3.7). */
export function spliceClientId(id: usize, len: i32): void {
  let oldLen = (<i32>load<u8>(CONNECT_BODY + <usize>connectIdPos) << 8) | <i32>load<u8>(CONNECT_BODY + <usize>connectIdPos + 1);
  let newBody = connectBodyLen - oldLen + len;
  if (5 + newBody > CONNECT_BYTES) return; // no room: later reconnects keep the empty id
  let tail = CONNECT_BODY + <usize>(connectIdPos + 2 + oldLen);
  memory.copy(tail + <usize>(len - oldLen), tail, <usize>(connectBodyLen - connectIdPos - 2 - oldLen));
  wrU16(CONNECT_BODY + <usize>connectIdPos, <u32>len);
  memory.copy(CONNECT_BODY + <usize>(connectIdPos + 2), id, <usize>len);
  connectBodyLen = newBody;
}
