// The firmware's stack bound, computed from the Wasm binary: exact on small modules built here with
// a known call graph, a refusal where no static bound exists, and a ceiling on the real firmware so
// that growth of the call chain is noticed.
import binaryen from "binaryen";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { wasmPath } from "../../host/firmware.ts";
import { stackBound } from "../../sim/stack-bound.ts";

/** Ceilings for the built firmware (today: default 9 frames / 196 bytes, tiny 5 / 128). */
const FIRMWARE_CALL_DEPTH_MAX = 16;
const FIRMWARE_FRAME_BYTES_MAX = 400;

const { none, i32, i64, f32, f64, v128 } = binaryen;
const F = binaryen.Features;

function wasm(build: (m: binaryen.Module) => void): Uint8Array {
  const m = new binaryen.Module();
  m.setFeatures(F.BulkMemory | F.BulkMemoryOpt | F.SignExt | F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.ReferenceTypes);
  build(m);
  if (!m.validate()) throw new Error("the test module is invalid");
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

/** `depth` nested blocks around the innermost expression; labels[0] is the outermost. */
function nested(m: binaryen.Module, depth: number, innermost: (labels: string[]) => number): number {
  const labels = Array.from({ length: depth }, (_, i) => `b${i}`);
  return labels.reduceRight((inner, label) => m.block(label, [inner]), innermost(labels));
}

describe("stackBound on modules with a known call graph", () => {
  it("counts the frames of the longest chain and sums params and locals along it", () => {
    const module = wasm((m) => {
      m.addFunction("c", none, none, [v128], m.nop()); // 16 bytes
      m.addFunction("b", binaryen.createType([i32, i32]), none, [f64], m.call("c", [], none)); // 8 + 8
      m.addFunction("a", i32, none, [i64, f32], m.call("b", [m.i32.const(1), m.i32.const(2)], none)); // 4 + 12
      m.addFunctionExport("a", "a");
    });
    expect(stackBound(module)).toEqual({ maxCallDepth: 3, maxFrameBytes: 48, linearMemoryBytes: 0 });
  });

  it("takes the deepest chain and the heaviest chain separately", () => {
    const module = wasm((m) => {
      m.addFunction("leaf", none, none, [], m.nop());
      m.addFunction("mid", none, none, [], m.call("leaf", [], none));
      m.addFunction("deep", none, none, [], m.call("mid", [], none)); // 3 frames, 0 bytes
      m.addFunction("heavy", none, none, [i64, i64, i64, i64], m.nop()); // 1 frame, 32 bytes
      m.addFunctionExport("deep", "deep");
      m.addFunctionExport("heavy", "heavy");
    });
    expect(stackBound(module)).toEqual({ maxCallDepth: 3, maxFrameBytes: 32, linearMemoryBytes: 0 });
  });

  it("follows the longer branch where a function calls two", () => {
    const module = wasm((m) => {
      m.addFunction("d", none, none, [], m.nop());
      m.addFunction("c", none, none, [], m.call("d", [], none));
      m.addFunction("b", none, none, [], m.nop());
      m.addFunction("a", none, none, [], m.block(null, [m.call("b", [], none), m.call("c", [], none)]));
      m.addFunctionExport("a", "a");
    });
    expect(stackBound(module).maxCallDepth).toBe(3);
  });

  it("ignores functions no export reaches", () => {
    const module = wasm((m) => {
      m.addFunction("unused", none, none, [i64], m.call("exported", [], none));
      m.addFunction("exported", none, none, [], m.nop());
      m.addFunctionExport("exported", "exported");
    });
    expect(stackBound(module)).toEqual({ maxCallDepth: 1, maxFrameBytes: 0, linearMemoryBytes: 0 });
  });

  it("decodes every immediate, so constants and offsets that look like a call are not calls", () => {
    // f64 bits 0x01100110 are the bytes 10 01 10 01: "call 1" (this function itself) to a byte scanner.
    const module = wasm((m) => {
      m.setMemory(1, 1);
      m.addGlobal("g", i32, true, m.i32.const(16));
      m.addTable("t", 1, 1);
      m.addFunction("leaf", none, none, [], m.nop());
      m.addFunction("busy", i32, i32, [i64, f32, f64], m.block(null, [
        m.drop(m.i32.const(16)),
        m.drop(m.i64.const(0x0110011001100110n)),
        m.drop(m.f32.const_bits(0x01100110)),
        m.drop(m.f64.const_bits(0x0110011001100110n)),
        m.i32.store(16, 4, m.i32.const(16), m.i32.load(0x1001, 4, m.i32.const(16))),
        m.i64.store8(16, 1, m.i32.const(16), m.i64.load32_s(16, 4, m.i32.const(16))),
        m.memory.copy(m.i32.const(0), m.i32.const(16), m.i32.const(16)),
        m.memory.fill(m.i32.const(0), m.i32.const(16), m.i32.const(16)),
        m.drop(m.i32.extend8_s(m.local.get(0, i32))),
        m.drop(m.i32.trunc_s_sat.f64(m.local.get(3, f64))),
        m.global.set("g", m.i32.add(m.global.get("g", i32), m.i32.const(16))),
        m.drop(m.memory.size()),
        m.drop(m.memory.grow(m.i32.const(0))),
        m.drop(m.table.size("t")),
        nested(m, 7, (labels) => m.switch([labels[6], labels[5]], labels[0], m.local.get(0, i32))), // default depth 6: 0x06 is no opcode
        m.loop("again", m.br("again", m.i32.eqz(m.local.get(0, i32)))),
        m.if(m.local.get(0, i32), m.call("leaf", [], none), m.nop()),
        m.select(m.i32.const(16), m.i32.const(16), m.local.get(0, i32)),
      ], i32));
      m.addFunctionExport("busy", "busy");
    });
    expect(stackBound(module)).toEqual({ maxCallDepth: 2, maxFrameBytes: 4 + 8 + 4 + 8, linearMemoryBytes: 0 });
  });
});

describe("stackBound where no static bound exists", () => {
  it("refuses a function that calls itself, naming it", () => {
    const module = wasm((m) => {
      m.addFunction("a", none, none, [], m.call("a", [], none));
      m.addFunctionExport("a", "a");
    });
    expect(() => stackBound(module)).toThrow('the call graph has a cycle through function 0 (export "a")');
  });

  it("refuses mutual recursion", () => {
    const module = wasm((m) => {
      m.addFunction("a", none, none, [], m.call("b", [], none));
      m.addFunction("b", none, none, [], m.call("a", [], none));
      m.addFunctionExport("a", "a");
    });
    expect(() => stackBound(module)).toThrow(/cycle through function 0 /);
  });

  it("refuses an indirect call, naming the caller", () => {
    const module = wasm((m) => {
      m.addTable("t", 1, 1);
      m.addFunction("f", none, none, [], m.call_indirect("t", m.i32.const(0), [], none, none));
      m.addFunctionExport("f", "f");
    });
    expect(() => stackBound(module)).toThrow('function 0 (export "f") makes an indirect call');
  });

  it("refuses a function that keeps a shadow stack in linear memory", () => {
    const module = wasm((m) => {
      m.setMemory(1, 1);
      m.addGlobal("sp", i32, true, m.i32.const(1024));
      m.addFunction("f", none, none, [], m.block(null, [
        m.global.set("sp", m.i32.sub(m.global.get("sp", i32), m.i32.const(16))),
        m.i32.store(0, 4, m.global.get("sp", i32), m.i32.const(1)),
        m.global.set("sp", m.i32.add(m.global.get("sp", i32), m.i32.const(16))),
      ]));
      m.addFunctionExport("f", "f");
    });
    expect(() => stackBound(module)).toThrow('function 0 (export "f") keeps a shadow stack in linear memory (global 0)');
  });

  it("does not take a global that is only counted down for a stack", () => {
    const module = wasm((m) => {
      m.addGlobal("count", i32, true, m.i32.const(10));
      m.addFunction("f", none, none, [], m.global.set("count", m.i32.sub(m.global.get("count", i32), m.i32.const(1))));
      m.addFunctionExport("f", "f");
    });
    expect(stackBound(module).maxCallDepth).toBe(1);
  });

  it("stops at an instruction it does not know, with its offset", () => {
    const module = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: 1 type, () -> ()
      0x03, 0x02, 0x01, 0x00, // function section: 1 function of type 0
      0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export section: "f" = function 0
      0x0a, 0x17, 0x01, 0x15, 0x00, // code section: 1 body of 21 bytes, no locals
      0xfd, 0x0c, ...new Array(16).fill(0), // offset 30: v128.const (SIMD, which the decoder does not know)
      0x1a, 0x0b, // drop, end
    ]);
    expect(WebAssembly.validate(module)).toBe(true);
    expect(() => stackBound(module)).toThrow("unknown Wasm opcode 0xfd at offset 30");
  });
});

describe("stackBound on the built firmware", () => {
  for (const profile of ["default", "tiny"]) {
    it(`bounds the ${profile} firmware's call stack within ${FIRMWARE_CALL_DEPTH_MAX} frames and ${FIRMWARE_FRAME_BYTES_MAX} bytes, with none in linear memory`, () => {
      const bound = stackBound(readFileSync(wasmPath(profile)));
      expect(bound.maxCallDepth).toBeGreaterThan(1);
      expect(bound.maxCallDepth).toBeLessThanOrEqual(FIRMWARE_CALL_DEPTH_MAX);
      expect(bound.maxFrameBytes).toBeLessThanOrEqual(FIRMWARE_FRAME_BYTES_MAX);
      expect(bound.linearMemoryBytes).toBe(0);
    });
  }

  it("gives the same bound for the same module", () => {
    const bytes = readFileSync(wasmPath("default"));
    expect(stackBound(bytes)).toEqual(stackBound(new Uint8Array(bytes)));
  });
});
