// Events the firmware raises itself rather than decoding them from the wire: a timeout, a
// reconnect that is due, messages the overflow policy dropped, and outbox entries that finished
// without an acknowledgement. pollEvent reports them before anything from RX.
import { Reason } from "../reason";
import { evClear, evSet, EventType, EV_REASON, EV_PACKET_ID, EV_PACKET_TYPE, EV_VALUE } from "../event";
import { reconnectAttempt } from "./connection";
import { obFree, obFirst, obNext, obState, obFlags, obPacketId, obUnreported, OB_DONE, OBF_TOO_LARGE } from "./outbox";

const LOCAL_TIMEOUT: u32 = 1;
const LOCAL_RECONNECT: u32 = 2;
const LOCAL_DROPPED: u32 = 4;
let pendingLocal: u32 = 0;
/** The packet a timeout waited for (CONNACK or PINGRESP). */
let timeoutPacketType: u32 = 0;
let droppedSinceReport: u32 = 0;

/** True when a local event or an unreported outbox entry waits for pollEvent. */
export function localEventPending(): bool {
  return pendingLocal != 0 || obUnreported > 0;
}

export function noteTimeout(awaited: u32): void {
  timeoutPacketType = awaited;
  pendingLocal |= LOCAL_TIMEOUT;
}

export function noteReconnectDue(): void {
  pendingLocal |= LOCAL_RECONNECT;
}

/** The overflow policy evicted a queued QoS 0 message: reported as one MessageDropped event. */
export function noteDropped(): void {
  droppedSinceReport++;
  pendingLocal |= LOCAL_DROPPED;
}

/** Fills the event record with the next local event. */
export function localEvent(): i32 {
  if (pendingLocal == 0) return outboxEvent();
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
    if (obState(e) != OB_DONE) continue;
    evClear(EventType.PublishDone);
    evSet(EV_PACKET_ID, obPacketId(e));
    evSet(EV_REASON, (obFlags(e) & OBF_TOO_LARGE) != 0 ? Reason.PacketTooLarge : Reason.Success);
    obFree(e);
    return EventType.PublishDone;
  }
  return EventType.None;
}
