// Control packet types (spec 2.1.2) and the fixed-header flags each one requires [MQTT-2.1.3-1].
export const CONNECT: u32 = 1;
export const CONNACK: u32 = 2;
export const PUBLISH: u32 = 3;
export const PUBACK: u32 = 4;
export const PUBREC: u32 = 5;
export const PUBREL: u32 = 6;
export const PUBCOMP: u32 = 7;
export const SUBSCRIBE: u32 = 8;
export const SUBACK: u32 = 9;
export const UNSUBSCRIBE: u32 = 10;
export const UNSUBACK: u32 = 11;
export const PINGREQ: u32 = 12;
export const PINGRESP: u32 = 13;
export const DISCONNECT: u32 = 14;
export const AUTH: u32 = 15;

/** Protocol levels on the wire (CONNECT byte 7). */
export const MQTT311: u32 = 4;
export const MQTT5: u32 = 5;
