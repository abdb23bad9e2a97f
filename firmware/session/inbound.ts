// What each packet from the server does to the session, once the state table has accepted it
// (session.ts asks state.ts before calling handlePacket) and the codec has decoded it into the
// event record. Returns the event to report, None, or -1 when TX needs room first.
import { MQTT5_ENABLED } from "../budget";
import { Reason } from "../reason";
import { Counter, count } from "../counters";
import * as P from "../codec/packet-type";
import { propSeen } from "../codec/properties";
import { Prop } from "../prop";
import {
  evSet, evGet, EventType, EV_TYPE, EV_REASON, EV_PACKET_ID, EV_FLAGS, EV_TOPIC_PTR, EV_TOPIC_LEN, EV_PAYLOAD_LEN, EV_ALIAS,
  FLAG_FIRST_CHUNK, FLAG_LAST_CHUNK, evClear,
} from "../event";
import { v5 } from "./negotiated";
import { txRoom, txAck, setInflight, inflight } from "./transmitter";
import { obFree, obFind, obState, obSetState, OB_AWAIT_PUBACK, OB_AWAIT_PUBREC, OB_AWAIT_PUBCOMP } from "./outbox";
import { requestFind, requestCount, requestFree } from "./requests";
import { qos2Add, qos2Has, qos2Remove } from "./inbound-qos2";
import { aliasInSet, aliasInLength, aliasInTopic, ALIAS_IN_MAX } from "./topic-alias";
import { Option, option } from "./options";
import { authMethodSent, sameAuthMethod } from "./connect-config";
import { pingSettled } from "./keep-alive";
import { timerStop, T_PINGRESP } from "./timers";
import { handleConnack } from "./connection";
import { violation, aliasViolation } from "./violation";
import { State, Input, accepts, transition } from "./state";

/** Resolves a topic alias on an incoming PUBLISH (3.3.2.3.4); returns 0 or a reason code. */
export function resolveInboundAlias(): i32 {
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
export function admitQos2(id: u32): i32 {
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

export function handlePacket(type: u32): i32 {
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
  if (type == P.CONNACK) return handleConnack(code);
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
    pingSettled();
    timerStop(T_PINGRESP);
    return EventType.None;
  }
  if (type == P.DISCONNECT) {
    transition(State.Closing, 0);
    evSet(EV_TYPE, EventType.ServerDisconnect);
    return EventType.ServerDisconnect;
  }
  // AUTH (decodePacket admits nothing else): only in an exchange our CONNECT started with an
  // Authentication Method [MQTT-4.12.0-6]; a Success only ends a re-authentication, so before
  // CONNACK it must continue the exchange [MQTT-4.12.0-2] (state-table.ts: AuthSuccess).
  // A server AUTH keeps the method of our CONNECT [MQTT-4.12.0-5].
  if (!authMethodSent || (code != Reason.ContinueAuthentication && !accepts(Input.AuthSuccess)) ||
    (propSeen(Prop.AuthenticationMethod) && !sameAuthMethod())) return violation(Reason.ProtocolError);
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
