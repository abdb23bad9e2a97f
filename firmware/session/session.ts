// The session: every state transition of the client lives in this file. Bytes and time come
// in (receive, transportOpened/Closed, handleTimeout), bytes and events go out (pollTransmit,
// pollEvent). Nothing here blocks, reads a clock or calls the host.
//
// States: Idle -> (transportOpened) Connecting -> (CONNACK ok) Connected -> (error, timeout,
// server DISCONNECT, our disconnect) Closing -> (transportClosed) WaitReconnect -> (delay
// passed: ReconnectDue event, host reopens) Connecting ... ; disconnect() or autoReconnect
// off leads back to Idle.
import {
  MQTT5_ENABLED, RX_BUFFER_BYTES, TX_BUFFER_BYTES, SCRATCH_BYTES, PROPS_BYTES, CONNECT_BYTES, OUTBOX_BYTES, INBOUND_QOS2_SLOTS,
  TOPIC_ALIAS_IN_SLOTS, TOPIC_ALIAS_OUT_SLOTS, MAX_INBOUND_PACKET_BYTES,
} from "../budget";
import { RX, SCRATCH, PROPS, CONNECT } from "../regions";
import { Reason, Status } from "../reason";
import { Counter, count } from "../counters";
import * as P from "../codec/packet-type";
import { frameHeader, decodePacket, decodePublishHead, hdrLen, remLen } from "../codec/decode";
import {
  propsCheck, propSeen, propValue, propsBuilt, propsReset, pAssignedIdPtr, pAssignedIdLen, KIND_WILL,
} from "../codec/properties";
import { rdBegin } from "../codec/reader";
import { utf8Valid } from "../codec/utf8";
import { topicNameValid, topicFilterValid } from "../codec/topic";
import { varintSize, varintWrite } from "../codec/varint";
import { wrU8, wrU16 } from "../codec/writer";
import {
  packetSize, publishRemaining, encodePublishHead, connectRemaining, encodeConnect, requestRemaining, encodeRequest,
  reasonPacketRemaining, encodeReasonPacket, encodePingreq, CF_CLEAN, CF_WILL, CF_WILL_RETAIN, CF_PASSWORD, CF_USERNAME,
} from "../codec/encode";
import {
  evClear, evSet, evGet, EventType, EV_TYPE, EV_REASON, EV_PACKET_ID, EV_FLAGS, EV_TOPIC_PTR, EV_TOPIC_LEN, EV_PAYLOAD_PTR,
  EV_PAYLOAD_LEN, EV_OFFSET, EV_TOTAL, EV_ALIAS, EV_PACKET_TYPE, EV_VALUE, FLAG_FIRST_CHUNK, FLAG_LAST_CHUNK,
} from "../event";
import {
  v5, negotiatedReset, setSendQuota, setServerMaxPacket, setAliasUsable, setServerMaxQos, setServerRetain,
  setKeepAliveMs, keepAliveMs, serverMaxPacket, serverMaxQos, serverRetain,
} from "./negotiated";
import {
  txReset, txRoom, txAppend, txTake, txAck, txMidPacket, pump, setInflight, inflight,
} from "./transmitter";
import {
  obAlloc, obFree, obFind, obFirst, obNext, obState, obSetState, obFlags, obPacketId, obWire, obQos, obEntryBytes,
  obMarkUnreported, obSetSettled, obUnreported, obRelease, obCollect, obReset,
  OB_QUEUED, OB_WRITING, OB_AWAIT_PUBACK, OB_AWAIT_PUBREC, OB_PUBREL_QUEUED, OB_AWAIT_PUBCOMP, OB_DONE, OB_DROPPED,
  OBF_SENT_BEFORE, OBF_TOO_LARGE,
} from "./outbox";
import { requestAdd, requestFind, requestCount, requestFree, requestClear } from "./requests";
import { qos2Add, qos2Has, qos2Remove, qos2Clear } from "./inbound-qos2";
import { aliasReset, aliasInSet, aliasInLength, aliasInTopic, ALIAS_IN_MAX } from "./topic-alias";
import { timerArm, timerStop, timerStopAll, timerExpired, timerNextDelay, T_CONNACK, T_PINGRESP, T_KEEPALIVE, T_RECONNECT } from "./timers";
import { prngNext } from "./prng";
import { Option, Overflow, option } from "./options";

export enum State { Idle = 0, WaitReconnect = 1, Connecting = 2, Connected = 3, Closing = 4 }

export let state: State = State.Idle;

let reconnectAttempt: u32 = 0;

// ---- Configuration: the CONNECT packet is built once and re-sent on every reconnect. ----
let configured = false;
let version5 = false;
let keepAliveS: u32 = 0;
let cleanStartAsked = false;
let clientIdEmpty = false;
let authMethodSent = false;
let sessionPersists = false;
let connectedOnce = false;
let cleanStartSent = false;
let userEnded = false;
let pingOutstanding = false;
/** Largest packet we accept; announced as Maximum Packet Size when below the MQTT limit. */
let inboundMaxPacket: i32 = MAX_INBOUND_PACKET_BYTES;
// The CONNECT body (without its fixed header) is kept at CONNECT + 5.
const CONNECT_BODY: usize = CONNECT + 5;
let connectBodyLen: i32 = 0;
let connectIdPos: i32 = 0;

