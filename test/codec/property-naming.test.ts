// The host names MQTT 5 properties as mqtt-packet does (host/properties.ts says so), values
// included: a 0/1 byte property that mqtt-packet reports as a boolean must be a boolean here too.
import { expect, test } from "vitest";
import { EventType } from "../../host/abi.ts";
import { Firmware } from "../../host/firmware.ts";
import { readEvent } from "../../host/events.ts";
import { hexBytes, mqttParse } from "../support/codec-packets.ts";
import { Region } from "../../host/abi.ts";

test("payloadFormatIndicator of a received PUBLISH has the type mqtt-packet gives it (boolean)", () => {
  // 30 | 08: Remaining Length 8 | 00 01 74: "t" | 02: Property Length 2 | 01 01: Payload Format Indicator 1 | 68 69
  const bytes = hexBytes("30 08 00 01 74 02 01 01 68 69");
  const fw = new Firmware("default");
  fw.memory.set(bytes, fw.exports.regionOffset(Region.Rx));
  expect(fw.exports.decodeRx(bytes.length, 1)).toBe(0);
  const ours = readEvent(fw, EventType.Message).properties?.payloadFormatIndicator;
  const theirs = (mqttParse(bytes, 5).packets[0].properties as Record<string, unknown>).payloadFormatIndicator;
  expect({ ours, type: typeof ours }).toEqual({ ours: theirs, type: typeof theirs });
});
