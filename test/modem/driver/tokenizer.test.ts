// The modem tokenizer against the vectors in vectors/tokenizer.json, each fed whole, split at
// every byte boundary and one byte at a time; and the mode switches a consumer makes between
// two tokens of one chunk (passthrough after a prompt, raw-N on request).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tokenizer, type RawRule, type Token } from "../../../host/modem/tokenizer.ts";
import { ESP_AT } from "../../../host/modem/dialects/esp-at.ts";
import { BG96 } from "../../../host/modem/dialects/bg96.ts";

type Seg = { text: string } | { hex: string };
type Expected = { line: string } | { prompt: true } | { header: string; length: number } | { data: string };
interface Vector { name: string; rules: "none" | "esp-at" | "bg96"; input: Seg[]; tokens: Expected[] }

const file = JSON.parse(readFileSync(new URL("./vectors/tokenizer.json", import.meta.url), "utf8")) as { vectors: Vector[] };
const RULES: Record<Vector["rules"], readonly RawRule[]> = { none: [], "esp-at": ESP_AT.rawRules, bg96: BG96.rawRules };

const bytesOf = (segs: Seg[]) => Buffer.concat(segs.map((s) => ("hex" in s ? Buffer.from(s.hex, "hex") : Buffer.from(s.text, "latin1"))));

/** Feeds the pieces in order and returns the tokens, consecutive data merged, in the vectors' shape. */
function run(rules: readonly RawRule[], pieces: Buffer[]): Expected[] {
  const t = new Tokenizer(rules);
  const out: Expected[] = [];
  let data: Buffer[] = [];
  const flush = () => {
    if (data.length > 0) out.push({ data: Buffer.concat(data).toString("hex") });
    data = [];
  };
  const take = (tok: Token) => {
    if (tok.kind === "data") return void data.push(Buffer.from(tok.bytes));
    flush();
    if (tok.kind === "line") out.push({ line: tok.text });
    else if (tok.kind === "prompt") out.push({ prompt: true });
    else out.push({ header: tok.text, length: tok.length });
  };
  for (const p of pieces) {
    t.push(p);
    for (let tok = t.next(); tok; tok = t.next()) take(tok);
  }
  flush();
  return out;
}

describe("tokenizer vectors", () => {
  it("the vector file has the cases the driver depends on", () => {
    const names = file.vectors.map((v) => v.name).join("\n");
    for (const must of ["every byte value through raw mode", "between the prompt and the data", "without CR LF"]) expect(names).toContain(must);
    const all = file.vectors.filter((v) => v.name.includes("every byte value"));
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const v of all) {
      const d = v.tokens.find((t) => "data" in t) as { data: string };
      expect(new Set(Buffer.from(d.data, "hex")).size).toBe(256);
    }
  });

  describe.each(file.vectors.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    const input = bytesOf(v.input);
    const rules = RULES[v.rules];

    it("whole", () => {
      expect(run(rules, [input])).toEqual(v.tokens);
    });

    it("split at every byte boundary", () => {
      for (let i = 1; i < input.length; i++) {
        expect(run(rules, [input.subarray(0, i), input.subarray(i)]), `split at ${i}`).toEqual(v.tokens);
      }
    });

    it("one byte at a time", () => {
      const pieces = [...input].map((b) => Buffer.from([b]));
      expect(run(rules, pieces)).toEqual(v.tokens);
    });
  });
});

describe("mode switches by the consumer", () => {
  it("passthrough right after a prompt takes the rest of the same chunk as data, byte-exact", () => {
    const t = new Tokenizer(ESP_AT.rawRules);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    t.push(Buffer.concat([Buffer.from("\r\nOK\r\n\r\n>", "latin1"), all]));
    expect(t.next()).toEqual({ kind: "line", text: "OK" });
    expect(t.next()).toEqual({ kind: "prompt" });
    t.passthrough(true);
    const d = t.next();
    expect(d?.kind).toBe("data");
    expect(Buffer.from((d as { bytes: Buffer }).bytes)).toEqual(all);
    expect(t.next()).toBeUndefined();
    t.passthrough(false);
    t.push(Buffer.from("\r\nOK\r\n"));
    expect(t.next()).toEqual({ kind: "line", text: "OK" });
  });

  it("expectRaw(n) takes exactly n bytes, then line mode resumes in the same chunk", () => {
    const t = new Tokenizer();
    t.push(Buffer.from("HDR\r\n\r\n\x1a\x00>\r\nOK\r\n", "latin1"));
    expect(t.next()).toEqual({ kind: "line", text: "HDR" });
    t.expectRaw(6);
    const d = t.next() as { kind: "data"; bytes: Buffer; last: boolean };
    expect(d.kind).toBe("data");
    expect(d.bytes.toString("latin1")).toBe("\r\n\x1a\x00>\r");
    expect(d.last).toBe(true);
    expect(t.next()).toEqual({ kind: "line", text: "OK" });
  });

  it("a raw run reports last only on its final byte", () => {
    const t = new Tokenizer(BG96.rawRules);
    t.push(Buffer.from("+QIRD: 4\r\nab", "latin1"));
    expect(t.next()).toMatchObject({ kind: "header", length: 4, tag: "read" });
    expect(t.next()).toMatchObject({ kind: "data", last: false });
    expect(t.rawRemaining).toBe(2);
    t.push(Buffer.from("cd\r\nOK\r\n", "latin1"));
    expect(t.next()).toMatchObject({ kind: "data", last: true });
    expect(t.next()).toEqual({ kind: "line", text: "OK" });
  });

  it("reset() drops a half-read raw run and half a line", () => {
    const t = new Tokenizer(BG96.rawRules);
    t.push(Buffer.from("+QIRD: 100\r\nabc", "latin1"));
    t.next();
    t.next();
    t.push(Buffer.from("half a li", "latin1"));
    t.reset();
    t.push(Buffer.from("\r\nOK\r\n"));
    expect(t.next()).toEqual({ kind: "line", text: "OK" });
  });
});