// ---- Local events, reported by pollEvent before anything that comes from the wire. ----
const LOCAL_TIMEOUT: u32 = 1;
const LOCAL_RECONNECT: u32 = 2;
const LOCAL_DROPPED: u32 = 4;
let pendingLocal: u32 = 0;
let timeoutPacketType: u32 = 0;
let droppedSinceReport: u32 = 0;

// ---- RX: bytes [rxStart, rxEnd) are received and not yet consumed. ----
let rxStart: i32 = 0;
let rxEnd: i32 = 0;
// A PUBLISH larger than RX is delivered in chunks; this is its progress.
let streamActive = false;
let streamDiscard = false;
let streamQos: u32 = 0;
let streamId: u32 = 0;
let streamFlags: u32 = 0;
let streamOffset: i32 = 0;
let streamTotal: i32 = 0;
// A PUBLISH whose payload the host streams in (publishBegin / publishWrite).
let writeEntry: usize = 0;
let writePos: usize = 0;
let writeLeft: i32 = 0;

let nextPacketId: u32 = 0;

// ======================================================================================
// Configuration and options
// ======================================================================================

/** True when [off, off+len) lies inside SCRATCH (len -1 = absent field, allowed). */
function inScratch(off: i32, len: i32): bool {
  if (len == -1) return true;
  return off >= 0 && len >= 0 && len <= SCRATCH_BYTES && off <= SCRATCH_BYTES - len;
}

/**
 * Builds the CONNECT packet from SCRATCH fields and the properties built in PROPS: the first
 * connectPropsLen bytes are CONNECT properties, the rest will properties. Lengths of -1 mean
 * "absent" (user name, password, will). Returns 0 or -Status.
 */
export function configure(version: u32, cleanStart: u32, keepAlive: u32, idOff: i32, idLen: i32,
  userOff: i32, userLen: i32, passOff: i32, passLen: i32, willTopicOff: i32, willTopicLen: i32,
  willPayloadOff: i32, willPayloadLen: i32, willQos: u32, willRetain: u32, connectPropsLen: i32): i32 {
  if (state != State.Idle) return -Status.InvalidState;
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
  let maxIn: i32 = MAX_INBOUND_PACKET_BYTES;
  let withAuth = false;
  let expiry: u32 = 0;
  if (is5) {
    if (propsCheck(PROPS, connectPropsLen, P.CONNECT) != 0) return -Status.BadArgument;
    if (propSeen(0x21) && propValue(0x21) > <u32>INBOUND_QOS2_SLOTS) return -Status.BadArgument;
    if (propSeen(0x22) && propValue(0x22) > <u32>TOPIC_ALIAS_IN_SLOTS) return -Status.BadArgument;
    if (propSeen(0x27)) maxIn = <i32>min<u32>(propValue(0x27), <u32>MAX_INBOUND_PACKET_BYTES);
    if (propSeen(0x11)) expiry = propValue(0x11);
    withAuth = propSeen(0x15);
    // Our Receive Maximum must be announced: the inbound QoS 2 table holds no more [MQTT-3.3.4-9].
    if (!propSeen(0x21) && INBOUND_QOS2_SLOTS < 65535) return -Status.BadArgument;
    if (!propSeen(0x27) && MAX_INBOUND_PACKET_BYTES < 268435455) return -Status.BadArgument;
    if (willPropsLen > 0 && propsCheck(PROPS + <usize>connectPropsLen, willPropsLen, KIND_WILL) != 0) return -Status.BadArgument;
  }
  let flags: u32 = cleanStart != 0 ? CF_CLEAN : 0;
  if (hasWill) flags |= CF_WILL | (willQos << 3) | (willRetain != 0 ? CF_WILL_RETAIN : 0);
  if (userLen >= 0) flags |= CF_USERNAME;
  if (passLen >= 0) flags |= CF_PASSWORD;
  let rem = connectRemaining(is5, connectPropsLen, idLen, willPropsLen, hasWill ? willTopicLen : -1, willPayloadLen, userLen, passLen);
  if (5 + rem > CONNECT_BYTES) return -Status.TooLarge;
  let end = encodeConnect(CONNECT, is5, flags, keepAlive, PROPS, connectPropsLen, SCRATCH + <usize>idOff, idLen,
    PROPS + <usize>connectPropsLen, willPropsLen, SCRATCH + <usize>willTopicOff, hasWill ? willTopicLen : -1,
    SCRATCH + <usize>willPayloadOff, willPayloadLen, SCRATCH + <usize>userOff, userLen, SCRATCH + <usize>passOff, passLen);
  // Keep the body at a fixed place so a server-assigned client id can be spliced in later.
  let hdr = 1 + varintSize(rem);
  memory.copy(CONNECT_BODY, CONNECT + <usize>hdr, <usize>rem);
  connectBodyLen = <i32>(end - CONNECT) - hdr;
  connectIdPos = 10 + (is5 ? varintSize(connectPropsLen) + connectPropsLen : 0);
  version5 = is5;
  keepAliveS = keepAlive;
  cleanStartAsked = cleanStart != 0;
  clientIdEmpty = idLen == 0;
  authMethodSent = withAuth;
  inboundMaxPacket = maxIn;
  sessionPersists = is5 ? expiry > 0 : cleanStart == 0;
  configured = true;
  connectedOnce = false;
  userEnded = false;
  propsReset();
  obReset();
  qos2Clear();
  return 0;
}

