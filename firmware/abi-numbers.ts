// Every number that crosses between the firmware and the host, once. Plain TypeScript on purpose
// (no AssemblyScript types or builtins): the firmware compiles this file, and host/abi.ts
// re-exports it, so neither side can drift from the other. Reason and Status codes are in
// reason.ts, the session's states in session/state-table.ts, budgets in the profiles.

/** ABI version: the host refuses a module whose version it does not know. */
export const ABI_VERSION = 5;

/** What info(kind, id) answers (firmware/index.ts). */
export enum Info { AbiVersion, RegionCount, RegionOffset, RegionSize, Budget, Counter, SessionState }

/** The rare commands behind control(op, a, b, c) (firmware/index.ts). */
/** configure()'s clean-start argument with this bit set: a fresh CONNECT for the configured session, which is kept. */
export const CONFIGURE_KEEP_SESSION = 2;

export enum Control { SetOption, PropsSet, TransportOpened, TransportClosed, HandleTimeout, Request, Disconnect, Auth, DecodeRx }

/** Region ids, in the order of the region table (regions.ts places them). */
export enum Region { Rx, Tx, Scratch, Props, Connect, Outbox, Event, Requests, InboundQos2, AliasOut, AliasIn, PropValues, Counters, Timers, Options, Count }

/** Budget constants by id, as info(Budget, id) answers them: the names of the profiles' constants. */
export enum Budget {
  MQTT5_ENABLED, RX_BUFFER_BYTES, TX_BUFFER_BYTES, SCRATCH_BYTES, PROPS_BYTES, CONNECT_BYTES, OUTBOX_BYTES,
  INFLIGHT_COUNT_MAX, REQUEST_SLOTS, INBOUND_QOS2_SLOTS, TOPIC_ALIAS_OUT_SLOTS, TOPIC_ALIAS_IN_SLOTS,
  TOPIC_ALIAS_TOPIC_BYTES, MAX_INBOUND_PACKET_BYTES, CONNACK_TIMEOUT_MS, PINGRESP_TIMEOUT_MS,
  RECONNECT_BASE_MS, RECONNECT_MAX_MS, Count,
}

/** Control packet types (spec 2.1.2); codec/packet-type.ts gives the firmware its u32 constants. */
export enum PacketType {
  CONNECT = 1, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK,
  PINGREQ, PINGRESP, DISCONNECT, AUTH,
}

/** Operating counters the host can read at any time (counters.ts). They only ever grow. */
export enum Counter {
  BytesIn, BytesOut, PacketsIn, MessagesIn, MessagesOut, PublishesCompleted,
  DuplicatesSuppressed, OutboxRejected, OutboxDropped, ProtocolViolations, Connects,
  PingsSent, InboundQos2Overflow, UnexpectedAcks, Count,
}

// ---- Options the host may change at run time (session/options.ts; defaults in regions.ts) ----

export enum Option {
  /** 1: schedule a reconnect (ReconnectDue) after the transport closes; 0: go idle. */
  AutoReconnect = 1,
  /** Seed of the jitter PRNG (write-only). */
  Seed = 2,
  /** Outbox overflow policy (enum Overflow). */
  OverflowPolicy = 3,
  ReconnectBaseMs = 4,
  ReconnectMaxMs = 5,
  ConnackTimeoutMs = 6,
  PingrespTimeoutMs = 7,
  /** 1: assign outgoing MQTT 5 topic aliases when the server allows them. */
  TopicAliasOut = 8,
  /**
   * In-flight QoS 1/2 window below INFLIGHT_COUNT_MAX. MQTT 3.1.1 has no Receive Maximum, and
   * some servers silently drop QoS 2 beyond their own window (mosquitto: 20): the host sets it.
   */
  InflightMax = 9,
  /**
   * 1 (default, the spec's rule [MQTT-3.3.4-9]): more unreleased incoming QoS 2 messages than the
   * table holds is a DISCONNECT 0x93. 0: deliver them without a duplicate record and count them
   * (InboundQos2Overflow), for servers that overrun the window (mosquitto 2.0.11 does).
   */
  StrictReceiveMaximum = 10,
  Count = 11,
}

/** Outbox overflow policies: refuse the new message, or evict the oldest unsent QoS 0 messages. */
export enum Overflow { RejectNew = 0, DropOldestQos0 = 1 }

// ---- The event record that pollEvent() fills (event.ts) ----

export enum EventType {
  None = 0,
  /** CONNACK accepted. flags bit 0: session present. props: CONNACK properties. */
  Connected = 1,
  /** CONNACK refused. reason: the server's code (3.1.1 return codes mapped to 5.0 codes). */
  ConnectRefused = 2,
  /** An incoming application message, or one chunk of it (flags: first/last chunk). */
  Message = 3,
  /** An outgoing QoS 1/2 message is complete (PUBACK / PUBCOMP) or refused (reason >= 0x80). */
  PublishDone = 4,
  /** SUBACK: payload = one reason code per filter. */
  SubscribeDone = 5,
  /** UNSUBACK: payload = one reason code per filter (MQTT 5 only; empty for 3.1.1). */
  UnsubscribeDone = 6,
  /** The server sent DISCONNECT (reason, props). The host should close the transport. */
  ServerDisconnect = 7,
  /**
   * The server broke the protocol; a DISCONNECT with `reason` (MQTT 5) is in TX. Flush TX, then close.
   * Over a topic alias: alias and topic length say which (0x83: the topic exceeds TOPIC_ALIAS_TOPIC_BYTES).
   */
  ProtocolViolation = 8,
  /** CONNACK or PINGRESP did not arrive in time (reason 0x8D Keep Alive timeout). Close the transport. */
  Timeout = 9,
  /** The reconnect delay has passed: open the transport and call transportOpened(). */
  ReconnectDue = 10,
  /** AUTH from the server (MQTT 5 enhanced authentication): reason, props. */
  Auth = 11,
  /** Queued QoS 0 messages were evicted by the outbox overflow policy. value: how many since the last report. */
  MessageDropped = 12,
}

// Word indexes in the event record.
export const EV_TYPE = 0;
export const EV_REASON = 1;
export const EV_PACKET_ID = 2;
/** Message: bit0 retain, bit1-2 QoS, bit3 dup, bit4 first chunk, bit5 last chunk. Connected: bit0 session present. */
export const EV_FLAGS = 3;
export const EV_TOPIC_PTR = 4;
export const EV_TOPIC_LEN = 5;
export const EV_PAYLOAD_PTR = 6;
export const EV_PAYLOAD_LEN = 7;
export const EV_PROPS_PTR = 8;
export const EV_PROPS_LEN = 9;
/** Message: offset of this chunk in the whole payload. */
export const EV_OFFSET = 10;
/** Message: length of the whole payload. */
export const EV_TOTAL = 11;
/** Wire packet type the event came from (0 for local events). */
export const EV_PACKET_TYPE = 12;
/** Message, ProtocolViolation: the topic alias the server used (0 = none). */
export const EV_ALIAS = 13;
/** ReconnectDue: the reconnect attempt (1 = first). MessageDropped: how many messages were dropped. */
export const EV_VALUE = 14;

export const FLAG_FIRST_CHUNK = 1 << 4;
export const FLAG_LAST_CHUNK = 1 << 5;
