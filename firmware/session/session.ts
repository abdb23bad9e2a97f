// The session's loop: bytes and time come in (receive, transportOpened/Closed, handleTimeout),
// bytes and events go out (pollTransmit, pollEvent). Nothing here blocks, reads a clock or calls
// the host. Which input each state accepts is state-table.ts; what a packet does is inbound.ts;
// CONNECT, CONNACK and the reconnect backoff are connection.ts; the host's commands commands.ts.
import { RX_BUFFER_BYTES } from "../budget";
import { Reason } from "../reason";
import { Counter, count } from "../counters";
import * as P from "../codec/packet-type";
import { frameHeader, frameTotal, decodePacket, decodePublishHead, receivable } from "../codec/decode";
import { evGet, EventType, EV_FLAGS, EV_PACKET_ID, EV_PAYLOAD_PTR, EV_TOTAL, FLAG_FIRST_CHUNK } from "../event";
import { inboundMaxPacket } from "./connect-config";
import { v5 } from "./negotiated";
import { txTake, pump } from "./transmitter";
import { timerExpired, timerNextDelay, T_CONNACK, T_PINGRESP, T_KEEPALIVE, T_RECONNECT } from "./timers";
import { chunkActive, chunkBegin, chunkConsumed, chunkNext } from "./chunked-delivery";
import { rxPtr, rxAvail, rxConsume, rxClear } from "./rx-window";
import { localEventPending, localEvent, noteTimeout, noteReconnectDue } from "./local-events";
import { noteSent, keepAliveDue } from "./keep-alive";
import { handlePacket, resolveInboundAlias, admitQos2 } from "./inbound";
import { violation } from "./violation";
import { State, Input, accepts, acceptsPacket, transition } from "./state";

export { rxReserve, rxWritePtr, receive } from "./rx-window";
export { transportOpened, transportClosed } from "./connection";

/** Processes input until one event is ready; returns its type (None when there is nothing to report). */
export function pollEvent(now: u32): i32 {
  if (localEventPending()) return localEvent();
  while (true) {
    if (!accepts(Input.ParseRx)) {
      rxClear();
      return EventType.None;
    }
    if (chunkActive) {
      if (rxAvail() == 0) return EventType.None;
      let ev = nextChunk(0);
      if (ev != EventType.None) return ev;
      if (chunkActive) return EventType.None; // waiting for TX room
      continue;
    }
    let ptr = rxPtr();
    let avail = rxAvail();
    let frame = frameHeader(ptr, ptr + <usize>avail);
    if (frame < 0) return violation(-frame);
    if (frame == 0) return EventType.None;
    let type = <u32>load<u8>(ptr) >> 4;
    let bad = receivable(type, v5());
    if (bad != 0) return violation(bad);
    let total = frameTotal(frame);
    if (total > inboundMaxPacket) return violation(Reason.PacketTooLarge);      // [MQTT-3.1.2-25]
    if (!acceptsPacket(type)) return violation(Reason.ProtocolError);                 // state-table.ts
    if (total > avail) {
      if (total <= RX_BUFFER_BYTES) return EventType.None;
      if (type != P.PUBLISH) return violation(Reason.PacketTooLarge);
      return beginChunkedMessage(ptr, avail, frame);
    }
    let r = decodePacket(ptr, frame, v5());
    if (r != 0) return violation(r);
    let ev = handlePacket(type);
    if (ev < 0) return EventType.None; // needs TX room first: the packet stays in RX
    rxConsume(total);
    count(Counter.PacketsIn);
    if (ev != EventType.None) return ev;
  }
  return EventType.None;
}

// ---- A PUBLISH larger than RX: its header here, its payload in chunks (chunked-delivery.ts) ----

function beginChunkedMessage(ptr: usize, avail: i32, frame: i32): i32 {
  let r = decodePublishHead(ptr, ptr + <usize>avail, frame, v5());
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
  rxConsume(<i32>(<usize>evGet(EV_PAYLOAD_PTR) - ptr));
  chunkBegin(flags, id, <i32>evGet(EV_TOTAL), discard);
  return nextChunk(FLAG_FIRST_CHUNK);
}

function nextChunk(firstFlag: u32): i32 {
  let ev = chunkNext(rxPtr(), rxAvail(), firstFlag);
  rxConsume(chunkConsumed);
  return ev;
}

// ---- Transmit and time ----

/** Fills TX with what may be sent now and hands it over: returns the byte count at TX. */
export function pollTransmit(now: u32): i32 {
  if (accepts(Input.SendQueued)) pump();
  let n = txTake();
  if (n > 0) {
    count(Counter.BytesOut, <u32>n);
    noteSent(now);
  }
  return n;
}

/** Runs every timer that is due. */
export function handleTimeout(now: u32): void {
  // Each timer is armed only in its state (transition() in state.ts), so none needs a state check.
  if (timerExpired(T_CONNACK, now)) timeout(P.CONNACK);
  if (timerExpired(T_PINGRESP, now)) timeout(P.PINGRESP);
  if (timerExpired(T_KEEPALIVE, now)) keepAliveDue(now);
  if (timerExpired(T_RECONNECT, now)) noteReconnectDue();
}

function timeout(awaited: u32): void {
  transition(State.Closing, 0);
  noteTimeout(awaited);
}

/** Milliseconds until handleTimeout should run next; -1 when no timer is armed. */
export function pollDelayMs(now: u32): i32 {
  return timerNextDelay(now);
}