/** Replaces the client id in the stored CONNECT (MQTT 5 Assigned Client Identifier, 3.2.2.3.7). */
function spliceClientId(id: usize, len: i32): void {
  let oldLen = (<i32>load<u8>(CONNECT_BODY + <usize>connectIdPos) << 8) | <i32>load<u8>(CONNECT_BODY + <usize>connectIdPos + 1);
  let newBody = connectBodyLen - oldLen + len;
  if (5 + newBody > CONNECT_BYTES) return; // no room: later reconnects keep the empty id
  let tail = CONNECT_BODY + <usize>(connectIdPos + 2 + oldLen);
  memory.copy(tail + <usize>(len - oldLen), tail, <usize>(connectBodyLen - connectIdPos - 2 - oldLen));
  wrU16(CONNECT_BODY + <usize>connectIdPos, <u32>len);
  memory.copy(CONNECT_BODY + <usize>(connectIdPos + 2), id, <usize>len);
  connectBodyLen = newBody;
}

// ======================================================================================
// Transport
// ======================================================================================

/** The host opened a transport: CONNECT goes into TX. */
export function transportOpened(now: u32): i32 {
  if (!configured) return -Status.InvalidState;
  if (state == State.Connecting || state == State.Connected) return -Status.InvalidState;
  resetConnection();
  negotiatedReset(version5, keepAliveS);
  // Resume the session on reconnect when it outlives the connection.
  cleanStartSent = connectedOnce && sessionPersists ? false : cleanStartAsked;
  let hdr = 1 + varintSize(connectBodyLen);
  let p = txAppend(hdr + connectBodyLen);
  store<u8>(p, P.CONNECT << 4);
  let body = varintWrite(p + 1, connectBodyLen);
  memory.copy(body, CONNECT_BODY, <usize>connectBodyLen);
  let flags = <u32>load<u8>(body + 7);
  store<u8>(body + 7, cleanStartSent ? flags | CF_CLEAN : flags & ~CF_CLEAN);
  state = State.Connecting;
  userEnded = false;
  timerStopAll();
  timerArm(T_CONNACK, now + option(Option.ConnackTimeoutMs));
  return 0;
}

/** The transport closed (either side). Schedules a reconnect unless the host ended the session. */
export function transportClosed(now: u32): void {
  resetConnection();
  timerStopAll();
  if (userEnded || option(Option.AutoReconnect) == 0 || !configured) {
    state = State.Idle;
    return;
  }
  state = State.WaitReconnect;
  // Exponential backoff with "equal jitter": half the delay fixed, half random.
  let shift = reconnectAttempt < 16 ? reconnectAttempt : 16;
  let base = option(Option.ReconnectBaseMs);
  let cap = option(Option.ReconnectMaxMs);
  let delay = base << shift;
  if (delay > cap || delay < base) delay = cap;
  let half = delay >> 1;
  delay = half + (half > 0 ? prngNext() % (half + 1) : 0);
  reconnectAttempt++;
  timerArm(T_RECONNECT, now + delay);
}

function resetConnection(): void {
  txReset();
  rxStart = 0;
  rxEnd = 0;
  streamActive = false;
  pingOutstanding = false;
  aliasReset();
  requestClear();
}

// ======================================================================================
// RX
// ======================================================================================

/** Makes room at the end of RX (moving unconsumed bytes to the front); returns the free bytes at rxWritePtr(). */
export function rxReserve(): i32 {
  if (rxStart > 0) {
    memory.copy(RX, RX + <usize>rxStart, <usize>(rxEnd - rxStart));
    rxEnd -= rxStart;
    rxStart = 0;
  }
  return RX_BUFFER_BYTES - rxEnd;
}

export function rxWritePtr(): usize {
  return RX + <usize>rxEnd;
}

/** The host wrote len bytes at rxWritePtr(). */
export function receive(len: i32): i32 {
  if (len < 0 || len > RX_BUFFER_BYTES - rxEnd) return -Status.BadArgument;
  rxEnd += len;
  count(Counter.BytesIn, <u32>len);
  return 0;
}

// ======================================================================================
// Events
// ======================================================================================

/** Processes input until one event is ready; returns its type (None when there is nothing to report). */
export function pollEvent(now: u32): i32 {
  if (pendingLocal != 0) return localEvent();
  if (obUnreported > 0) return outboxEvent();
  while (true) {
    if (state != State.Connecting && state != State.Connected) {
      rxStart = 0;
      rxEnd = 0;
      return EventType.None;
    }
    if (streamActive) {
      if (rxEnd == rxStart) return EventType.None;
      let ev = streamChunk();
      if (ev != EventType.None) return ev;
      if (streamActive) return EventType.None; // waiting for TX room
      continue;
    }
    let ptr = RX + <usize>rxStart;
    let avail = rxEnd - rxStart;
    let framed = frameHeader(ptr, ptr + <usize>avail);
    if (framed < 0) return violation(-framed);
    if (framed == 0) return EventType.None;
    let total = hdrLen + remLen;
    if (total > inboundMaxPacket) return violation(Reason.PacketTooLarge);      // [MQTT-3.1.2-25]
    let type = <u32>load<u8>(ptr) >> 4;
    if (state == State.Connecting && type != P.CONNACK && !(v5() && (type == P.AUTH || type == P.DISCONNECT))) {
      return violation(type == 0 ? Reason.MalformedPacket : Reason.ProtocolError); // CONNACK comes first [MQTT-3.2.0-1]
    }
    if (total > avail) {
      if (total <= RX_BUFFER_BYTES) return EventType.None;
      if (type != P.PUBLISH) return violation(Reason.PacketTooLarge);
      return beginChunkedMessage(ptr, avail);
    }
    let r = decodePacket(ptr, v5());
    if (r != 0) return violation(r);
    let ev = handlePacket(type, now);
    if (ev < 0) return EventType.None; // needs TX room first: the packet stays in RX
    rxStart += total;
    count(Counter.PacketsIn);
    if (ev != EventType.None) return ev;
  }
  return EventType.None;
}

