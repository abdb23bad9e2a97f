// Relationships between budget constants, checked when the firmware is compiled: a profile
// that breaks one does not build. Each message says why the rule exists.
import {
  MQTT5_ENABLED, RX_BUFFER_BYTES, TX_BUFFER_BYTES, SCRATCH_BYTES, PROPS_BYTES, CONNECT_BYTES, OUTBOX_BYTES,
  INFLIGHT_COUNT_MAX, REQUEST_SLOTS, INBOUND_QOS2_SLOTS, TOPIC_ALIAS_OUT_SLOTS, TOPIC_ALIAS_IN_SLOTS,
  TOPIC_ALIAS_TOPIC_BYTES, MAX_INBOUND_PACKET_BYTES, RECONNECT_BASE_MS, RECONNECT_MAX_MS,
} from "./budget";

// Room for a fixed header, a topic and the packet identifier of a chunked PUBLISH.
if (!(RX_BUFFER_BYTES >= 64)) ERROR("RX_BUFFER_BYTES must hold at least a PUBLISH header (64 bytes)");
// A DISCONNECT or a SUBSCRIBE must fit in TX whole; 64 bytes is the smallest useful TX.
if (!(TX_BUFFER_BYTES >= 64)) ERROR("TX_BUFFER_BYTES must be at least 64 bytes");
if (!(SCRATCH_BYTES >= 64)) ERROR("SCRATCH_BYTES must be at least 64 bytes");
if (!(CONNECT_BYTES >= 32)) ERROR("CONNECT_BYTES must hold a minimal CONNECT (32 bytes)");
// CONNECT is copied into TX whole at every (re)connect.
if (!(CONNECT_BYTES <= TX_BUFFER_BYTES)) ERROR("CONNECT_BYTES must not exceed TX_BUFFER_BYTES");
// TX must take the rewritten header of an aliased PUBLISH (topic, id, properties) in one piece.
if (!(TX_BUFFER_BYTES >= TOPIC_ALIAS_TOPIC_BYTES + 32)) ERROR("TX_BUFFER_BYTES must exceed TOPIC_ALIAS_TOPIC_BYTES by 32");
// The outbox must hold at least one entry header plus a small PUBLISH.
if (!(OUTBOX_BYTES >= 64)) ERROR("OUTBOX_BYTES must be at least 64 bytes");
if (!(OUTBOX_BYTES % 4 == 0)) ERROR("OUTBOX_BYTES must be a multiple of 4 (entries are 4-byte aligned)");
if (!(INFLIGHT_COUNT_MAX >= 1 && INFLIGHT_COUNT_MAX <= 65535)) ERROR("INFLIGHT_COUNT_MAX must be 1..65535 (Receive Maximum range)");
// At CONNACK every PUBREL of the in-flight window goes into TX at once, behind a CONNECT the
// host may not have drained yet (session.ts resumeOutbox).
if (!(CONNECT_BYTES + INFLIGHT_COUNT_MAX * 4 <= TX_BUFFER_BYTES)) ERROR("TX_BUFFER_BYTES must hold CONNECT plus a PUBREL per in-flight slot");
if (!(REQUEST_SLOTS >= 1)) ERROR("REQUEST_SLOTS must be at least 1 to subscribe");
if (!(INBOUND_QOS2_SLOTS >= 1 && INBOUND_QOS2_SLOTS <= 65535)) ERROR("INBOUND_QOS2_SLOTS is announced as Receive Maximum: 1..65535");
if (!(TOPIC_ALIAS_OUT_SLOTS <= 65535 && TOPIC_ALIAS_IN_SLOTS <= 65535)) ERROR("topic alias slots are u16 on the wire");
if (!(MAX_INBOUND_PACKET_BYTES >= RX_BUFFER_BYTES)) ERROR("MAX_INBOUND_PACKET_BYTES below RX_BUFFER_BYTES wastes RX");
if (!(MAX_INBOUND_PACKET_BYTES <= 268435455)) ERROR("MAX_INBOUND_PACKET_BYTES exceeds the largest MQTT packet (268,435,455)");
if (!(RECONNECT_BASE_MS <= RECONNECT_MAX_MS)) ERROR("RECONNECT_BASE_MS must not exceed RECONNECT_MAX_MS");
if (!MQTT5_ENABLED) {
  // Without MQTT 5 there are no properties and no topic aliases to store.
  if (!(PROPS_BYTES == 0 && TOPIC_ALIAS_OUT_SLOTS == 0 && TOPIC_ALIAS_IN_SLOTS == 0)) ERROR("3.1.1-only profiles must not reserve v5 regions");
} else {
  if (!(PROPS_BYTES >= 16)) ERROR("PROPS_BYTES must be at least 16 with MQTT 5");
  if (!((TOPIC_ALIAS_OUT_SLOTS == 0 && TOPIC_ALIAS_IN_SLOTS == 0) || TOPIC_ALIAS_TOPIC_BYTES >= 1)) ERROR("alias slots need TOPIC_ALIAS_TOPIC_BYTES");
}
