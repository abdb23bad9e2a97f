// The firmware's stack, bounded from its Wasm binary. AssemblyScript with the noalloc runtime keeps
// no shadow stack in linear memory (locals are Wasm locals), so the only stack is the engine's call
// stack, and a static call graph without cycles or indirect calls bounds it. The module is decoded
// here instruction by instruction; an instruction this decoder does not know stops it, so a new
// feature in the build is noticed rather than silently miscounted.

const WASM_MAGIC = 0x6d736100; // "\0asm", little-endian
const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_START = 8;
const SECTION_CODE = 10;
const EXTERNAL_FUNCTION = 0;
const EXTERNAL_TABLE = 1;
const EXTERNAL_MEMORY = 2;
const EXTERNAL_GLOBAL = 3;
const FUNC_TYPE = 0x60;
const LIMITS_HAS_MAX = 0x01;
const MEMARG_HAS_MEMORY_INDEX = 0x40;
const BLOCKTYPE_EMPTY = 0x40;

/** Bytes of a value on the stack, by value type (references taken as 64-bit pointers). */
const VALUE_BYTES: Record<number, number> = { 0x7f: 4, 0x7e: 8, 0x7d: 4, 0x7c: 8, 0x7b: 16, 0x70: 8, 0x6f: 8 };

const OP_CALL = 0x10;
const OP_CALL_INDIRECT = 0x11;
const OP_GLOBAL_GET = 0x23;
const OP_GLOBAL_SET = 0x24;
const OP_LOCAL_TEE = 0x22;
const OP_I32_CONST = 0x41;
const OP_I32_ADD = 0x6a;
const OP_I32_SUB = 0x6b;
const OP_END = 0x0b;
const PREFIX_MISC = 0xfc;

/** The immediates an opcode carries. */
type Immediate = "none" | "u32" | "u32x2" | "blocktype" | "brtable" | "memarg" | "s32" | "s64" | "f32" | "f64" | "byte" | "valtypes";

const IMMEDIATES = new Map<number, Immediate>([
  [0x00, "none"], [0x01, "none"], // unreachable, nop
  [0x02, "blocktype"], [0x03, "blocktype"], [0x04, "blocktype"], [0x05, "none"], [OP_END, "none"],
  [0x0c, "u32"], [0x0d, "u32"], [0x0e, "brtable"], [0x0f, "none"], // br, br_if, br_table, return
  [OP_CALL, "u32"], [OP_CALL_INDIRECT, "u32x2"],
  [0x1a, "none"], [0x1b, "none"], [0x1c, "valtypes"], // drop, select, select t*
  [0x20, "u32"], [0x21, "u32"], [OP_LOCAL_TEE, "u32"], [OP_GLOBAL_GET, "u32"], [OP_GLOBAL_SET, "u32"],
  [0x25, "u32"], [0x26, "u32"], // table.get, table.set
  [0x3f, "u32"], [0x40, "u32"], // memory.size, memory.grow (memory index)
  [OP_I32_CONST, "s32"], [0x42, "s64"], [0x43, "f32"], [0x44, "f64"],
  [0xd0, "byte"], [0xd1, "none"], [0xd2, "u32"], // ref.null t, ref.is_null, ref.func
]);
for (let op = 0x28; op <= 0x3e; op++) IMMEDIATES.set(op, "memarg"); // loads and stores
for (let op = 0x45; op <= 0xc4; op++) IMMEDIATES.set(op, "none"); // numeric, incl. sign extension

/** 0xFC-prefixed: saturating truncation, bulk memory and table instructions. */
const MISC_IMMEDIATES = new Map<number, Immediate>([
  [0, "none"], [1, "none"], [2, "none"], [3, "none"], [4, "none"], [5, "none"], [6, "none"], [7, "none"],
  [8, "u32x2"], [9, "u32"], [10, "u32x2"], [11, "u32"], // memory.init, data.drop, memory.copy, memory.fill
  [12, "u32x2"], [13, "u32"], [14, "u32x2"], [15, "u32"], [16, "u32"], [17, "u32"], // table.*
]);

class Reader {
  constructor(readonly b: Uint8Array, public at = 0) {}
  byte(): number {
    if (this.at >= this.b.length) throw new Error(`Wasm module ends early at offset ${this.at}`);
    return this.b[this.at++];
  }
  u32(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
  }
  /** Skips a signed LEB128 (the value is not needed). */
  skipLeb(): void {
    while (this.byte() & 0x80);
  }
  skip(n: number): void {
    this.at += n;
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & LIMITS_HAS_MAX) this.u32();
  }
}

interface Instruction { op: number; arg: number }

