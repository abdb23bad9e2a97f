// A CONNECT recognised by its first bytes: how the raw bridge finds where a board's MQTT
// session starts in a serial byte stream (after a boot banner, line noise or half a packet).

const MQTT_NAMES = [[0, 4, 0x4d, 0x51, 0x54, 0x54], [0, 6, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70]]; // "MQTT", "MQIsdp"

/** Whether bytes are (the start of) a CONNECT: fixed header 0x10, remaining length, protocol name. */
export function connectSignature(a: readonly number[]): "no" | "partial" | "match" {
  if (a.length === 0) return "partial";
  if (a[0] !== 0x10) return "no";
  let k = 1;
  let length = 0;
  for (let multiplier = 1; ; multiplier *= 128) {
    if (k >= a.length) return "partial";
    const b = a[k++];
    length += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) break;
    if (k === 5) return "no";
  }
  if (length < 10) return "no";
  let partial = false;
  for (const name of MQTT_NAMES) {
    let j = 0;
    while (j < name.length && k + j < a.length && a[k + j] === name[j]) j++;
    if (j === name.length) return "match";
    if (k + j === a.length) partial = true;
  }
  return partial ? "partial" : "no";
}
