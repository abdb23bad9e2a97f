// Commands from the host: PUBLISH (whole or streamed), SUBSCRIBE / UNSUBSCRIBE, DISCONNECT,
// AUTH. Arguments are offsets into SCRATCH; properties come from PROPS. Each returns a packet
// id (>= 0) or -Status, and never changes anything when it refuses.
import { TX_BUFFER_BYTES, OUTBOX_BYTES } from "../budget";
import { SCRATCH, PROPS } from "../regions";
import { Status } from "../reason";
import { Counter, count } from "../counters";
import * as P from "../codec/packet-type";
import { propsCheck, propSeen, propValue, propsBuilt, propsReset } from "../codec/properties";
import { topicNameValid, topicFilterValid } from "../codec/topic";
import {
  packetSize, publishRemaining, encodePublishHead, requestRemaining, encodeRequest, reasonPacketRemaining, encodeReasonPacket,
} from "../codec/encode";
import { v5, serverMaxPacket, serverMaxQos, serverRetain } from "./negotiated";
import { txRoom, txAppend, txMidPacket } from "./transmitter";
import { obAlloc, obFree, obFind, obFirst, obNext, obState, obSetState, obPacketId, obWire, obQos, obEntryBytes, OB_QUEUED, OB_WRITING } from "./outbox";
import { requestAdd, requestFind } from "./requests";
import { Option, Overflow, option } from "./options";
import { inScratch } from "./scratch";
import { configured, sessionPersists, sameAuthMethod } from "./connect-config";
import { noteDropped } from "./local-events";
import { endByUser } from "./connection";
import { Input, accepts } from "./state";
import { Prop } from "../prop";

let nextPacketId: u32 = 0;
// A PUBLISH whose payload the host streams in (publishBegin / publishWrite).
let writeEntry: usize = 0;
let writePos: usize = 0;
let writeLeft: i32 = 0;

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
    noteDropped();
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
    // Aliases are ours to assign; subscription ids are the server's [MQTT-3.3.4-6].
    if (propSeen(Prop.TopicAlias) || propSeen(Prop.SubscriptionIdentifier)) return 0;
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

/**
 * Starts a PUBLISH (topic in SCRATCH, properties from PROPS) whose payload of totalLen bytes
 * follows in publishWrite calls; a message is queued once its last byte is written. Returns the
 * packet id (0 for QoS 0) or -Status.
 */
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
  if (!accepts(Input.SendRequest)) return -Status.InvalidState;
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
      // (No Local on a shared subscription [MQTT-3.8.3-4] is checked by the host's subscribe().)
      if ((o & 3) == 3 || (o & (v5() ? 0xc0 : 0xfc)) != 0 || ((o >> 4) & 3) == 3) return -Status.BadArgument;
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

/** DISCONNECT or AUTH with a reason code and properties from PROPS (already checked), into TX. */
function reasonPacket(type: u32, reason: u32, propsLen: i32): i32 {
  let size = packetSize(reasonPacketRemaining(v5(), reason, propsLen));
  if (!txRoom(size)) return -Status.WouldBlock;
  encodeReasonPacket(txAppend(size), type, v5(), reason, PROPS, propsLen);
  propsReset();
  return 0;
}

/** Ends the session from our side: DISCONNECT (with reason and PROPS in MQTT 5) and no reconnect. */
export function disconnect(reason: u32): i32 {
  // The codes a client may send (Table 3-10) [MQTT-3.14.2-1]; 3.1.1 has none.
  let ok = reason == 0 || (v5() && (reason == 0x04 || (reason >= 0x80 && reason <= 0x83) || reason == 0x90 || (reason >= 0x93 && reason <= 0x99)));
  if (!ok) return -Status.BadArgument;
  if (!accepts(Input.SendDisconnect)) {
    endByUser(false);
    return 0;
  }
  let propsLen = v5() ? propsBuilt : 0;
  if (propsLen > 0) {
    if (propsCheck(PROPS, propsLen, P.DISCONNECT) != 0) return -Status.BadArgument;
    // A non-zero Session Expiry here needs a non-zero one in CONNECT (3.14.2.2.2).
    let expiry = propValue(Prop.SessionExpiryInterval);
    if (expiry != 0 && propSeen(Prop.SessionExpiryInterval) && !sessionPersists) return -Status.BadArgument;
  }
  let rc = reasonPacket(P.DISCONNECT, reason, propsLen);
  if (rc == 0) endByUser(true);
  return rc;
}

/** MQTT 5 AUTH (enhanced authentication, 4.12) with PROPS. */
export function auth(reason: u32): i32 {
  if (!v5()) return -Status.Unsupported;
  if (!accepts(Input.SendAuth)) return -Status.InvalidState;
  // Only inside an exchange our CONNECT began [MQTT-4.12.0-7]; a client sends Continue or Re-authenticate.
  if (reason != 0x18 && reason != 0x19) return -Status.BadArgument;
  // The Authentication Method must be there, and be the CONNECT's (3.15.2.2.2).
  if (propsCheck(PROPS, propsBuilt, P.AUTH) != 0 || !propSeen(Prop.AuthenticationMethod) || !sameAuthMethod()) return -Status.BadArgument;
  return reasonPacket(P.AUTH, reason, propsBuilt);
}