function localEvent(): i32 {
  if ((pendingLocal & LOCAL_TIMEOUT) != 0) {
    pendingLocal &= ~LOCAL_TIMEOUT;
    evClear(EventType.Timeout);
    evSet(EV_REASON, Reason.KeepAliveTimeout);
    evSet(EV_PACKET_TYPE, timeoutPacketType);
    return EventType.Timeout;
  }
  if ((pendingLocal & LOCAL_RECONNECT) != 0) {
    pendingLocal &= ~LOCAL_RECONNECT;
    evClear(EventType.ReconnectDue);
    evSet(EV_VALUE, reconnectAttempt);
    return EventType.ReconnectDue;
  }
  pendingLocal &= ~LOCAL_DROPPED;
  evClear(EventType.MessageDropped);
  evSet(EV_VALUE, droppedSinceReport);
  droppedSinceReport = 0;
  return EventType.MessageDropped;
}

/** Reports one outbox entry that finished without a wire acknowledgement, then frees it. */
function outboxEvent(): i32 {
  for (let e = obFirst(0); e != 0; e = obNext()) {
    let s = obState(e);
    if (s != OB_DONE) continue;
    evClear(EventType.PublishDone);
    evSet(EV_PACKET_ID, obPacketId(e));
    evSet(EV_REASON, (obFlags(e) & OBF_TOO_LARGE) != 0 ? Reason.PacketTooLarge : Reason.Success);
    obFree(e);
    return EventType.PublishDone;
  }
  return EventType.None;
}

/** The server broke the protocol: DISCONNECT with the reason (MQTT 5), then the host closes. */
function violation(reason: i32): i32 {
  count(Counter.ProtocolViolations);
  let midPacket = txMidPacket();
  txReset();
  if (v5() && !midPacket && state != State.Closing) {
    encodeReasonPacket(txAppend(3), P.DISCONNECT, true, <u32>reason, 0, 0);
  }
  state = State.Closing;
  rxStart = 0;
  rxEnd = 0;
  streamActive = false;
  timerStopAll();
  evClear(EventType.ProtocolViolation);
  evSet(EV_REASON, <u32>reason);
  return EventType.ProtocolViolation;
}

/** Resolves a topic alias on an incoming PUBLISH (3.3.2.3.4); returns 0 or a reason code. */
function resolveInboundAlias(): i32 {
  if (!MQTT5_ENABLED) return 0;
  let alias = evGet(EV_ALIAS);
  if (alias == 0) return 0;
  if (alias > ALIAS_IN_MAX) return Reason.TopicAliasInvalid;               // [MQTT-3.3.2-9]
  let len = <i32>evGet(EV_TOPIC_LEN);
  if (len > 0) {
    if (!aliasInSet(alias, <usize>evGet(EV_TOPIC_PTR), len)) return Reason.ImplementationSpecificError;
    return 0;
  }
  len = aliasInLength(alias);
  if (len == 0) return Reason.ProtocolError;                                // alias never mapped
  evSet(EV_TOPIC_PTR, <u32>aliasInTopic(alias));
  evSet(EV_TOPIC_LEN, <u32>len);
  return 0;
}

/**
 * Admits an incoming QoS 2 message: false when it is a resend of one already delivered.
 * Returns -1 after a violation (Receive Maximum exceeded).
 */
function admitQos2(id: u32): i32 {
  if (qos2Has(id)) {
    count(Counter.DuplicatesSuppressed);
    return 0;
  }
  if (!qos2Add(id)) {
    // More unreleased QoS 2 messages than the Receive Maximum we announced.
    if (v5()) return -1;
    count(Counter.InboundQos2Overflow); // 3.1.1 has no Receive Maximum: deliver, duplicates possible
  }
  return 1;
}

