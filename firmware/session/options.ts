// Options the host may change at run time: one u32 each, defaults from the budget profile.
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS, CONNACK_TIMEOUT_MS, PINGRESP_TIMEOUT_MS } from "../budget";
import { Status } from "../reason";
import { prngSeed } from "./prng";

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

export const OPTIONS: usize = memory.data<u32>([
  0, 1, 0, Overflow.RejectNew, RECONNECT_BASE_MS, RECONNECT_MAX_MS, CONNACK_TIMEOUT_MS, PINGRESP_TIMEOUT_MS, 1, 65535, 1,
]);

// @ts-ignore: decorator
@inline export function option(id: Option): u32 {
  return load<u32>(OPTIONS + (<usize>id << 2));
}

export function setOption(id: i32, value: u32): i32 {
  if (id < 1 || id >= Option.Count || (id == Option.OverflowPolicy && value > 1)) return -Status.BadArgument;
  store<u32>(OPTIONS + (<usize>id << 2), value);
  if (id == Option.Seed) prngSeed(value);
  return 0;
}