/** Decodes one instruction at r.at; `arg` is its first u32 immediate (or 0). */
function instruction(r: Reader): Instruction {
  const offset = r.at;
  let op = r.byte();
  let kind = IMMEDIATES.get(op);
  if (op === PREFIX_MISC) {
    const sub = r.u32();
    kind = MISC_IMMEDIATES.get(sub);
    op = (PREFIX_MISC << 8) | sub;
  }
  if (kind === undefined) throw new Error(`unknown Wasm opcode 0x${op.toString(16)} at offset ${offset}: the stack bound cannot be computed`);
  let arg = 0;
  switch (kind) {
    case "u32": arg = r.u32(); break;
    case "u32x2": arg = r.u32(); r.u32(); break;
    case "byte": r.byte(); break;
    case "s32": case "s64": r.skipLeb(); break;
    case "f32": r.skip(4); break;
    case "f64": r.skip(8); break;
    case "valtypes": r.skip(r.u32()); break;
    case "brtable": for (let n = r.u32() + 1; n > 0; n--) r.u32(); break;
    case "memarg": if (r.u32() & MEMARG_HAS_MEMORY_INDEX) r.u32(); r.u32(); break;
    case "blocktype": {
      const t = r.b[r.at];
      if (t === BLOCKTYPE_EMPTY || VALUE_BYTES[t] !== undefined) r.skip(1);
      else r.skipLeb(); // a type index, as a signed LEB
      break;
    }
  }
  return { op, arg };
}

interface Func { name: string; frameBytes: number; calls: number[]; indirect: boolean; shadowStackGlobal?: number }

/**
 * A shadow-stack prologue lowers a mutable global by a constant at entry (global.get g, i32.const k,
 * i32.sub, [local.tee], global.set g), and the function raises it again later (i32.add, global.set g).
 * A global that is only counted down is not a stack.
 */
function shadowStackGlobal(code: Instruction[], mutable: Set<number>): number | undefined {
  const [get, k, sub, tee] = code;
  if (get?.op !== OP_GLOBAL_GET || k?.op !== OP_I32_CONST || sub?.op !== OP_I32_SUB || !mutable.has(get.arg)) return undefined;
  const set = tee?.op === OP_LOCAL_TEE ? code[4] : tee;
  if (set?.op !== OP_GLOBAL_SET || set.arg !== get.arg) return undefined;
  const raised = code.some((c, i) => i > 4 && c.op === OP_GLOBAL_SET && c.arg === get.arg && code[i - 1].op === OP_I32_ADD);
  return raised ? get.arg : undefined;
}

/** What the call-graph bound needs from a module, filled in section by section. */
interface Module {
  types: { paramBytes: number }[];
  /** Imported functions first, then defined ones: the function index space. */
  funcs: Func[];
  definedTypes: number[];
  mutableGlobals: Set<number>;
  globals: number;
  roots: number[];
  exportNames: Map<number, string>;
}

function valueBytes(t: number): number {
  const bytes = VALUE_BYTES[t];
  if (bytes === undefined) throw new Error(`unknown value type 0x${t.toString(16)}`);
  return bytes;
}

/** Skips a constant expression (a global's initialiser) up to its final `end`. */
function skipExpression(r: Reader): void {
  for (let depth = 1; depth > 0;) {
    const { op } = instruction(r);
    if (op === OP_END) depth--;
    else if (IMMEDIATES.get(op) === "blocktype") depth++;
  }
}

function readFunctionBody(r: Reader, m: Module, index: number, type: number): Func {
  const bodyEnd = r.u32() + r.at;
  let frameBytes = m.types[type].paramBytes;
  for (let groups = r.u32(); groups > 0; groups--) {
    const count = r.u32();
    frameBytes += count * valueBytes(r.byte());
  }
  const code: Instruction[] = [];
  while (r.at < bodyEnd) code.push(instruction(r));
  if (r.at !== bodyEnd) throw new Error(`function ${index}'s code does not end at its stated size (offset ${r.at})`);
  return {
    name: `function ${index}`,
    frameBytes,
    calls: code.filter((c) => c.op === OP_CALL).map((c) => c.arg),
    indirect: code.some((c) => c.op === OP_CALL_INDIRECT),
    shadowStackGlobal: shadowStackGlobal(code, m.mutableGlobals),
  };
}