function handlePacket(type: u32, now: u32): i32 {
  let id = evGet(EV_PACKET_ID);
  let code = evGet(EV_REASON);
  if (type == P.PUBLISH) {
    let qos = (evGet(EV_FLAGS) >> 1) & 3;
    if (qos > 0 && !txRoom(4)) return -1;
    let r = resolveInboundAlias();
    if (r != 0) return violation(r);
    let deliver = 1;
    if (qos == 2) {
      deliver = admitQos2(id);
      if (deliver < 0) return violation(Reason.ReceiveMaximumExceeded);
    }
    if (qos == 1) txAck(P.PUBACK, id, 0);
    else if (qos == 2) txAck(P.PUBREC, id, 0);
    if (deliver == 0) return EventType.None;
    count(Counter.MessagesIn);
    evSet(EV_TYPE, EventType.Message);
    evSet(EV_FLAGS, evGet(EV_FLAGS) | FLAG_FIRST_CHUNK | FLAG_LAST_CHUNK);
    return EventType.Message;
  }
  if (type == P.CONNACK) return handleConnack(code, now);
  if (type == P.PUBACK || type == P.PUBCOMP) {
    let e = obFind(id);
    let want = type == P.PUBACK ? OB_AWAIT_PUBACK : OB_AWAIT_PUBCOMP;
    if (e == 0 || obState(e) != want) {
      count(Counter.UnexpectedAcks);
      return EventType.None;
    }
    return publishDone(e, id, code);
  }
  if (type == P.PUBREC) {
    let e = obFind(id);
    if (e != 0 && (obState(e) == OB_AWAIT_PUBREC || obState(e) == OB_AWAIT_PUBCOMP)) {
      if (code >= 0x80) return publishDone(e, id, code);
      obSetState(e, OB_PUBREL_QUEUED);
      obSetSettled(0);
      return EventType.None;
    }
    // Unknown identifier: release it anyway so the server can finish (4.3.3); a refused one needs no PUBREL [MQTT-4.3.3-4].
    if (code >= 0x80) {
      count(Counter.UnexpectedAcks);
      return EventType.None;
    }
    if (!txRoom(5)) return -1;
    count(Counter.UnexpectedAcks);
    txAck(P.PUBREL, id, v5() ? Reason.PacketIdentifierNotFound : 0);
    return EventType.None;
  }
  if (type == P.PUBREL) {
    if (!txRoom(5)) return -1;
    let known = qos2Remove(id);
    txAck(P.PUBCOMP, id, known || !v5() ? 0 : Reason.PacketIdentifierNotFound);
    return EventType.None;
  }
  if (type == P.SUBACK || type == P.UNSUBACK) {
    let i = requestFind(id, type == P.SUBACK ? P.SUBSCRIBE : P.UNSUBSCRIBE);
    if (i < 0) {
      count(Counter.UnexpectedAcks);
      return EventType.None;
    }
    let n = evGet(EV_PAYLOAD_LEN);
    if ((type == P.SUBACK || v5()) && n != requestCount(i)) return violation(Reason.ProtocolError); // [MQTT-3.9.3-1]
    requestFree(i);
    evSet(EV_TYPE, type == P.SUBACK ? EventType.SubscribeDone : EventType.UnsubscribeDone);
    return <i32>evGet(EV_TYPE);
  }
  if (type == P.PINGRESP) {
    pingOutstanding = false;
    timerStop(T_PINGRESP);
    return EventType.None;
  }
  if (type == P.DISCONNECT) {
    state = State.Closing;
    timerStopAll();
    evSet(EV_TYPE, EventType.ServerDisconnect);
    return EventType.ServerDisconnect;
  }
  // AUTH (decodePacket admits nothing else): only in an exchange our CONNECT started with an
  // Authentication Method [MQTT-4.12.0-6]; before CONNACK only to continue it [MQTT-4.12.0-2].
  if (!authMethodSent || (state == State.Connecting && code != Reason.ContinueAuthentication)) return violation(Reason.ProtocolError);
  evSet(EV_TYPE, EventType.Auth);
  return EventType.Auth;
}

function publishDone(e: usize, id: u32, code: u32): i32 {
  obFree(e);
  setInflight(inflight - 1);
  count(Counter.PublishesCompleted);
  evClear(EventType.PublishDone);
  evSet(EV_PACKET_ID, id);
  evSet(EV_REASON, code);
  return EventType.PublishDone;
}

/** v3.1.1 CONNACK return codes 1-5 as MQTT 5 reason codes. */
function connackReason(code: u32): u32 {
  if (v5() || code == 0) return code;
  if (code == 1) return Reason.UnsupportedProtocolVersion;
  if (code == 2) return Reason.ClientIdentifierNotValid;
  if (code == 3) return Reason.ServerUnavailable;
  if (code == 4) return Reason.BadUserNameOrPassword;
  return Reason.NotAuthorized;
}

function handleConnack(code: u32, now: u32): i32 {
  if (state != State.Connecting) return violation(Reason.ProtocolError);    // a second CONNACK [MQTT-3.2.0-2]
  timerStop(T_CONNACK);
  if (code != 0) {
    state = State.Closing;
    evSet(EV_TYPE, EventType.ConnectRefused);
    evSet(EV_REASON, connackReason(code));
    return EventType.ConnectRefused;
  }
  let present = (evGet(EV_FLAGS) & 1) != 0;
  if (present && cleanStartSent) return violation(Reason.ProtocolError);    // [MQTT-3.2.2-4]
  if (v5()) {
    if (propSeen(0x21)) setSendQuota(<i32>propValue(0x21));
    if (propSeen(0x27)) setServerMaxPacket(<i32>min<u32>(propValue(0x27), 268435460));
    if (propSeen(0x22) && option(Option.TopicAliasOut) != 0) setAliasUsable(<i32>min<u32>(propValue(0x22), <u32>TOPIC_ALIAS_OUT_SLOTS));
    if (propSeen(0x24)) setServerMaxQos(propValue(0x24));
    if (propSeen(0x25)) setServerRetain(propValue(0x25) != 0);
    if (propSeen(0x13)) setKeepAliveMs(propValue(0x13) * 1000);            // [MQTT-3.2.2-21]
    if (propSeen(0x12)) {
      // Only an answer to an empty client id (3.2.2.3.7); unasked, it would replace ours.
      if (!clientIdEmpty) return violation(Reason.ProtocolError);
      spliceClientId(pAssignedIdPtr, pAssignedIdLen);
    }
  }
  resumeOutbox(present);
  state = State.Connected;
  connectedOnce = true;
  reconnectAttempt = 0;
  count(Counter.Connects);
  if (keepAliveMs > 0) timerArm(T_KEEPALIVE, now + keepAliveMs);
  evSet(EV_TYPE, EventType.Connected);
  return EventType.Connected;
}

