// The server broke the protocol: the one way a connection ends on our initiative.
import { Counter, count } from "../counters";
import * as P from "../codec/packet-type";
import { encodeReasonPacket } from "../codec/encode";
import { evClear, evSet, evGet, EventType, EV_REASON, EV_TOPIC_LEN, EV_ALIAS } from "../event";
import { v5 } from "./negotiated";
import { txReset, txAppend, txMidPacket } from "./transmitter";
import { chunkReset } from "./chunked-delivery";
import { rxClear } from "./rx-window";
import { State, Input, accepts, transition } from "./state";

/**
 * DISCONNECT with the reason (MQTT 5), then Closing: the host flushes TX and closes. Whatever
 * TX still held is dropped first: the connection is over, and unacknowledged messages stay in
 * the outbox for the next one.
 */
export function violation(reason: i32): i32 {
  count(Counter.ProtocolViolations);
  let midPacket = txMidPacket();
  txReset();
  if (v5() && !midPacket && accepts(Input.SendDisconnect)) {
    encodeReasonPacket(txAppend(3), P.DISCONNECT, true, <u32>reason, 0, 0);
  }
  transition(State.Closing, 0);
  rxClear();
  chunkReset();
  evClear(EventType.ProtocolViolation);
  evSet(EV_REASON, <u32>reason);
  return EventType.ProtocolViolation;
}

/** A violation over a topic alias: the event keeps the alias and the topic's length, so the host can say which. */
export function aliasViolation(reason: i32): i32 {
  let alias = evGet(EV_ALIAS);
  let len = evGet(EV_TOPIC_LEN);
  violation(reason);
  evSet(EV_ALIAS, alias);
  evSet(EV_TOPIC_LEN, len);
  return EventType.ProtocolViolation;
}
