// One connection's life: CONNECT when the transport opens, CONNACK, the close, and the reconnect
// backoff; plus the history that outlives a connection (attempts, whether one ever succeeded).
import { Reason, Status } from "../reason";
import { Counter, count } from "../counters";
import * as P from "../codec/packet-type";
import { propSeen, pAssignedIdPtr, pAssignedIdLen } from "../codec/properties";
import { Prop } from "../prop";
import { varintWrite, varintSize } from "../codec/varint";
import { CF_CLEAN } from "../codec/encode";
import { evSet, evGet, EventType, EV_TYPE, EV_REASON, EV_FLAGS } from "../event";
import { v5, negotiatedReset, negotiatedFromConnack } from "./negotiated";
import { txReset, txRoom, txAppend, txAck, setInflight } from "./transmitter";
import {
  obFirst, obNext, obState, obSetState, obFlags, obSetFlags, obPacketId, obMarkUnreported, obSetSettled, obReset,
  OB_QUEUED, OB_AWAIT_PUBACK, OB_AWAIT_PUBREC, OB_AWAIT_PUBCOMP, OB_DONE, OBF_SENT_BEFORE,
} from "./outbox";
import { requestClear } from "./requests";
import { qos2Clear } from "./inbound-qos2";
import { aliasReset } from "./topic-alias";
import { prngNext } from "./prng";
import { chunkReset } from "./chunked-delivery";
import { Option, option } from "./options";
import {
  configured, version5, keepAliveS, cleanStartAsked, clientIdEmpty, sessionPersists, CONNECT_BODY, connectBodyLen, spliceClientId,
} from "./connect-config";
import { rxClear } from "./rx-window";
import { pingSettled, firstKeepAliveDeadline } from "./keep-alive";
import { violation } from "./violation";
import { State, Input, accepts, transition, transitionOnEnd } from "./state";

/** Reconnects since the last CONNACK that accepted the session (ReconnectDue reports it). */
export let reconnectAttempt: u32 = 0;
let connectedOnce = false;
let cleanStartSent = false;
let userEnded = false;

/** The host opened a transport: CONNECT goes into TX. */
export function transportOpened(now: u32): i32 {
  if (!configured || !accepts(Input.TransportOpened)) return -Status.InvalidState;
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
  userEnded = false;
  transition(State.Connecting, now + option(Option.ConnackTimeoutMs));
  return 0;
}

/** The transport closed (either side). Schedules a reconnect unless the host ended the session. */
export function transportClosed(now: u32): void {
  resetConnection();
  if (userEnded || option(Option.AutoReconnect) == 0 || !configured) {
    transition(State.Idle, 0);
    return;
  }
  // Exponential backoff with "equal jitter": half the delay fixed, half random.
  let shift = reconnectAttempt < 16 ? reconnectAttempt : 16;
  let base = option(Option.ReconnectBaseMs);
  let cap = option(Option.ReconnectMaxMs);
  let delay = base << shift;
  if (delay > cap || delay < base) delay = cap;
  let half = delay >> 1;
  delay = half + (half > 0 ? prngNext() % (half + 1) : 0);
  reconnectAttempt++;
  transition(State.WaitReconnect, now + delay);
}

function resetConnection(): void {
  txReset();
  rxClear();
  chunkReset();
  pingSettled();
  aliasReset();
  requestClear();
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

/** CONNACK, in Connecting (the only state that accepts it: state-table.ts). */
export function handleConnack(code: u32): i32 {
  if (code != 0) {
    transition(State.Closing, 0);
    evSet(EV_TYPE, EventType.ConnectRefused);
    evSet(EV_REASON, connackReason(code));
    return EventType.ConnectRefused;
  }
  let present = (evGet(EV_FLAGS) & 1) != 0;
  if (present && cleanStartSent) return violation(Reason.ProtocolError);    // [MQTT-3.2.2-4]
  if (v5()) {
    negotiatedFromConnack(option(Option.TopicAliasOut) != 0);
    if (propSeen(Prop.AssignedClientIdentifier)) {
      // Only an answer to an empty client id (3.2.2.3.7); unasked, it would replace ours.
      if (!clientIdEmpty) return violation(Reason.ProtocolError);
      spliceClientId(pAssignedIdPtr, pAssignedIdLen);
    }
  }
  resumeOutbox(present);
  connectedOnce = true;
  reconnectAttempt = 0;
  count(Counter.Connects);
  transition(State.Connected, firstKeepAliveDeadline());
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

/** A new configuration starts a new session: nothing queued, nothing in flight, no history. */
export function onConfigured(): void {
  connectedOnce = false;
  userEnded = false;
  obReset();
  qos2Clear();
  // Messages queued before the first connection are encoded for the configured version.
  negotiatedReset(version5, keepAliveS);
}

/** The host ends the session: no reconnect; Closing when a DISCONNECT went out, else Idle. */
export function endByUser(disconnectSent: bool): void {
  userEnded = true;
  transitionOnEnd(disconnectSent);
}
