// The session: every state transition of the client lives in this file. Bytes and time come
// in (receive, transportOpened/Closed, handleTimeout), bytes and events go out (pollTransmit,
// pollEvent). Nothing here blocks, reads a clock or calls the host. The CONNECT packet is built
// in connect-config.ts and the host's commands are checked in commands.ts.
//
// States: Idle -> (transportOpened) Connecting -> (CONNACK ok) Connected -> (error, timeout,
// server DISCONNECT, our disconnect) Closing -> (transportClosed) WaitReconnect -> (delay
// passed: ReconnectDue event, host reopens) Connecting ... ; disconnect() or autoReconnect
// off leads back to Idle.
import { MQTT5_ENABLED, RX_BUFFER_BYTES } from "../budget";
import { RX } from "../regions";
import { Reason, Status } from "../reason";
import { Counter, count } from "../counters";
import * as P from "../codec/packet-type";
import { frameHeader, decodePacket, decodePublishHead, hdrLen, remLen, receivable } from "../codec/decode";
import { propSeen, propValue, pAssignedIdPtr, pAssignedIdLen } from "../codec/properties";
import { varintWrite, varintSize } from "../codec/varint";
import { encodeReasonPacket, encodePingreq, CF_CLEAN } from "../codec/encode";
import {
  evClear, evSet, evGet, EventType, EV_TYPE, EV_REASON, EV_PACKET_ID, EV_FLAGS, EV_TOPIC_PTR, EV_TOPIC_LEN, EV_PAYLOAD_PTR,
  EV_PAYLOAD_LEN, EV_OFFSET, EV_TOTAL, EV_ALIAS, EV_PACKET_TYPE, EV_VALUE, FLAG_FIRST_CHUNK, FLAG_LAST_CHUNK,
} from "../event";
import {
  v5, negotiatedReset, negotiatedFromConnack, keepAliveMs,
} from "./negotiated";
import { txReset, txRoom, txAppend, txTake, txAck, txMidPacket, pump, setInflight, inflight } from "./transmitter";
import {
  obFree, obFind, obFirst, obNext, obState, obSetState, obFlags, obSetFlags, obPacketId, obMarkUnreported, obSetSettled, obUnreported, obReset,
  OB_QUEUED, OB_AWAIT_PUBACK, OB_AWAIT_PUBREC, OB_AWAIT_PUBCOMP, OB_DONE, OBF_TOO_LARGE, OBF_SENT_BEFORE,
} from "./outbox";
import { requestFind, requestCount, requestFree, requestClear } from "./requests";
import { qos2Add, qos2Has, qos2Remove, qos2Clear } from "./inbound-qos2";
import { aliasReset, aliasInSet, aliasInLength, aliasInTopic, ALIAS_IN_MAX } from "./topic-alias";
import { timerArm, timerStop, timerStopAll, timerExpired, timerNextDelay, T_CONNACK, T_PINGRESP, T_KEEPALIVE, T_RECONNECT } from "./timers";
import { prngNext } from "./prng";
import { chunkActive, chunkBegin, chunkConsumed, chunkNext, chunkReset } from "./chunked-delivery";
import { Option, option } from "./options";
import {
  configured, version5, keepAliveS, cleanStartAsked, clientIdEmpty, authMethodSent, sessionPersists, inboundMaxPacket,
  CONNECT_BODY, connectBodyLen, spliceClientId, sameAuthMethod,
} from "./connect-config";

export enum State { Idle = 0, WaitReconnect = 1, Connecting = 2, Connected = 3, Closing = 4 }

export let state: State = State.Idle;

let reconnectAttempt: u32 = 0;
let connectedOnce = false;
let cleanStartSent = false;
let userEnded = false;
let pingOutstanding = false;
/** When bytes last left for the transport: keep alive counts from here, CONNECT included. */
let lastTx: u32 = 0;


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


