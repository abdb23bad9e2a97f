// Control packet types (spec 2.1.2) as u32 constants for the codec; their values are the
// PacketType enum in abi-numbers.ts, which the host shares.
import { PacketType } from "../abi-numbers";

export const CONNECT: u32 = PacketType.CONNECT;
export const CONNACK: u32 = PacketType.CONNACK;
export const PUBLISH: u32 = PacketType.PUBLISH;
export const PUBACK: u32 = PacketType.PUBACK;
export const PUBREC: u32 = PacketType.PUBREC;
export const PUBREL: u32 = PacketType.PUBREL;
export const PUBCOMP: u32 = PacketType.PUBCOMP;
export const SUBSCRIBE: u32 = PacketType.SUBSCRIBE;
export const SUBACK: u32 = PacketType.SUBACK;
export const UNSUBSCRIBE: u32 = PacketType.UNSUBSCRIBE;
export const UNSUBACK: u32 = PacketType.UNSUBACK;
export const PINGREQ: u32 = PacketType.PINGREQ;
export const PINGRESP: u32 = PacketType.PINGRESP;
export const DISCONNECT: u32 = PacketType.DISCONNECT;
export const AUTH: u32 = PacketType.AUTH;

/** Protocol levels on the wire (CONNECT byte 7). */
export const MQTT311: u32 = 4;
export const MQTT5: u32 = 5;