/** Readers of the sections the bound depends on; the others are skipped whole. */
const SECTIONS: Record<number, (r: Reader, m: Module) => void> = {
  [SECTION_TYPE]: (r, m) => {
    for (let n = r.u32(); n > 0; n--) {
      if (r.byte() !== FUNC_TYPE) throw new Error(`unknown type form at offset ${r.at - 1}`);
      let paramBytes = 0;
      for (let p = r.u32(); p > 0; p--) paramBytes += valueBytes(r.byte());
      r.skip(r.u32()); // results
      m.types.push({ paramBytes });
    }
  },
  [SECTION_IMPORT]: (r, m) => {
    for (let n = r.u32(); n > 0; n--) {
      const name = `${r.name()}.${r.name()}`;
      const kind = r.byte();
      // A host function's frame is counted with its params: they are passed on the Wasm stack.
      if (kind === EXTERNAL_FUNCTION) {
        m.funcs.push({ name: `import ${name}`, frameBytes: m.types[r.u32()].paramBytes, calls: [], indirect: false });
      } else if (kind === EXTERNAL_TABLE) {
        r.byte(); // reference type
        r.limits();
      } else if (kind === EXTERNAL_MEMORY) {
        r.limits();
      } else if (kind === EXTERNAL_GLOBAL) {
        r.byte(); // value type
        if (r.byte()) m.mutableGlobals.add(m.globals);
        m.globals++;
      } else {
        throw new Error(`unknown import kind ${kind} at offset ${r.at - 1}`);
      }
    }
  },
  [SECTION_FUNCTION]: (r, m) => {
    for (let n = r.u32(); n > 0; n--) m.definedTypes.push(r.u32());
  },
  [SECTION_GLOBAL]: (r, m) => {
    for (let n = r.u32(); n > 0; n--) {
      r.byte();
      if (r.byte()) m.mutableGlobals.add(m.globals);
      m.globals++;
      skipExpression(r);
    }
  },
  [SECTION_EXPORT]: (r, m) => {
    for (let n = r.u32(); n > 0; n--) {
      const name = r.name();
      const kind = r.byte();
      const index = r.u32();
      if (kind !== EXTERNAL_FUNCTION || m.exportNames.has(index)) continue;
      m.roots.push(index);
      m.exportNames.set(index, name);
    }
  },
  [SECTION_START]: (r, m) => {
    m.roots.push(r.u32());
  },
  [SECTION_CODE]: (r, m) => {
    const imported = m.funcs.length;
    for (let n = r.u32(), i = 0; i < n; i++) m.funcs.push(readFunctionBody(r, m, imported + i, m.definedTypes[i]));
  },
};

function parse(wasm: Uint8Array): Module {
  if (wasm.length < 8 || new DataView(wasm.buffer, wasm.byteOffset, wasm.byteLength).getUint32(0, true) !== WASM_MAGIC) {
    throw new Error("not a Wasm module");
  }
  const r = new Reader(wasm, 8); // magic and version
  const m: Module = { types: [], funcs: [], definedTypes: [], mutableGlobals: new Set(), globals: 0, roots: [], exportNames: new Map() };
  while (r.at < wasm.length) {
    const id = r.byte();
    const end = r.u32() + r.at;
    SECTIONS[id]?.(r, m);
    r.at = end;
  }
  for (const [index, name] of m.exportNames) if (m.funcs[index]) m.funcs[index].name += ` (export "${name}")`;
  return m;
}

/**
 * From a built module: the longest call chain (in frames) starting at any export, and the largest
 * sum of (params + locals) byte sizes along any chain (i32/f32 4 bytes, i64/f64 8, v128 16).
 * Throws if the call graph has a cycle or an indirect call (then no static bound exists), or if a
 * function keeps a shadow stack in linear memory; the message says which function.
 */
export function stackBound(wasm: Uint8Array): { maxCallDepth: number; maxFrameBytes: number; linearMemoryBytes: 0 } {
  const { funcs, roots } = parse(wasm);
  const depth = new Map<number, { frames: number; bytes: number }>();
  const open = new Set<number>();
  const visit = (f: number): { frames: number; bytes: number } => {
    const known = depth.get(f);
    if (known) return known;
    const fn = funcs[f];
    if (!fn) throw new Error(`a call to function ${f}, which the module does not define`);
    if (open.has(f)) throw new Error(`the call graph has a cycle through ${fn.name}: no static stack bound`);
    if (fn.indirect) throw new Error(`${fn.name} makes an indirect call: no static stack bound`);
    if (fn.shadowStackGlobal !== undefined) throw new Error(`${fn.name} keeps a shadow stack in linear memory (global ${fn.shadowStackGlobal})`);
    open.add(f);
    let frames = 0;
    let bytes = 0;
    for (const callee of fn.calls) {
      const c = visit(callee);
      frames = Math.max(frames, c.frames);
      bytes = Math.max(bytes, c.bytes);
    }
    open.delete(f);
    const result = { frames: frames + 1, bytes: bytes + fn.frameBytes };
    depth.set(f, result);
    return result;
  };
  let maxCallDepth = 0;
  let maxFrameBytes = 0;
  for (const root of roots) {
    const d = visit(root);
    maxCallDepth = Math.max(maxCallDepth, d.frames);
    maxFrameBytes = Math.max(maxFrameBytes, d.bytes);
  }
  return { maxCallDepth, maxFrameBytes, linearMemoryBytes: 0 };
}