// ======================================================================================
// Configuration and options
// ======================================================================================

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
  chunkReset();
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
    if (chunkActive) {
      if (rxEnd == rxStart) return EventType.None;
      let ev = nextChunk(0);
      if (ev != EventType.None) return ev;
      if (chunkActive) return EventType.None; // waiting for TX room
      continue;
    }
    let ptr = RX + <usize>rxStart;
    let avail = rxEnd - rxStart;
    let framed = frameHeader(ptr, ptr + <usize>avail);
    if (framed < 0) return violation(-framed);
    if (framed == 0) return EventType.None;
    let type = <u32>load<u8>(ptr) >> 4;
    let bad = receivable(type, v5());
    if (bad != 0) return violation(bad);
    let total = hdrLen + remLen;
    if (total > inboundMaxPacket) return violation(Reason.PacketTooLarge);      // [MQTT-3.1.2-25]
    if (state == State.Connecting && type != P.CONNACK && !(v5() && (type == P.AUTH || type == P.DISCONNECT))) {
      return violation(Reason.ProtocolError); // CONNACK comes first [MQTT-3.2.0-1]
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

/**
 * The server broke the protocol: DISCONNECT with the reason (MQTT 5), then the host closes.
 * Whatever TX still held is dropped first: the connection is over, and unacknowledged
 * messages stay in the outbox for the next one.
 */
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
  chunkReset();
  timerStopAll();
  evClear(EventType.ProtocolViolation);
  evSet(EV_REASON, <u32>reason);
  return EventType.ProtocolViolation;
}

/** A violation over a topic alias: the event keeps the alias and the topic's length, so the host can say which. */
function aliasViolation(reason: i32): i32 {
  let alias = evGet(EV_ALIAS);
  let len = evGet(EV_TOPIC_LEN);
  violation(reason);
  evSet(EV_ALIAS, alias);
  evSet(EV_TOPIC_LEN, len);
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
    // More unreleased QoS 2 messages than our table holds: in 5.0 the server exceeded the Receive
    // Maximum we announced (DISCONNECT 0x93 when strict). Otherwise deliver without a record:
    // a resend of this one after a reconnect could come twice, and the counter says so.
    if (v5() && option(Option.StrictReceiveMaximum) != 0) return -1;
    count(Counter.InboundQos2Overflow);
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
    if (r != 0) return aliasViolation(r);
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
      // PUBREL goes out now, so PUBRELs follow the order of the PUBRECs [MQTT-4.6.0-4].
      if (!txRoom(4)) return -1;
      txAck(P.PUBREL, id, 0);
      obSetState(e, OB_AWAIT_PUBCOMP);
      return EventType.None;
    }
    // Unknown identifier: release it anyway so the server can finish (4.3.3); a refused one needs no PUBREL [MQTT-4.3.3-4].
    if (code >= 0x80) {
      count(Counter.UnexpectedAcks);
      return EventType.None;
    }
    if (!txRoom(5)) return -1;
    count(Counter.UnexpectedAcks);
    txAck(P.PUBREL, id, Reason.PacketIdentifierNotFound); // 3.1.1: the code is dropped
    return EventType.None;
  }
  if (type == P.PUBREL) {
    if (!txRoom(5)) return -1;
    let known = qos2Remove(id);
    // An unknown id may be one delivered past a full table (not strict): complete it quietly.
    // (3.1.1 acks carry no reason code: txAck drops it.)
    txAck(P.PUBCOMP, id, known || option(Option.StrictReceiveMaximum) == 0 ? 0 : Reason.PacketIdentifierNotFound);
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
  // A server AUTH keeps the method of our CONNECT [MQTT-4.12.0-5].
  if (!authMethodSent || (state == State.Connecting && code != Reason.ContinueAuthentication) ||
    (propSeen(0x15) && !sameAuthMethod())) return violation(Reason.ProtocolError);
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
    negotiatedFromConnack(option(Option.TopicAliasOut) != 0);
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
  if (keepAliveMs > 0) timerArm(T_KEEPALIVE, lastTx + keepAliveMs); // counted from CONNECT [MQTT-3.1.2-22]
  evSet(EV_TYPE, EventType.Connected);
  return EventType.Connected;
}

/**
 * After CONNACK: unacknowledged PUBLISH packets are sent again with DUP, PUBRELs again
 * [MQTT-4.4.0-1]: the PUBRELs go into TX at once (they always fit: budget-checks.ts), the
 * PUBLISH packets follow from the outbox in their original order. If the server kept no
 * session, QoS 2 messages it already acknowledged with PUBREC are complete, and everything
 * else is sent as new.
 */
