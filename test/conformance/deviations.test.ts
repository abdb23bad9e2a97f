// deviations.json stays honest: every entry names a case that exists, says what, why and
// which rule, and a packet-field entry names a packet type some matching case expects.
import { describe, expect, test } from "vitest";
import { DEVIATIONS, deviationsFor } from "./deviations.ts";
import { loadMosquittoCases, parseHex } from "./mosquitto-cases.ts";
import { packetName } from "./packet-diff.ts";

const CASES = loadMosquittoCases().flatMap((f) => f.groups.flatMap((g) => g.cases));

describe("deviations.json", () => {
  for (const [i, d] of DEVIATIONS.entries()) {
    const label = `#${i} ${d.kind} ${d.group ?? "any group"} / ${d.case} (v${d.version})`;
    const matching = CASES.filter((c) => deviationsFor(c).includes(d));

    test(`${label} applies to at least one case`, () => {
      expect(matching.length).toBeGreaterThan(0);
    });

    test(`${label} says what differs, why, and which rule`, () => {
      expect([d.what.length > 20, d.why.length > 20, d.rule.length > 5]).toEqual([true, true, true]);
    });

    if (d.kind === "packet-field") {
      test(`${label} names a packet type that a matching case expects from the client`, () => {
        const expected = matching.flatMap((c) => c.msgs.filter((m) => m.type === "recv").map((m) => packetName(parseHex(m.payload))));
        expect(expected).toContain(d.packet);
      });
    }
  }
});