/**
 * After CONNACK: unacknowledged PUBLISH packets are sent again with DUP, PUBRELs again
 * [MQTT-4.4.0-1]. If the server kept no session, QoS 2 messages it already acknowledged
 * with PUBREC are complete, and everything else is sent as new.
 */
function resumeOutbox(present: bool): void {
  let n = 0;
  for (let e = obFirst(0); e != 0; e = obNext()) {
    let s = obState(e);
    if (s == OB_AWAIT_PUBACK || s == OB_AWAIT_PUBREC) obSetState(e, OB_QUEUED);
    else if (s == OB_AWAIT_PUBCOMP || s == OB_PUBREL_QUEUED) {
      if (present) {
        obSetState(e, OB_PUBREL_QUEUED);
        n++;
      } else obMarkUnreported(e, OB_DONE);
    }
  }
  setInflight(n);
  obSetSettled(0);
  if (!present) qos2Clear();
}

// ---- Chunked delivery of a PUBLISH larger than RX ----

function beginChunkedMessage(ptr: usize, avail: i32): i32 {
  let r = decodePublishHead(ptr, ptr + <usize>avail, v5());
  if (r < 0) return avail >= RX_BUFFER_BYTES ? violation(Reason.PacketTooLarge) : EventType.None;
  if (r > 0) return violation(r);
  r = resolveInboundAlias();
  if (r != 0) return violation(r);
  let flags = evGet(EV_FLAGS);
  streamQos = (flags >> 1) & 3;
  streamId = evGet(EV_PACKET_ID);
  streamDiscard = false;
  if (streamQos == 2) {
    let admit = admitQos2(streamId);
    if (admit < 0) return violation(Reason.ReceiveMaximumExceeded);
    streamDiscard = admit == 0;
  }
  streamFlags = flags;
  streamTotal = <i32>evGet(EV_TOTAL);
  streamOffset = 0;
  streamActive = true;
  count(Counter.PacketsIn);
  // Consume the header; the payload bytes already here form the first chunk.
  let payload = <usize>evGet(EV_PAYLOAD_PTR);
  let n = <i32>evGet(EV_PAYLOAD_LEN);
  rxStart += <i32>(payload - ptr) + n;
  streamOffset = n;
  if (streamDiscard) return EventType.None;
  count(Counter.MessagesIn);
  evSet(EV_TYPE, EventType.Message);
  evSet(EV_FLAGS, flags | FLAG_FIRST_CHUNK);
  evSet(EV_OFFSET, 0);
  return EventType.Message;
}

function streamChunk(): i32 {
  let left = streamTotal - streamOffset;
  let avail = rxEnd - rxStart;
  let n = avail < left ? avail : left;
  let last = n == left;
  if (last && streamQos > 0 && !txRoom(4)) return EventType.None;
  let chunk = RX + <usize>rxStart;
  rxStart += n;
  let offset = streamOffset;
  streamOffset += n;
  if (last) {
    streamActive = false;
    if (streamQos == 1) txAck(P.PUBACK, streamId, 0);
    else if (streamQos == 2) txAck(P.PUBREC, streamId, 0);
  }
  if (streamDiscard) return EventType.None;
  evClear(EventType.Message);
  evSet(EV_PACKET_TYPE, P.PUBLISH);
  evSet(EV_FLAGS, streamFlags | (last ? FLAG_LAST_CHUNK : 0));
  evSet(EV_PACKET_ID, streamId);
  evSet(EV_PAYLOAD_PTR, <u32>chunk);
  evSet(EV_PAYLOAD_LEN, <u32>n);
  evSet(EV_OFFSET, <u32>offset);
  evSet(EV_TOTAL, <u32>streamTotal);
  return EventType.Message;
}

// ======================================================================================
// Transmit and time
// ======================================================================================

/** Fills TX with what may be sent now and hands it over: returns the byte count at TX. */
export function pollTransmit(now: u32): i32 {
  if (state == State.Connected) pump();
  let n = txTake();
  if (n > 0) {
    count(Counter.BytesOut, <u32>n);
    if (state == State.Connected && keepAliveMs > 0 && !pingOutstanding) timerArm(T_KEEPALIVE, now + keepAliveMs);
  }
  return n;
}

/** Runs every timer that is due. */
export function handleTimeout(now: u32): void {
  if (timerExpired(T_CONNACK, now) && state == State.Connecting) timeout(P.CONNACK);
  if (timerExpired(T_PINGRESP, now) && state == State.Connected) timeout(P.PINGRESP);
  if (timerExpired(T_KEEPALIVE, now) && state == State.Connected && !pingOutstanding && txRoom(2)) {
    encodePingreq(txAppend(2));
    pingOutstanding = true;
    count(Counter.PingsSent);
    timerArm(T_PINGRESP, now + option(Option.PingrespTimeoutMs));
  }
  if (timerExpired(T_RECONNECT, now) && state == State.WaitReconnect) pendingLocal |= LOCAL_RECONNECT;
}