function resumeOutbox(present: bool): void {
  let n = 0;
  for (let e = obFirst(0); e != 0; e = obNext()) {
    let s = obState(e);
    if (s == OB_AWAIT_PUBACK || s == OB_AWAIT_PUBREC) {
      obSetState(e, OB_QUEUED);
      if (!present) obSetFlags(e, obFlags(e) & ~OBF_SENT_BEFORE); // new to a new session: no DUP
    }
    else if (s == OB_AWAIT_PUBCOMP) {
      if (present) {
        if (txRoom(4)) txAck(P.PUBREL, obPacketId(e), 0); // room by budget unless the host left TX full
        n++;
      } else obMarkUnreported(e, OB_DONE);
    }
  }
  setInflight(n);
  obSetSettled(0);
  if (!present) qos2Clear();
}

// ---- A PUBLISH larger than RX: its header here, its payload in chunks (chunked-delivery.ts) ----

function beginChunkedMessage(ptr: usize, avail: i32): i32 {
  let r = decodePublishHead(ptr, ptr + <usize>avail, v5());
  if (r < 0) return avail >= RX_BUFFER_BYTES ? violation(Reason.PacketTooLarge) : EventType.None;
  if (r > 0) return violation(r);
  r = resolveInboundAlias();
  if (r != 0) return violation(r);
  let flags = evGet(EV_FLAGS);
  let id = evGet(EV_PACKET_ID);
  let discard = false;
  if (((flags >> 1) & 3) == 2) {
    let admit = admitQos2(id);
    if (admit < 0) return violation(Reason.ReceiveMaximumExceeded);
    discard = admit == 0;
  }
  count(Counter.PacketsIn);
  if (!discard) count(Counter.MessagesIn);
  // Consume the header; the payload bytes already here form the first chunk, which also
  // carries the topic and properties the decoder left in the event record.
  rxStart += <i32>(<usize>evGet(EV_PAYLOAD_PTR) - ptr);
  chunkBegin(flags, id, <i32>evGet(EV_TOTAL), discard);
  return nextChunk(FLAG_FIRST_CHUNK);
}

function nextChunk(firstFlag: u32): i32 {
  let ev = chunkNext(RX + <usize>rxStart, rxEnd - rxStart, firstFlag);
  rxStart += chunkConsumed;
  return ev;
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
    lastTx = now;
    if (state == State.Connected && keepAliveMs > 0) timerArm(T_KEEPALIVE, now + keepAliveMs);
  }
  return n;
}

/** Runs every timer that is due. */
export function handleTimeout(now: u32): void {
  // Each timer is armed only in its state (CONNACK: Connecting; PINGRESP, keep alive: Connected;
  // reconnect: WaitReconnect) and every transition stops them all, so no state check is needed.
  if (timerExpired(T_CONNACK, now)) timeout(P.CONNACK);
  if (timerExpired(T_PINGRESP, now)) timeout(P.PINGRESP);
  if (timerExpired(T_KEEPALIVE, now) && !pingOutstanding && txRoom(2)) {
    encodePingreq(txAppend(2));
    pingOutstanding = true;
    count(Counter.PingsSent);
    timerArm(T_PINGRESP, now + option(Option.PingrespTimeoutMs));
  }
  if (timerExpired(T_RECONNECT, now)) pendingLocal |= LOCAL_RECONNECT;
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
// Hooks for configure() and the commands (they live in connect-config.ts and commands.ts)
// ======================================================================================

/** A new configuration starts a new session: nothing queued, nothing in flight, no history. */
export function onConfigured(): void {
  connectedOnce = false;
  userEnded = false;
  obReset();
  qos2Clear();
  // Messages queued before the first connection are encoded for the configured version.
  negotiatedReset(version5, keepAliveS);
}

/** The overflow policy evicted a queued QoS 0 message: reported as one MessageDropped event. */
export function noteDropped(): void {
  droppedSinceReport++;
  pendingLocal |= LOCAL_DROPPED;
}

/** The host ends the session: no reconnect; Closing when a DISCONNECT went out, else Idle. */
export function endByUser(disconnectSent: bool): void {
  userEnded = true;
  timerStopAll();
  if (disconnectSent) state = State.Closing;
  else if (state != State.Closing) state = State.Idle;
}
