// Way 2 of 4: every send-side vector produced through the real session (configure and
// transportOpened for CONNECT, publish/subscribe/..., or the acknowledgement a server packet
// calls for) must come out byte for byte as written. Refusal vectors must not reach the wire.
import { describe, expect, test } from "vitest";
import { clientEmits, clientOutcome } from "../support/codec-drive.ts";
import { spacedHex } from "../support/codec-packets.ts";
import { bytesOf, profilesOf, refusalVectorFiles, txVectorFiles } from "../support/codec-vectors.ts";

for (const file of txVectorFiles()) {
  describe(file.file, () => {
    for (const v of file.vectors) {
      for (const profile of profilesOf(v)) {
        test(`${v.name} [${profile}]${v.rule ? ` ${v.rule}` : ""}: our client emits exactly the vector's bytes`, () => {
          const out = clientEmits(v.packet, { version: v.version, profile, session: v.session });
          expect(spacedHex(out)).toBe(spacedHex(bytesOf(v)));
        });
      }
    }
  });
}

for (const file of refusalVectorFiles()) {
  describe(file.file, () => {
    for (const v of file.vectors) {
      const allowed = Array.isArray(v.refused) ? v.refused : [v.refused];
      for (const profile of profilesOf(v)) {
        test(`${v.name} [${profile}]${v.rule ? ` ${v.rule}` : ""}: is refused (${allowed.join(" or ")})`, () => {
          expect(allowed).toContain(clientOutcome(v.packet, { version: v.version, profile, session: v.session }));
        });
      }
    }
  });
}
