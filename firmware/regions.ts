// Every byte of the firmware's memory, placed at build time. The host learns offsets and
// sizes from the exported region table (index.ts), never by assuming a layout.
import {
  MQTT5_ENABLED, RX_BUFFER_BYTES, TX_BUFFER_BYTES, SCRATCH_BYTES, PROPS_BYTES, CONNECT_BYTES, OUTBOX_BYTES,
  REQUEST_SLOTS, INBOUND_QOS2_SLOTS, TOPIC_ALIAS_OUT_SLOTS, TOPIC_ALIAS_IN_SLOTS, TOPIC_ALIAS_TOPIC_BYTES,
} from "./budget";
import "./budget-checks";
import { COUNTERS, Counter } from "./counters";
import { DEADLINES, TIMER_COUNT } from "./session/timers";
import { OPTIONS, Option } from "./session/options";

// Regions that may be zero-sized get 4 spare bytes so that a disabled feature keeps a valid address.

/** Number of u32 words in the event record (layout in event.ts). */
export const EVENT_WORDS: i32 = 16;
export const PROP_VALUE_BYTES: i32 = MQTT5_ENABLED ? 0x2b * 4 : 0;
/** Bytes per request slot: packet id (u16), kind (u8), filter count (u8). */
export const REQUEST_SLOT_BYTES: i32 = 4;
/** Bytes per outgoing alias slot: topic length (u16), last use stamp (u16), topic bytes. */
export const ALIAS_SLOT_BYTES: i32 = 4 + TOPIC_ALIAS_TOPIC_BYTES;

export const RX: usize = memory.data(RX_BUFFER_BYTES, 16);
export const TX: usize = memory.data(TX_BUFFER_BYTES, 16);
export const SCRATCH: usize = memory.data(SCRATCH_BYTES, 16);
export const PROPS: usize = memory.data(PROPS_BYTES + 4, 16);
export const CONNECT: usize = memory.data(CONNECT_BYTES, 16);
export const OUTBOX: usize = memory.data(OUTBOX_BYTES, 16);
export const EVENT: usize = memory.data(EVENT_WORDS * 4, 16);
/** Integer values of the properties of the last packet scanned, one u32 per identifier (0x00-0x2A). */
export const PROP_VALUES: usize = memory.data(MQTT5_ENABLED ? PROP_VALUE_BYTES : 4, 4);
export const REQUESTS: usize = memory.data(REQUEST_SLOTS * REQUEST_SLOT_BYTES, 4);
export const INBOUND_QOS2: usize = memory.data(INBOUND_QOS2_SLOTS * 2, 4);
export const ALIAS_OUT: usize = memory.data(TOPIC_ALIAS_OUT_SLOTS * ALIAS_SLOT_BYTES + 4, 4);
export const ALIAS_IN: usize = memory.data(TOPIC_ALIAS_IN_SLOTS * ALIAS_SLOT_BYTES + 4, 4);

/** Region ids, in the order the host's region table lists them. */
export enum Region { Rx, Tx, Scratch, Props, Connect, Outbox, Event, Requests, InboundQos2, AliasOut, AliasIn, PropValues, Counters, Timers, Options, Count }

// Offsets and sizes as data (the host reads them once per instance).
const OFFSETS: usize = memory.data<u32>([
  <u32>RX, <u32>TX, <u32>SCRATCH, <u32>PROPS, <u32>CONNECT, <u32>OUTBOX, <u32>EVENT, <u32>REQUESTS,
  <u32>INBOUND_QOS2, <u32>ALIAS_OUT, <u32>ALIAS_IN, <u32>PROP_VALUES, <u32>COUNTERS, <u32>DEADLINES, <u32>OPTIONS,
]);
const SIZES: usize = memory.data<i32>([
  RX_BUFFER_BYTES, TX_BUFFER_BYTES, SCRATCH_BYTES, PROPS_BYTES, CONNECT_BYTES, OUTBOX_BYTES, EVENT_WORDS * 4,
  REQUEST_SLOTS * REQUEST_SLOT_BYTES, INBOUND_QOS2_SLOTS * 2, TOPIC_ALIAS_OUT_SLOTS * ALIAS_SLOT_BYTES,
  TOPIC_ALIAS_IN_SLOTS * ALIAS_SLOT_BYTES, PROP_VALUE_BYTES, Counter.Count * 4, TIMER_COUNT * 4, Option.Count * 4,
]);

export function regionOffset(id: i32): usize {
  return <u32>id < <u32>Region.Count ? <usize>load<u32>(OFFSETS + (<usize>id << 2)) : 0;
}

export function regionSize(id: i32): i32 {
  return <u32>id < <u32>Region.Count ? load<i32>(SIZES + (<usize>id << 2)) : 0;
}
