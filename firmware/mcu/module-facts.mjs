// Facts the board build reads from the firmware itself, so that no number is typed twice:
// the module's static extent (where its data segments and regions end: the size of the board's
// memory array) and the ABI numbers of firmware/abi-numbers.ts and firmware/prop.ts as a C header.
import ts from "typescript";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const DATA_SECTION = 11;
const I32_CONST = 0x41;
const END = 0x0b;
/** The board's memory array ends on this boundary (the largest alignment the firmware's regions ask for). */
const EXTENT_ALIGN_BYTES = 16;

/** Reads a LEB128 at `at` (signed when `signed`): [value, bytes read]. */
function leb(bytes, at, signed = false) {
  let value = 0;
  let shift = 0;
  let i = at;
  let b;
  do {
    b = bytes[i++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  if (signed && b & 0x40) value -= 2 ** shift;
  return [value, i - at];
}

/** [offset, length] of every active data segment of the module. */
function dataSegments(wasm) {
  const out = [];
  for (let at = 8; at < wasm.length;) {
    const id = wasm[at];
    const [size, sizeLen] = leb(wasm, at + 1);
    let p = at + 1 + sizeLen;
    const end = p + size;
    if (id === DATA_SECTION) {
      const [count, n] = leb(wasm, p);
      p += n;
      for (let s = 0; s < count; s++) {
        const [flags, fl] = leb(wasm, p);
        p += fl;
        if (flags === 2) p += leb(wasm, p)[1]; // memory index
        let offset = -1;
        if (flags !== 1) {
          if (wasm[p] !== I32_CONST) throw new Error("a data segment's offset is not an i32.const");
          const [value, vl] = leb(wasm, p + 1, true);
          offset = value;
          p += 1 + vl;
          if (wasm[p++] !== END) throw new Error("a data segment's offset expression is longer than one constant");
        }
        const [len, ll] = leb(wasm, p);
        p += ll + len;
        if (offset >= 0) out.push([offset, len]);
      }
    }
    at = end;
  }
  return out;
}

/**
 * Where the module's static memory ends: the furthest data segment or region (asked of the module
 * through info()), rounded up to EXTENT_ALIGN_BYTES. Nothing the firmware does reaches beyond it.
 */
export function staticExtent(wasm) {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const { Info } = abiNumbers();
  let end = 0;
  for (const [offset, len] of dataSegments(wasm)) end = Math.max(end, offset + len);
  const regions = exports.info(Info.RegionCount, 0);
  for (let r = 0; r < regions; r++) end = Math.max(end, exports.info(Info.RegionOffset, r) + exports.info(Info.RegionSize, r));
  return Math.ceil(end / EXTENT_ALIGN_BYTES) * EXTENT_ALIGN_BYTES;
}

/**
 * A chain of calls that leads back to its start (recursion), or undefined when the module has
 * none and makes no indirect calls: then its C translation needs a stack of fixed depth, which the
 * board measures, and wasm2c's call-depth counter (3 KB of flash) is not needed. Read from
 * wasm-objdump's disassembly.
 */
export function callCycle(wasmFile) {
  const calls = new Map();
  let current;
  for (const line of execFileSync("wasm-objdump", ["-d", wasmFile], { encoding: "latin1", maxBuffer: 64 << 20 }).split("\n")) {
    const fn = line.match(/^[0-9a-f]+ func\[(\d+)\]/);
    if (fn) calls.set((current = Number(fn[1])), new Set());
    else if (/\| call_indirect\b/.test(line)) return ["call_indirect"];
    else {
      const call = line.match(/\| call (\d+)\b/);
      if (call) calls.get(current).add(Number(call[1]));
    }
  }
  const done = new Set();
  const visit = (f, path) => {
    if (path.includes(f)) return [...path.slice(path.indexOf(f)), f].map((n) => `func[${n}]`);
    if (done.has(f)) return undefined;
    for (const g of calls.get(f) ?? []) {
      const cycle = visit(g, [...path, f]);
      if (cycle) return cycle;
    }
    done.add(f);
    return undefined;
  };
  for (const f of calls.keys()) {
    const cycle = visit(f, []);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The values of a plain-TypeScript numbers file (no imports), evaluated. */
function evaluate(file) {
  const js = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
  const module = { exports: {} };
  new Function("exports", "module", js)(module.exports, module);
  return module.exports;
}

let numbers;
function abiNumbers() {
  const firmware = join(import.meta.dirname, "..");
  numbers ??= { ...evaluate(join(firmware, "abi-numbers.ts")), ...evaluate(join(firmware, "prop.ts")) };
  return numbers;
}

const snake = (name) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

/**
 * abi-numbers.ts and prop.ts as C: MOTE_<ENUM>_<MEMBER> for enum members, MOTE_<NAME> for constants,
 * and MOTE_<ENUM>_NAMES (an initializer of the member names) for enums numbered 0, 1, 2, ...
 */
export function abiHeader() {
  const lines = [
    "/* Generated by firmware/mcu/build.mjs from firmware/abi-numbers.ts and firmware/prop.ts: do not edit. */",
    "#ifndef MOTE_ABI_H",
    "#define MOTE_ABI_H",
  ];
  for (const [name, value] of Object.entries(abiNumbers())) {
    if (typeof value === "number") lines.push(`#define MOTE_${name} ${value}`);
    else {
      const members = Object.entries(value).filter(([, v]) => typeof v === "number");
      for (const [member, v] of members) lines.push(`#define MOTE_${snake(name)}_${snake(member)} ${v}`);
      if (members.every(([, v], i) => v === i)) lines.push(`#define MOTE_${snake(name)}_NAMES {${members.map(([m]) => `"${m}"`).join(", ")}}`);
    }
  }
  lines.push("#endif", "");
  return lines.join("\n");
}

/** The header that sizes the board's memory array (runtime/wasm-rt-static.c). */
export function memoryHeader(profile, extent) {
  return [
    `/* Generated by firmware/mcu/build.mjs from build/firmware/${profile}.wasm: do not edit. */`,
    "/* Where the module's data segments and regions end, read from the module: its memory on the board. */",
    `#define MODULE_STATIC_EXTENT_BYTES ${extent}`,
    "",
  ].join("\n");
}
