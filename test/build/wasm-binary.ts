// A small reader for the Wasm binary format: enough to list sections and to walk every
// instruction of the code section, so that tests can look for opcodes (memory.grow) without
// mistaking an immediate byte for an opcode. Unknown opcodes throw: a decoder that guesses
// could silently skip the very instruction a test is looking for.

export interface Instruction {
  /** Opcode; prefixed instructions are (prefix << 8) | sub-opcode, e.g. 0xfc0a = memory.copy. */
  op: number;
  /** Index of the function body in the code section (imports not counted). */
  body: number;
}

export const OP_MEMORY_GROW = 0x40;

export class WasmReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new RangeError(`read past end at ${this.pos}`);
    return this.bytes[this.pos++];
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new RangeError(`LEB128 too long at ${this.pos}`);
    }
  }

  /** Skips a signed LEB128 (i32/i64 constants, s33 block types). */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new RangeError(`LEB128 too long at ${this.pos}`);
  }

  skip(n: number): void {
    this.pos += n;
  }
}

export interface Section { id: number; start: number; end: number }

export function sections(bytes: Uint8Array): Section[] {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!magic.every((b, i) => bytes[i] === b)) throw new Error("not a Wasm 1.0 binary");
  const r = new WasmReader(bytes);
  r.pos = 8;
  const out: Section[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, start: r.pos, end: r.pos + size });
    r.skip(size);
  }
  return out;
}

function memarg(r: WasmReader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // multi-memory: an explicit memory index follows
  r.u32();
}

const VALTYPE_BYTES = new Set([0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

function blockType(r: WasmReader): void {
  if (VALTYPE_BYTES.has(r.bytes[r.pos])) r.skip(1);
  else r.skipLeb(); // s33 type index
}

/** Immediates of one 0xfc-prefixed instruction (saturating truncation, bulk memory, tables). */
function prefixedFc(r: WasmReader, sub: number): void {
  if (sub <= 7) return;
  if (sub === 8 || sub === 10 || sub === 12 || sub === 14) { r.u32(); r.u32(); return; }
  if (sub === 9 || sub === 11 || sub === 13 || (sub >= 15 && sub <= 17)) { r.u32(); return; }
  throw new Error(`unknown opcode 0xfc ${sub} at ${r.pos}`);
}

/** Immediates of one 0xfd-prefixed (SIMD) instruction. */
function prefixedFd(r: WasmReader, sub: number): void {
  if (sub <= 11 || sub === 92 || sub === 93) { memarg(r); return; }
  if (sub === 12 || sub === 13) { r.skip(16); return; }
  if (sub >= 21 && sub <= 34) { r.skip(1); return; }
  if (sub >= 84 && sub <= 91) { memarg(r); r.skip(1); return; }
  if (sub <= 0x113) return; // every other SIMD (and relaxed SIMD) instruction has no immediates
  throw new Error(`unknown opcode 0xfd ${sub} at ${r.pos}`);
}

/** Consumes the immediates of the instruction whose opcode byte was just read; returns the full opcode. */
function immediates(r: WasmReader, op: number): number {
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b) return op;
  if (op >= 0x02 && op <= 0x04) { blockType(r); return op; }
  if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12 || op === 0xd2) { r.u32(); return op; }
  if (op === 0x0e) { const n = r.u32(); for (let i = 0; i <= n; i++) r.u32(); return op; }
  if (op === 0x11 || op === 0x13) { r.u32(); r.u32(); return op; }
  if (op === 0x1c) { const n = r.u32(); r.skip(n); return op; }
  if (op >= 0x20 && op <= 0x26) { r.u32(); return op; }
  if (op >= 0x28 && op <= 0x3e) { memarg(r); return op; }
  if (op === 0x3f || op === 0x40) { r.u32(); return op; }
  if (op === 0x41 || op === 0x42) { r.skipLeb(); return op; }
  if (op === 0x43) { r.skip(4); return op; }
  if (op === 0x44) { r.skip(8); return op; }
  if (op >= 0x45 && op <= 0xc4) return op;
  if (op === 0xd0) { r.skip(1); return op; }
  if (op === 0xd1) return op;
  if (op === 0xfc) { const sub = r.u32(); prefixedFc(r, sub); return (op << 8) | sub; }
  if (op === 0xfd) { const sub = r.u32(); prefixedFd(r, sub); return (op << 8) | sub; }
  throw new Error(`unknown opcode 0x${op.toString(16)} at ${r.pos - 1}`);
}

/** Every instruction of every function body, in order. Throws if a body does not decode exactly. */
export function instructions(bytes: Uint8Array): Instruction[] {
  const code = sections(bytes).find((s) => s.id === 10);
  if (!code) return [];
  const r = new WasmReader(bytes);
  r.pos = code.start;
  const out: Instruction[] = [];
  const count = r.u32();
  for (let body = 0; body < count; body++) {
    const size = r.u32();
    const end = r.pos + size;
    const localGroups = r.u32();
    for (let i = 0; i < localGroups; i++) { r.u32(); r.skip(1); }
    let last = -1;
    while (r.pos < end) {
      last = immediates(r, r.byte());
      out.push({ op: last, body });
    }
    if (r.pos !== end || last !== 0x0b) throw new Error(`function body ${body} did not decode to its end`);
  }
  if (r.pos !== code.end) throw new Error("code section did not decode to its end");
  return out;
}
