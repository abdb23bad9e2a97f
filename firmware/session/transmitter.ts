// TX: the bytes the host sends next. Control packets (acks, PINGREQ, SUBSCRIBE, ...) are
// written whole; PUBLISH packets come from the outbox in ring order, rewritten on the way
// for DUP and topic aliases. A PUBLISH larger than TX is streamed through it (a "job");
// while a job is mid-packet nothing else may enter TX, so packets never interleave.
import { TX_BUFFER_BYTES } from "../budget";
import { TX } from "../regions";
import { varintRead, varintLen, varintSize, varintWrite } from "../codec/varint";
import { wrU8, wrU16 } from "../codec/writer";
import { encodeAck } from "../codec/encode";
import * as P from "../codec/packet-type";
import { v5, sendQuota, aliasUsable, serverMaxPacket } from "./negotiated";
import { aliasOut, aliasKnown } from "./topic-alias";
import { Option, option } from "./options";
import {
  obFirst, obNext, obState, obSetState, obFlags, obSetFlags, obPacketId, obWireLen, obWire, obQos, obRelease,
  obCollect, obIterPosition, obSettled, obSetSettled, obMarkUnreported,
  OB_QUEUED, OB_WRITING, OB_AWAIT_PUBACK, OB_AWAIT_PUBREC, OB_AWAIT_PUBCOMP, OB_DONE,
  OBF_SENT_BEFORE, OBF_TOO_LARGE,
} from "./outbox";

/** Bytes ready in TX. */
let txLen: i32 = 0;
/** Outgoing QoS 1/2 messages transmitted and not yet complete (counts against sendQuota). */
export let inflight: i32 = 0;

let jobEntry: usize = 0;
let jobPos: i32 = 0;

export function setInflight(n: i32): void { inflight = n; }

export function txReset(): void {
  txLen = 0;
  jobEntry = 0;
}

/** True when n more bytes may be appended to TX now. */
export function txRoom(n: i32): bool {
  return jobEntry == 0 && txLen + n <= TX_BUFFER_BYTES;
}

/** True while a PUBLISH larger than TX is half-way through it. */
export function txMidPacket(): bool {
  return jobEntry != 0;
}

/** Appends n bytes (the caller checked txRoom and writes them at the returned address). */
export function txAppend(n: i32): usize {
  let p = TX + <usize>txLen;
  txLen += n;
  return p;
}

/** Hands TX to the host: returns the byte count and empties TX (the host copies them out first). */
export function txTake(): i32 {
  let n = txLen;
  txLen = 0;
  return n;
}

export function txAck(type: u32, packetId: u32, reason: u32): void {
  let n = reason != 0 && v5() ? 5 : 4;
  encodeAck(txAppend(n), type, packetId, reason, v5());
}

/** Moves whatever the outbox may send now into TX. */
export function pump(): void {
  if (jobEntry != 0) {
    continueJob();
    if (jobEntry != 0) return;
  }
  let settledRun = true;
  let publishBlocked = false;
  for (let e = obFirst(obSettled); e != 0; e = obNext()) {
    let s = obState(e);
    if (s == OB_WRITING) break; // the host is still streaming this message in; keep order
    if (s == OB_QUEUED && !publishBlocked) {
      let qos = obQos(e);
      if (qos > 0 && inflight >= sendQuota) {
        publishBlocked = true; // later publishes wait too (order), PUBRELs may still go
      } else if (obWireLen(e) > serverMaxPacket) {
        // Queued before a reconnect lowered the server's limit: report instead of sending.
        obSetFlags(e, obFlags(e) | OBF_TOO_LARGE);
        obMarkUnreported(e, OB_DONE);
      } else {
        if (!startPublish(e)) break;
        if (jobEntry != 0) break;
      }
    }
    if (obState(e) == OB_QUEUED) settledRun = false;
    if (settledRun) obSetSettled(obIterPosition() + <i32>load<u32>(e));
  }
  obCollect();
}

/** Writes the start of a PUBLISH into TX; false when TX has no room for it now. */
function startPublish(e: usize): bool {
  let wire = obWire(e);
  let wireLen = obWireLen(e);
  let qos = obQos(e);
  let first = <u32>load<u8>(wire);
  if (qos > 0 && (obFlags(e) & OBF_SENT_BEFORE) != 0) first |= 0x08; // DUP on resend [MQTT-3.3.1-1]
  // Locate the stored topic (it always starts after the fixed header).
  let remaining = varintRead(wire + 1, wire + <usize>wireLen);
  let vh = wire + 1 + <usize>varintLen;
  let topicLen = <i32>((<u32>load<u8>(vh) << 8) | <u32>load<u8>(vh + 1));
  let topic = vh + 2;
  let useAlias = v5() && option(Option.TopicAliasOut) != 0 && aliasUsable > 0 && wireLen + 4 <= serverMaxPacket;
  // Worst case adds the 3-byte Topic Alias property and one byte of Property Length.
  let worst = wireLen + (useAlias ? 4 : 0);
  let prefixWorst = worst - wireLen + <i32>(topic - wire) + topicLen + 2 + 5;
  let need = worst <= TX_BUFFER_BYTES ? worst : prefixWorst;
  if (!txRoom(need)) return false;
  let restStart: i32 = 1;
  let p = TX + <usize>txLen;
  let alias: u32 = useAlias ? aliasOut(topic, topicLen, aliasUsable) : 0;
  if (alias != 0) {
    let afterTopic = topic + <usize>topicLen + (qos > 0 ? 2 : 0);
    let propsLen = varintRead(afterTopic, wire + <usize>wireLen);
    let propsLenBytes = varintLen;
    let newPropsLen = propsLen + 3;
    let cut = aliasKnown ? topicLen : 0;
    let newRemaining = remaining - cut + 3 + varintSize(newPropsLen) - propsLenBytes;
    p = wrU8(p, first);
    p = varintWrite(p, newRemaining);
    p = wrU16(p, <u32>(topicLen - cut));
    if (cut == 0) { memory.copy(p, topic, <usize>topicLen); p += <usize>topicLen; }
    if (qos > 0) { memory.copy(p, topic + <usize>topicLen, 2); p += 2; }
    p = varintWrite(p, newPropsLen);
    p = wrU8(p, 0x23);
    p = wrU16(p, alias);
    restStart = <i32>(afterTopic + <usize>propsLenBytes - wire);
  } else {
    p = wrU8(p, first);
  }
  txLen = <i32>(p - TX);
  jobEntry = e;
  jobPos = restStart;
  continueJob();
  return true;
}

/** Copies as much of the current PUBLISH as TX holds; finishes it when the last byte is in. */
function continueJob(): void {
  let e = jobEntry;
  let left = obWireLen(e) - jobPos;
  let room = TX_BUFFER_BYTES - txLen;
  let n = left < room ? left : room;
  memory.copy(TX + <usize>txLen, obWire(e) + <usize>jobPos, <usize>n);
  txLen += n;
  jobPos += n;
  if (jobPos < obWireLen(e)) return;
  jobEntry = 0;
  let qos = obQos(e);
  if (qos == 0) {
    obRelease(e);
    return;
  }
  obSetFlags(e, obFlags(e) | OBF_SENT_BEFORE);
  obSetState(e, qos == 1 ? OB_AWAIT_PUBACK : OB_AWAIT_PUBREC);
  inflight++;
}
