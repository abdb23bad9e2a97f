// The vector files stay what test/vectors/README.md says: every vector named, described field
// by field, well framed, citing rules in the spec's form, and together covering every packet
// type in both directions and versions and every kind of malformation the codec must reject.
import { describe, expect, test } from "vitest";
import { bytesOf, refusalVectorFiles, rxVectorFiles, txVectorFiles } from "../support/codec-vectors.ts";

const RULE = /^(\[MQTT-[\d.-]+\]|section [\d.]+)$/;
const RX = rxVectorFiles();
const TX = txVectorFiles();
const ALL = [...RX, ...TX, ...refusalVectorFiles()];

/** Remaining Length as written, and the bytes that follow it. */
function framing(b: Buffer): { declared: number; actual: number } {
  let declared = 0;
  let i = 1;
  for (let mul = 1; i < b.length; i++, mul *= 128) {
    declared += (b[i] & 0x7f) * mul;
    if ((b[i] & 0x80) === 0) break;
  }
  return { declared, actual: b.length - i - 1 };
}

type Vector = { version: number; hex: string; reject?: unknown };
const typesIn = (files: { vectors: Vector[] }[], version: number, valid: boolean) =>
  [...new Set(files.flatMap((f) => f.vectors).filter((v) => v.version === version && (!valid || !v.reject))
    .map((v) => bytesOf(v)[0] >> 4))].sort((a, b) => a - b);

describe("vector files", () => {
  for (const f of ALL) {
    test(`${f.file}: every vector has a unique name, a direction, a version, fields and a rule in the spec's form`, () => {
      const names = f.vectors.map((v) => `${v.name} (v${v.version})`);
      const bad = f.vectors.filter((v) => !(v.fields?.length > 10 && [4, 5].includes(v.version) &&
        v.direction === (f.file.startsWith("rx-") ? "server-to-client" : "client-to-server") && (v.rule === undefined || RULE.test(v.rule))));
      expect({ duplicates: names.filter((n, i) => names.indexOf(n) !== i), bad: bad.map((v) => `${v.name} (v${v.version})`) }).toEqual({ duplicates: [], bad: [] });
    });
  }
  for (const f of [...RX, ...TX]) {
    test(`${f.file}: every field note starts with the packet's first byte`, () => {
      const bad = f.vectors.filter((v) => !v.fields.startsWith(bytesOf(v).subarray(0, 1).toString("hex")));
      expect(bad.map((v) => v.name)).toEqual([]);
    });
  }
  for (const f of [...RX.filter((x) => x.file.startsWith("rx-valid")), ...TX]) {
    test(`${f.file}: each valid vector is exactly one packet (Remaining Length = bytes after it)`, () => {
      const bad = f.vectors.filter((v) => { const r = framing(bytesOf(v)); return r.declared !== r.actual; });
      expect(bad.map((v) => v.name)).toEqual([]);
    });
  }
  test("valid receive-side vectors cover every packet type a client receives, in both versions", () => {
    expect({ 4: typesIn(RX, 4, true), 5: typesIn(RX, 5, true) }).toEqual({ 4: [2, 3, 4, 5, 6, 7, 9, 11, 13], 5: [2, 3, 4, 5, 6, 7, 9, 11, 13, 14, 15] });
  });
  test("send-side vectors cover every packet type a client sends, in both versions", () => {
    expect({ 4: typesIn(TX, 4, false), 5: typesIn(TX, 5, false) }).toEqual({ 4: [1, 3, 4, 5, 6, 7, 8, 10, 12, 14], 5: [1, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15] });
  });
  test("invalid vectors cover every kind of fault the codec must reject, in both versions", () => {
    const kinds: Record<string, RegExp> = {
      "over-long varint": /fifth byte/, "unterminated varint": /continuation bit/, "too short": /too short/, "too long": /longer than the fields/,
      incomplete: /more bytes than follow/, "reserved flags": /fixed-header flags/, "QoS 3": /QoS 3/, "DUP with QoS 0": /QoS 0 with DUP/,
      "packet id 0": /Packet Identifier 0/, "invalid UTF-8": /invalid UTF-8/, overlong: /overlong/, "U+0000": /U\+0000/, surrogate: /surrogate/,
      wildcard: /wildcard/, "server-only packet": /only a server receives/,
    };
    const v5only: Record<string, RegExp> = {
      "non-minimal varint": /shortest form/, "unknown property": /is not a property/, "duplicated property": /twice/,
      "property not allowed": /not valid in|carrying/, "bad reason code": /may not carry/, "missing Property Length": /without a Property Length/,
    };
    const names = (v: number) => RX.filter((f) => f.file.startsWith("rx-invalid")).flatMap((f) => f.vectors).filter((x) => x.version === v).map((x) => x.name);
    const missing = (v: number, k: Record<string, RegExp>) => Object.entries(k).filter(([, re]) => !names(v).some((n) => re.test(n))).map(([n]) => n);
    expect({ 4: missing(4, kinds), 5: missing(5, { ...kinds, ...v5only }) }).toEqual({ 4: [], 5: [] });
  });
});
