// What this connection agreed on: the protocol version we asked for and the limits the
// server's CONNACK set. Reset on every CONNECT; read by the transmitter and the session.
import { INFLIGHT_COUNT_MAX, MQTT5_ENABLED, TOPIC_ALIAS_OUT_SLOTS } from "../budget";
import { propOr } from "../codec/properties";
import { Option, option } from "./options";
import { Prop } from "../prop";

let v5flag: bool = false;
/** MQTT 5 (true) or 3.1.1 (false), fixed by configure(). Constant false in 3.1.1-only profiles, so their v5 code folds away. */
// @ts-ignore: decorator
@inline export function v5(): bool { return MQTT5_ENABLED && v5flag; }
/** In-flight QoS 1/2 limit: min(INFLIGHT_COUNT_MAX, the InflightMax option, the server's Receive Maximum). */
export let sendQuota: i32 = INFLIGHT_COUNT_MAX;
/** Largest packet the server accepts (Maximum Packet Size; 268,435,460 when absent). */
export let serverMaxPacket: i32 = 268435460;
/** Outgoing alias slots we may use: min(slots, server Topic Alias Maximum), 0 when off. */
export let aliasUsable: i32 = 0;
export let serverMaxQos: u32 = 2;
export let serverRetain: bool = true;
/** Keep alive in milliseconds (ours, or the server's Server Keep Alive); 0 = off. */
export let keepAliveMs: u32 = 0;

export function negotiatedReset(version5: bool, keepAlive: u32): void {
  v5flag = version5;
  sendQuota = <i32>min<u32>(option(Option.InflightMax), <u32>INFLIGHT_COUNT_MAX);
  serverMaxPacket = 268435460;
  aliasUsable = 0;
  serverMaxQos = 2;
  serverRetain = true;
  keepAliveMs = keepAlive * 1000;
}

/** Applies the limits of an accepted 5.0 CONNACK, from the properties of the last scan. */
export function negotiatedFromConnack(aliasOn: bool): void {
  sendQuota = <i32>min<u32>(propOr(Prop.ReceiveMaximum, 65535), <u32>sendQuota);
  serverMaxPacket = <i32>min<u32>(propOr(Prop.MaximumPacketSize, 268435460), 268435460);
  aliasUsable = aliasOn ? <i32>min<u32>(propOr(Prop.TopicAliasMaximum, 0), <u32>TOPIC_ALIAS_OUT_SLOTS) : 0;
  serverMaxQos = propOr(Prop.MaximumQoS, 2);
  serverRetain = propOr(Prop.RetainAvailable, 1) != 0;
  keepAliveMs = propOr(Prop.ServerKeepAlive, keepAliveMs / 1000) * 1000; // Server Keep Alive wins [MQTT-3.2.2-21]
}
