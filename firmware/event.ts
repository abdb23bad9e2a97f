// The event record: one fixed slot the host reads after pollEvent(). Pointers in it point
// into RX (or the alias table) and stay valid until the next call into the firmware that
// takes input (receive, rxReserve, pollEvent). Its event types and word layout are in
// abi-numbers.ts, which the host shares.
import { EVENT, EVENT_WORDS } from "./regions";

export {
  EventType, EV_TYPE, EV_REASON, EV_PACKET_ID, EV_FLAGS, EV_TOPIC_PTR, EV_TOPIC_LEN, EV_PAYLOAD_PTR, EV_PAYLOAD_LEN, EV_PROPS_PTR,
  EV_PROPS_LEN, EV_OFFSET, EV_TOTAL, EV_PACKET_TYPE, EV_ALIAS, EV_VALUE, FLAG_FIRST_CHUNK, FLAG_LAST_CHUNK,
} from "./abi-numbers";
import { EventType } from "./abi-numbers";

export function evSet(word: i32, value: u32): void {
  store<u32>(EVENT + (<usize>word << 2), value);
}

export function evGet(word: i32): u32 {
  return load<u32>(EVENT + (<usize>word << 2));
}

export function evClear(type: EventType): void {
  memory.fill(EVENT, 0, EVENT_WORDS * 4);
  store<u32>(EVENT, type);
}
