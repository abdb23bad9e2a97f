// Budget profile "default": MQTT 3.1.1 + 5.0, 1 KiB RX, 1 KiB TX, 16 in flight.
// Every capacity of the firmware is a constant in this file; firmware/budget-checks.ts
// fails the build when two of them disagree. Units are the last word of each name.

/** Protocol 5.0 code (properties, topic aliases, reason codes) is compiled in. */
export const MQTT5_ENABLED: bool = true;

/** Incoming stream bytes (owner: firmware decoder; the host writes at rxWritePtr()). */
export const RX_BUFFER_BYTES: i32 = 1024;
/** Outgoing bytes ready for the host (owner: firmware; the host copies them out). */
export const TX_BUFFER_BYTES: i32 = 1024;
/** Host-to-firmware argument area: topics, payloads, strings for the next command. */
export const SCRATCH_BYTES: i32 = 1024;
/** v5 properties being built for the next command (owner: host via prop* calls). */
export const PROPS_BYTES: i32 = 256;
/** The CONNECT packet, built once and re-sent on every reconnect. */
export const CONNECT_BYTES: i32 = 512;
/** QoS 1/2 messages awaiting acknowledgement and messages queued while offline. */
export const OUTBOX_BYTES: i32 = 4096;
/** Outgoing QoS 1/2 messages in flight at once (further bounded by the server's Receive Maximum). */
export const INFLIGHT_COUNT_MAX: i32 = 16;
/** SUBSCRIBE / UNSUBSCRIBE requests awaiting their acknowledgement. */
export const REQUEST_SLOTS: i32 = 8;
/** Incoming QoS 2 packet identifiers awaiting PUBREL (duplicate suppression); also our Receive Maximum. */
export const INBOUND_QOS2_SLOTS: i32 = 16;
/** Outgoing topic aliases we may assign (v5), bounded by the server's Topic Alias Maximum. */
export const TOPIC_ALIAS_OUT_SLOTS: i32 = 8;
/** Incoming topic aliases we accept (v5); announced as our Topic Alias Maximum. */
export const TOPIC_ALIAS_IN_SLOTS: i32 = 8;
/** Longest topic an alias slot can hold, both directions. */
export const TOPIC_ALIAS_TOPIC_BYTES: i32 = 64;
/** Largest packet we accept (v5 Maximum Packet Size); larger PUBLISH payloads arrive in chunks. */
export const MAX_INBOUND_PACKET_BYTES: i32 = 268435455;

/** Time allowed for CONNACK after CONNECT is sent. */
export const CONNACK_TIMEOUT_MS: u32 = 10000;
/** Time allowed for PINGRESP after PINGREQ is sent. */
export const PINGRESP_TIMEOUT_MS: u32 = 10000;
/** First reconnect delay; doubled per failed attempt up to the maximum, with equal jitter (half fixed, half random). */
export const RECONNECT_BASE_MS: u32 = 1000;
export const RECONNECT_MAX_MS: u32 = 60000;
