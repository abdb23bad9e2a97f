// The memory map: every byte of the firmware's memory, placed at build time, in this one file.
// session/ and codec/ import their regions from here; this file imports nothing of theirs, only
// the budget and the shared numbers. The host learns offsets and sizes from the region table
// (info() in index.ts), never by assuming a layout.
import {
  MQTT5_ENABLED, RX_BUFFER_BYTES, TX_BUFFER_BYTES, SCRATCH_BYTES, PROPS_BYTES, CONNECT_BYTES, OUTBOX_BYTES,
  REQUEST_SLOTS, INBOUND_QOS2_SLOTS, TOPIC_ALIAS_OUT_SLOTS, TOPIC_ALIAS_IN_SLOTS, TOPIC_ALIAS_TOPIC_BYTES,
  RECONNECT_BASE_MS, RECONNECT_MAX_MS, CONNACK_TIMEOUT_MS, PINGRESP_TIMEOUT_MS,
} from "./budget";
import "./budget-checks";
import { Region, Counter, Option, Overflow } from "./abi-numbers";
import { Prop } from "./prop";

export { Region } from "./abi-numbers";

// Regions that may be zero-sized get 4 spare bytes so that a disabled feature keeps a valid address.

/** Number of u32 words in the event record (layout in abi-numbers.ts). */
export const EVENT_WORDS: i32 = 16;
/** One u32 per property identifier below Prop.Limit. */
export const PROP_VALUE_BYTES: i32 = MQTT5_ENABLED ? Prop.Limit * 4 : 0;
/** Bytes per request slot: packet id (u16), kind (u8), filter count (u8). */
export const REQUEST_SLOT_BYTES: i32 = 4;
/** Bytes per outgoing alias slot: topic length (u16), last use stamp (u16), topic bytes. */
export const ALIAS_SLOT_BYTES: i32 = 4 + TOPIC_ALIAS_TOPIC_BYTES;
/** Deadlines in session/timers.ts: CONNACK, PINGRESP, keep alive, reconnect. */
export const TIMER_COUNT: i32 = 4;

// ---- Words the host may read (counters, timers) or write (options) ----
// First, at the lowest addresses: code reaches them by constant address, and a small address is a short one.
/** The event record pollEvent() fills (layout in abi-numbers.ts). */
export const EVENT: usize = memory.data(EVENT_WORDS * 4, 16);
export const COUNTERS: usize = memory.data(Counter.Count * 4, 4);
export const TIMERS: usize = memory.data(TIMER_COUNT * 4, 4);
/** Option values by Option id (slot 0 unused), starting at the profile's defaults. */
export const OPTIONS: usize = memory.data<u32>([
  0,
  1,                      // AutoReconnect
  0,                      // Seed
  Overflow.RejectNew,     // OverflowPolicy
  RECONNECT_BASE_MS,      // ReconnectBaseMs
  RECONNECT_MAX_MS,       // ReconnectMaxMs
  CONNACK_TIMEOUT_MS,     // ConnackTimeoutMs
  PINGRESP_TIMEOUT_MS,    // PingrespTimeoutMs
  1,                      // TopicAliasOut
  65535,                  // InflightMax
  1,                      // StrictReceiveMaximum
]);
if (Option.StrictReceiveMaximum != 10 || Option.Count != 11) ERROR("OPTIONS lists one default per Option, in id order");

/** Integer values of the properties of the last packet scanned, one u32 per identifier (codec/properties.ts). */
export const PROP_VALUES: usize = memory.data(MQTT5_ENABLED ? PROP_VALUE_BYTES : 4, 4);

// ---- Session tables ----
export const REQUESTS: usize = memory.data(REQUEST_SLOTS * REQUEST_SLOT_BYTES, 4);
export const INBOUND_QOS2: usize = memory.data(INBOUND_QOS2_SLOTS * 2, 4);
export const ALIAS_OUT: usize = memory.data(TOPIC_ALIAS_OUT_SLOTS * ALIAS_SLOT_BYTES + 4, 4);
export const ALIAS_IN: usize = memory.data(TOPIC_ALIAS_IN_SLOTS * ALIAS_SLOT_BYTES + 4, 4);

// ---- Buffers (owners: RX session/rx-window.ts, TX session/transmitter.ts, SCRATCH and PROPS the host's commands) ----
export const RX: usize = memory.data(RX_BUFFER_BYTES, 16);
export const TX: usize = memory.data(TX_BUFFER_BYTES, 16);
export const SCRATCH: usize = memory.data(SCRATCH_BYTES, 16);
export const PROPS: usize = memory.data(PROPS_BYTES + 4, 16);
/** The CONNECT packet's body, built once by configure() (session/connect-config.ts). */
export const CONNECT: usize = memory.data(CONNECT_BYTES, 16);
/** QoS 1/2 messages awaiting acknowledgement and messages queued while offline (session/outbox.ts). */
export const OUTBOX: usize = memory.data(OUTBOX_BYTES, 16);

// Offsets and sizes as data (the host reads them once per instance), in Region order.
const OFFSETS: usize = memory.data<u32>([
  <u32>RX, <u32>TX, <u32>SCRATCH, <u32>PROPS, <u32>CONNECT, <u32>OUTBOX, <u32>EVENT, <u32>REQUESTS,
  <u32>INBOUND_QOS2, <u32>ALIAS_OUT, <u32>ALIAS_IN, <u32>PROP_VALUES, <u32>COUNTERS, <u32>TIMERS, <u32>OPTIONS,
]);
const SIZES: usize = memory.data<i32>([
  RX_BUFFER_BYTES, TX_BUFFER_BYTES, SCRATCH_BYTES, PROPS_BYTES, CONNECT_BYTES, OUTBOX_BYTES, EVENT_WORDS * 4,
  REQUEST_SLOTS * REQUEST_SLOT_BYTES, INBOUND_QOS2_SLOTS * 2, TOPIC_ALIAS_OUT_SLOTS * ALIAS_SLOT_BYTES,
  TOPIC_ALIAS_IN_SLOTS * ALIAS_SLOT_BYTES, PROP_VALUE_BYTES, Counter.Count * 4, TIMER_COUNT * 4, Option.Count * 4,
]);
if (Region.Count != 15) ERROR("OFFSETS and SIZES list every Region, in id order");

export function regionOffset(id: i32): usize {
  return <u32>id < <u32>Region.Count ? <usize>load<u32>(OFFSETS + (<usize>id << 2)) : 0;
}

export function regionSize(id: i32): i32 {
  return <u32>id < <u32>Region.Count ? load<i32>(SIZES + (<usize>id << 2)) : 0;
}