function timeout(awaited: u32): void {
  state = State.Closing;
  timerStopAll();
  timeoutPacketType = awaited;
  pendingLocal |= LOCAL_TIMEOUT;
}

/** Milliseconds until handleTimeout should run next; -1 when no timer is armed. */
export function pollDelayMs(now: u32): i32 {
  return timerNextDelay(now);
}

// ======================================================================================
// Commands
// ======================================================================================

function allocPacketId(): u32 {
  for (let tries = 0; tries < 65535; tries++) {
    nextPacketId = nextPacketId >= 65535 ? 1 : nextPacketId + 1;
    if (obFind(nextPacketId) == 0 && requestFind(nextPacketId, 0) < 0) return nextPacketId;
  }
  return 0;
}

/** Room for an outbox entry, applying the overflow policy. Returns the entry or 0 (reason in reserveStatus). */
let reserveStatus: i32 = 0;
function outboxReserve(wireLen: i32, id: u32, entryState: u8): usize {
  if (obEntryBytes(wireLen) > OUTBOX_BYTES) { reserveStatus = Status.TooLarge; return 0; }
  let e = obAlloc(wireLen, id, entryState);
  while (e == 0 && option(Option.OverflowPolicy) == Overflow.DropOldestQos0) {
    let victim: usize = 0;
    for (let v = obFirst(0); v != 0; v = obNext()) {
      if (obState(v) == OB_QUEUED && obQos(v) == 0) { victim = v; break; }
    }
    if (victim == 0) break;
    obFree(victim);
    count(Counter.OutboxDropped);
    droppedSinceReport++;
    pendingLocal |= LOCAL_DROPPED;
    e = obAlloc(wireLen, id, entryState);
  }
  if (e == 0) {
    count(Counter.OutboxRejected);
    reserveStatus = Status.OutboxFull;
  }
  return e;
}

/** Checks a PUBLISH command and stores its header in the outbox; returns the entry or 0 (reason in reserveStatus). */
function publishEntry(topicOff: i32, topicLen: i32, payloadLen: i32, qos: u32, retain: u32, entryState: u8): usize {
  reserveStatus = Status.BadArgument;
  if (!configured || !inScratch(topicOff, topicLen) || payloadLen < 0 || qos > 2) return 0;
  let topic = SCRATCH + <usize>topicOff;
  if (!topicNameValid(topic, topicLen)) return 0;
  let propsLen = v5() ? propsBuilt : 0;
  if (propsLen > 0) {
    if (propsCheck(PROPS, propsLen, P.PUBLISH) != 0) return 0;
    if (propSeen(0x23) || propSeen(0x0b)) return 0; // aliases are ours to assign; subscription ids are the server's [MQTT-3.3.4-6]
  }
  reserveStatus = Status.NotAllowed;
  if (qos > serverMaxQos || (retain != 0 && !serverRetain)) return 0;    // [MQTT-3.2.2-11], [MQTT-3.2.2-14]
  let rem = publishRemaining(v5(), topicLen, qos, propsLen, payloadLen);
  reserveStatus = Status.TooLarge;
  if (rem > 268435455 || packetSize(rem) > serverMaxPacket) return 0;
  let id: u32 = 0;
  if (qos > 0) {
    id = allocPacketId();
    reserveStatus = Status.NoSlot;
    if (id == 0) return 0;
  }
  let e = outboxReserve(packetSize(rem), id, entryState);
  if (e == 0) return 0;
  let flags = (qos << 1) | (retain != 0 ? 1 : 0);
  writePos = encodePublishHead(obWire(e), v5(), flags, topic, topicLen, id, PROPS, propsLen, payloadLen);
  propsReset();
  count(Counter.MessagesOut);
  return e;
}

/** Queues a PUBLISH (topic and payload in SCRATCH, properties from PROPS). Returns the packet id (0 for QoS 0) or -Status. */
export function publish(topicOff: i32, topicLen: i32, payloadOff: i32, payloadLen: i32, qos: u32, retain: u32): i32 {
  if (!inScratch(payloadOff, payloadLen)) return -Status.BadArgument;
  if (writeEntry != 0) return -Status.InvalidState;
  let e = publishEntry(topicOff, topicLen, payloadLen, qos, retain, OB_QUEUED);
  if (e == 0) return -reserveStatus;
  memory.copy(writePos, SCRATCH + <usize>payloadOff, <usize>payloadLen);
  return <i32>obPacketId(e);
}

/** Starts a PUBLISH whose payload of totalLen bytes follows in publishWrite calls. */
export function publishBegin(topicOff: i32, topicLen: i32, totalLen: i32, qos: u32, retain: u32): i32 {
  if (writeEntry != 0) return -Status.InvalidState;
  let e = publishEntry(topicOff, topicLen, totalLen, qos, retain, totalLen > 0 ? OB_WRITING : OB_QUEUED);
  if (e == 0) return -reserveStatus;
  if (totalLen > 0) {
    writeEntry = e;
    writeLeft = totalLen;
  }
  return <i32>obPacketId(e);
}

