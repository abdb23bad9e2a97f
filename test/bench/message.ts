// The benchmark's message: a QoS 0 PUBLISH with a 64-byte payload, MQTT 3.1.1.
export const TOPIC = "sensors/mote-0042/temperature";
export const PAYLOAD = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff));
export const PROTOCOL_VERSION = 4;

/** Keeps results observable so the JIT cannot drop the work being measured. */
export const sink = { value: 0 };
