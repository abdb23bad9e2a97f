// Way 3 of 4: round trips across implementations. What our decoder makes of a receive-side
// vector, written again by mqtt-packet, gives the vector's bytes (or the other valid form
// mqtt-packet always writes, given in the vector); mqtt-packet parses the vector to the same
// object. What our client emits for a send-side vector, parsed by mqtt-packet, is the vector's
// packet plus the properties the firmware announces from its budget.
import { describe, expect, test } from "vitest";
import { Firmware } from "../../host/firmware.ts";
import { clientEmits } from "../support/codec-drive.ts";
import { comparable, decodeRx, hexBytes, mqttGenerate, mqttParse, spacedHex, type Packet } from "../support/codec-packets.ts";
import { bytesOf, profilesOf, rxVectorFiles, txVectorFiles } from "../support/codec-vectors.ts";

for (const file of rxVectorFiles().filter((f) => f.vectors.some((x) => x.expect))) {
  describe(file.file, () => {
    for (const v of file.vectors.filter((x) => x.expect)) {
      if (v.mqttPacketRejects) {
        test(`${v.name}: mqtt-packet still refuses it (${v.mqttPacketRejects})`, () => {
          expect(mqttParse(bytesOf(v), v.version).error).toBeDefined();
        });
      } else test(`${v.name}: mqtt-packet parses it to the expected packet`, () => {
        const parsed = mqttParse(bytesOf(v), v.version);
        expect({ error: parsed.error, packets: parsed.packets.map((p) => comparable(p, v.version)) })
          .toEqual({ error: undefined, packets: [comparable(v.expect!, v.version)] });
      });
      for (const profile of profilesOf(v)) {
        const fw = new Firmware(profile);
        const want = v.mqttPacketWrites ?? v.hex;
        test(`${v.name} [${profile}]: mqtt-packet writes our decoding as ${v.mqttPacketWrites ? "its own valid form" : "the same bytes"}`, () => {
          const ours = decodeRx(fw, bytesOf(v), v.version);
          expect(ours.rc).toBe(0);
          expect(spacedHex(mqttGenerate(ours.packet!, v.version))).toBe(spacedHex(hexBytes(want)));
        });
      }
    }
  });
}

for (const file of txVectorFiles()) {
  describe(file.file, () => {
    for (const v of file.vectors) {
      for (const profile of profilesOf(v)) {
        test(`${v.name} [${profile}]: mqtt-packet parses our bytes to the vector's packet`, () => {
          const out = clientEmits(v.packet, { version: v.version, profile, session: v.session });
          const parsed = mqttParse(out, v.version);
          const want: Packet = v.budgetProperties
            ? { ...v.packet, properties: { ...(v.packet.properties as object), ...v.budgetProperties } }
            : v.packet;
          expect({ error: parsed.error, packets: parsed.packets.map((p) => comparable(p, v.version)) })
            .toEqual({ error: undefined, packets: [comparable(want, v.version)] });
        });
      }
    }
  });
}
