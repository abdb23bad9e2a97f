// Way 1 of 4: our pure decoder (decodeRx) on every receive-side vector. Valid packets decode to
// the vector's object; invalid ones are refused with the reason code the specification assigns.
import { describe, expect, test } from "vitest";
import { Firmware } from "../../host/firmware.ts";
import { comparable, decodeRx, toJson } from "../support/codec-packets.ts";
import { bytesOf, profilesOf, rejectCodes, rxVectorFiles } from "../support/codec-vectors.ts";

for (const file of rxVectorFiles()) {
  describe(file.file, () => {
    for (const v of file.vectors) {
      for (const profile of profilesOf(v)) {
        const fw = new Firmware(profile);
        const label = `${v.name} [${profile}]${v.rule ? ` ${v.rule}` : ""}`;
        if (v.expect) {
          test(`${label}: decodes to the expected packet`, () => {
            const got = decodeRx(fw, bytesOf(v), v.version);
            expect({ rc: got.rc, packet: got.packet && toJson(got.packet) }).toEqual({ rc: 0, packet: comparable(v.expect!, v.version) });
          });
        } else if (v.reject?.incomplete) {
          test(`${label}: asks for more bytes (-1)`, () => {
            expect(decodeRx(fw, bytesOf(v), v.version).rc).toBe(-1);
          });
        } else {
          const codes = rejectCodes(v);
          test(`${label}: is refused with ${codes.map((c) => "0x" + c.toString(16)).join(" or ")}`, () => {
            expect(codes).toContain(decodeRx(fw, bytesOf(v), v.version).rc);
          });
        }
      }
    }
  });
}
