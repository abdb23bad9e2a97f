// The few MQTT 3.1.1 packets the emulator tests carry, as bytes (mqtt-packet writes them): the
// modem carries bytes, so the tests send these and compare what comes back byte for byte.
import mqtt from "mqtt-packet";

const bytes = (p: object): Buffer => mqtt.generate(p as mqtt.Packet);

/** CONNECT, clean session, keepalive 60 s. */
export function connect(clientId: string): Buffer {
  return bytes({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 60, clientId });
}

export const CONNACK_ACCEPTED = Buffer.from([0x20, 0x02, 0x00, 0x00]);

export function subscribe(topic: string, messageId: number): Buffer {
  return bytes({ cmd: "subscribe", messageId, subscriptions: [{ topic, qos: 0 }] });
}

/** SUBACK granting QoS 0. */
export function suback(messageId: number): Buffer {
  return bytes({ cmd: "suback", messageId, granted: [0] });
}

/** QoS 0 PUBLISH. */
export function publish(topic: string, payload: Uint8Array): Buffer {
  return bytes({ cmd: "publish", topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false });
}

export const DISCONNECT = bytes({ cmd: "disconnect" });

/** Every byte value once: 0x00..0xff. */
export const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
