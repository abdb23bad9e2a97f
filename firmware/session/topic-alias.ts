// MQTT 5 topic aliases (spec 3.3.2.3.4). Outgoing: a fixed table of topics we have mapped on
// this connection, so a repeated topic costs 3 bytes instead of the whole name. Incoming: the
// topics the server mapped, so an alias-only PUBLISH can be delivered with its topic.
// Both tables are per connection and cleared when the transport closes.
import { TOPIC_ALIAS_OUT_SLOTS, TOPIC_ALIAS_IN_SLOTS, TOPIC_ALIAS_TOPIC_BYTES } from "../budget";
import { ALIAS_OUT, ALIAS_IN, ALIAS_SLOT_BYTES } from "../regions";
import { bytesEqual } from "../codec/bytes-equal";

@inline function outSlot(i: i32): usize { return ALIAS_OUT + <usize>(i * ALIAS_SLOT_BYTES); }
@inline function inSlot(i: i32): usize { return ALIAS_IN + <usize>(i * ALIAS_SLOT_BYTES); }

/** Round-robin victim when every usable outgoing slot is taken. */
let nextVictim: i32 = 0;

export function aliasReset(): void {
  memory.fill(ALIAS_OUT, 0, <usize>(TOPIC_ALIAS_OUT_SLOTS * ALIAS_SLOT_BYTES));
  memory.fill(ALIAS_IN, 0, <usize>(TOPIC_ALIAS_IN_SLOTS * ALIAS_SLOT_BYTES));
  nextVictim = 0;
}

function sameTopic(slotPtr: usize, topic: usize, len: i32): bool {
  if (<i32>load<u16>(slotPtr) != len) return false;
  return bytesEqual(slotPtr + 4, topic, len);
}

/** Set by aliasOut: true when the alias was already known to the server (send an empty topic). */
export let aliasKnown: bool = false;

/**
 * The outgoing alias for a topic, assigning one if needed; 0 when the topic is not aliased
 * (aliasing off, topic too long for a slot). `usable` is min(slots, server Topic Alias Maximum).
 */
export function aliasOut(topic: usize, len: i32, usable: i32): u32 {
  aliasKnown = false;
  if (usable <= 0 || len > TOPIC_ALIAS_TOPIC_BYTES || len == 0) return 0;
  if (usable > TOPIC_ALIAS_OUT_SLOTS) usable = TOPIC_ALIAS_OUT_SLOTS;
  let free: i32 = -1;
  for (let i = 0; i < usable; i++) {
    let s = outSlot(i);
    if (load<u16>(s) == 0) { if (free < 0) free = i; continue; }
    if (sameTopic(s, topic, len)) { aliasKnown = true; return <u32>(i + 1); }
  }
  if (free < 0) {
    free = nextVictim;
    nextVictim = (nextVictim + 1) % usable;
  }
  let s = outSlot(free);
  store<u16>(s, <u16>len);
  memory.copy(s + 4, topic, <usize>len);
  return <u32>(free + 1);
}

/** Records an incoming mapping; false when the topic is longer than a slot holds. */
export function aliasInSet(alias: u32, topic: usize, len: i32): bool {
  if (len > TOPIC_ALIAS_TOPIC_BYTES) return false;
  let s = inSlot(<i32>alias - 1);
  store<u16>(s, <u16>len);
  memory.copy(s + 4, topic, <usize>len);
  return true;
}

/** Length of the topic mapped to an incoming alias (0 = not mapped); its bytes are at aliasInTopic(alias). */
export function aliasInLength(alias: u32): i32 {
  return load<u16>(inSlot(<i32>alias - 1));
}

export function aliasInTopic(alias: u32): usize {
  return inSlot(<i32>alias - 1) + 4;
}

export const ALIAS_IN_MAX: u32 = <u32>TOPIC_ALIAS_IN_SLOTS;