/** Appends payload bytes from SCRATCH to the message started by publishBegin. Returns the bytes still expected. */
export function publishWrite(off: i32, len: i32): i32 {
  if (writeEntry == 0) return -Status.InvalidState;
  if (!inScratch(off, len) || len > writeLeft) return -Status.BadArgument;
  memory.copy(writePos, SCRATCH + <usize>off, <usize>len);
  writePos += <usize>len;
  writeLeft -= len;
  if (writeLeft == 0) {
    obSetState(writeEntry, OB_QUEUED);
    writeEntry = 0;
  }
  return writeLeft;
}

/**
 * SUBSCRIBE or UNSUBSCRIBE. The payload in SCRATCH is laid out as on the wire: for each
 * filter a two-byte length and the filter, followed (SUBSCRIBE) by its options byte.
 * Returns the packet id or -Status.
 */
export function request(type: u32, off: i32, len: i32): i32 {
  if (state != State.Connected) return -Status.InvalidState;
  if ((type != P.SUBSCRIBE && type != P.UNSUBSCRIBE) || !inScratch(off, len)) return -Status.BadArgument;
  let sub = type == P.SUBSCRIBE;
  let p = SCRATCH + <usize>off;
  let end = p + <usize>len;
  let n: u32 = 0;
  while (p < end) {
    if (p + 2 > end) return -Status.BadArgument;
    let flen = (<i32>load<u8>(p) << 8) | <i32>load<u8>(p + 1);
    let filter = p + 2;
    p = filter + <usize>flen;
    if (p + (sub ? 1 : 0) > end || !topicFilterValid(filter, flen)) return -Status.BadArgument;
    if (sub) {
      let o = <u32>load<u8>(p++);
      // QoS 0-2; v5() adds No Local (bit 2), Retain As Published (bit 3), Retain Handling 0-2 (bits 4-5).
      if ((o & 3) == 3 || (o & (v5() ? 0xc0 : 0xfc)) != 0 || ((o >> 4) & 3) == 3) return -Status.BadArgument;
      // No Local on a shared subscription is a Protocol Error [MQTT-3.8.3-4].
      if ((o & 4) != 0 && flen >= 7 && sharePrefix(filter)) return -Status.BadArgument;
    }
    n++;
  }
  if (n == 0 || n > 255) return -Status.BadArgument;                          // at least one filter [MQTT-3.8.3-2]
  let propsLen = v5() ? propsBuilt : 0;
  if (propsLen > 0 && propsCheck(PROPS, propsLen, type) != 0) return -Status.BadArgument;
  let size = packetSize(requestRemaining(v5(), propsLen, len));
  if (size > serverMaxPacket) return -Status.TooLarge;
  if (!txRoom(size)) return txMidPacket() || size <= TX_BUFFER_BYTES ? -Status.WouldBlock : -Status.TooLarge;
  let id = allocPacketId();
  if (id == 0 || !requestAdd(id, type, n)) return -Status.NoSlot;
  encodeRequest(txAppend(size), type, v5(), id, PROPS, propsLen, SCRATCH + <usize>off, len);
  propsReset();
  return <i32>id;
}

/** "$share/" at the start of a filter (compared byte by byte: the firmware has no strings). */
function sharePrefix(f: usize): bool {
  return load<u8>(f) == 0x24 && load<u8>(f, 1) == 0x73 && load<u8>(f, 2) == 0x68 && load<u8>(f, 3) == 0x61 &&
    load<u8>(f, 4) == 0x72 && load<u8>(f, 5) == 0x65 && load<u8>(f, 6) == 0x2f;
}

/** Ends the session from our side: DISCONNECT (with reason and PROPS in MQTT 5) and no reconnect. */
export function disconnect(reason: u32): i32 {
  if (reason > 255) return -Status.BadArgument;
  userEnded = true;
  timerStopAll();
  if (state != State.Connected && state != State.Connecting) {
    if (state != State.Closing) state = State.Idle;
    return 0;
  }
  let propsLen = v5() ? propsBuilt : 0;
  if (propsLen > 0 && propsCheck(PROPS, propsLen, P.DISCONNECT) != 0) return -Status.BadArgument;
  let size = packetSize(reasonPacketRemaining(v5(), reason, propsLen));
  if (!txRoom(size)) return -Status.WouldBlock;
  encodeReasonPacket(txAppend(size), P.DISCONNECT, v5(), reason, PROPS, propsLen);
  propsReset();
  state = State.Closing;
  return 0;
}

/** MQTT 5 AUTH (enhanced authentication, 4.12) with PROPS. */
export function auth(reason: u32): i32 {
  if (!v5()) return -Status.Unsupported;
  if (state != State.Connected && state != State.Connecting) return -Status.InvalidState;
  if (reason != 0 && reason != 0x18 && reason != 0x19) return -Status.BadArgument;
  let propsLen = propsBuilt;
  if (propsCheck(PROPS, propsLen, P.AUTH) != 0) return -Status.BadArgument;
  let size = packetSize(reasonPacketRemaining(true, reason, propsLen));
  if (!txRoom(size)) return -Status.WouldBlock;
  encodeReasonPacket(txAppend(size), P.AUTH, true, reason, PROPS, propsLen);
  propsReset();
  return 0;
}
