// A user property is any UTF-8 string pair (MQTT 5.0 3.3.2.3.7); names that happen to be
// Object.prototype members ("toString", "constructor", "__proto__") must read back as sent.
import { describe, expect, it } from "vitest";
import { EV, Region } from "../../host/abi.ts";
import { Firmware } from "../../host/firmware.ts";
import { readProperties } from "../../host/properties.ts";
import { gen } from "../support/session-tools.ts";

describe("user property names", () => {
  it.each(["toString", "valueOf", "constructor", "hasOwnProperty"])("reads a PUBACK user property named %s as sent", (name) => {
    const fw = new Firmware("default");
    const bytes = gen({ cmd: "puback", messageId: 1, reasonCode: 0, properties: { userProperties: { [name]: "v" } } }, 5);
    fw.memory.set(bytes, fw.exports.regionOffset(Region.Rx));
    expect(fw.exports.decodeRx(bytes.length, 1)).toBe(0);
    const props = readProperties(fw, fw.ev(EV.PROPS_PTR), fw.ev(EV.PROPS_LEN));
    expect(Object.entries(props?.userProperties ?? {})).toEqual([[name, "v"]]);
  });
});
