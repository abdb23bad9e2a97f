// Delivery of a PUBLISH larger than RX: after its header, the payload is handed to the host in
// chunks (offset, total, first/last) as it arrives; the acknowledgement goes out after the
// last one. A resent QoS 2 message already delivered is consumed silently (discard).
import * as P from "../codec/packet-type";
import {
  evClear, evSet, EventType, EV_TYPE, EV_PACKET_ID, EV_FLAGS, EV_PAYLOAD_PTR, EV_PAYLOAD_LEN, EV_OFFSET, EV_TOTAL,
  EV_PACKET_TYPE, FLAG_LAST_CHUNK,
} from "../event";
import { txRoom, txAck } from "./transmitter";

/** A chunked PUBLISH is in progress. */
export let chunkActive = false;
/** Bytes the last chunkNext() consumed from RX. */
export let chunkConsumed: i32 = 0;
let discard = false;
let qos: u32 = 0;
let packetId: u32 = 0;
let flags: u32 = 0;
let offset: i32 = 0;
let total: i32 = 0;

export function chunkBegin(publishFlags: u32, id: u32, payloadTotal: i32, discardIt: bool): void {
  flags = publishFlags;
  qos = (publishFlags >> 1) & 3;
  packetId = id;
  total = payloadTotal;
  offset = 0;
  discard = discardIt;
  chunkActive = true;
}

export function chunkReset(): void {
  chunkActive = false;
}

/**
 * Delivers the avail payload bytes at ptr (up to the end of the message) as the next chunk:
 * returns Message, or None when discarding or when TX has no room for the final ack yet.
 * firstFlag is FLAG_FIRST_CHUNK for the first chunk (whose topic the decoder already put in
 * the event record), else 0.
 */
export function chunkNext(ptr: usize, avail: i32, firstFlag: u32): i32 {
  let left = total - offset;
  let n = avail < left ? avail : left;
  let last = n == left;
  chunkConsumed = 0;
  if (last && qos > 0 && !txRoom(4)) return EventType.None;
  chunkConsumed = n;
  let at = offset;
  offset += n;
  if (last) {
    chunkActive = false;
    if (qos == 1) txAck(P.PUBACK, packetId, 0);
    else if (qos == 2) txAck(P.PUBREC, packetId, 0);
  }
  if (discard) return EventType.None;
  if (firstFlag == 0) {
    evClear(EventType.Message);
    evSet(EV_PACKET_TYPE, P.PUBLISH);
    evSet(EV_PACKET_ID, packetId);
  }
  evSet(EV_TYPE, EventType.Message);
  evSet(EV_FLAGS, flags | firstFlag | (last ? FLAG_LAST_CHUNK : 0));
  evSet(EV_PAYLOAD_PTR, <u32>ptr);
  evSet(EV_PAYLOAD_LEN, <u32>n);
  evSet(EV_OFFSET, <u32>at);
  evSet(EV_TOTAL, <u32>total);
  return EventType.Message;
}
