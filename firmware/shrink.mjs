// A second size-first Binaryen round over a built module, run in its own process so that
// none of asc's Binaryen settings (inlining limits and the like) leak into it. asc's pipeline
// stops early; this round finds about 1% more on the firmware. Then the memory's maximum is set
// to its initial size (memory-cap.mjs). Usage: node shrink.mjs file.wasm
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";
import { capMemory } from "./memory-cap.mjs";

const file = process.argv[2];
const wasm = readFileSync(file);
const m = binaryen.readBinary(wasm);
const F = binaryen.Features;
m.setFeatures(F.MVP | F.BulkMemory | F.BulkMemoryOpt | F.SignExt | F.MutableGlobals | F.NontrappingFPToInt);
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
m.optimize();
m.optimize();
const out = m.emitBinary();
if (!WebAssembly.validate(out)) throw new Error(`${file}: the size pass produced an invalid module`);
const capped = capMemory(out.length < wasm.length ? out : wasm);
if (!WebAssembly.validate(capped)) throw new Error(`${file}: capping the memory produced an invalid module`);
writeFileSync(file, capped);
