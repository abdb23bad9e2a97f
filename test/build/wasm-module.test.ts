// The built firmware modules, checked as binaries: what the build promises (no imports, a
// memory that never grows and holds every region, the host's ABI, a size budget) is verified
// on the artefacts in build/firmware/, not on the sources.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ABI_VERSION, REGION_NAMES, type FirmwareExports, type RawExports } from "../../host/abi.ts";
import { abiFacade } from "../../host/firmware.ts";
import { OP_MEMORY_GROW, instructions } from "./wasm-binary.ts";
import { capMemory } from "../../firmware/memory-cap.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BUILD = join(ROOT, "build", "firmware");

/**
 * Largest .wasm file per profile, in bytes. `default` has the product's target (12,288). `tiny`'s
 * target is 6,144 and it does not meet it yet (8,833 bytes when this ceiling was set): until it
 * does, this test holds it to its measured size so it can only shrink; lower the ceiling as it
 * shrinks. `large` shares default's code and gets default's ceiling plus its larger tables.
 */
const SIZE_BUDGET_BYTES: Record<string, number> = { default: 12_288, tiny: 8_900, large: 12_400 };
/** The size targets of the firmware issue, reported beside the ceilings. */
const SIZE_TARGET_BYTES: Record<string, number> = { default: 12_288, tiny: 6_144 };

function builtProfiles(): string[] {
  try {
    return JSON.parse(readFileSync(join(BUILD, "profiles.json"), "utf8")) as string[];
  } catch {
    throw new Error(`${join(BUILD, "profiles.json")} is missing: run npm run build`);
  }
}

const sourceProfiles = readdirSync(join(ROOT, "firmware", "profiles"))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3))
  .sort();
const profiles = builtProfiles();

interface Loaded { bytes: Buffer; module: WebAssembly.Module; exports: FirmwareExports }
const loaded = new Map<string, Loaded>();

function load(profile: string): Loaded {
  let l = loaded.get(profile);
  if (!l) {
    const bytes = readFileSync(join(BUILD, `${profile}.wasm`));
    const module = new WebAssembly.Module(bytes);
    const exports = abiFacade(new WebAssembly.Instance(module, {}).exports as unknown as RawExports);
    loaded.set(profile, (l = { bytes, module, exports }));
  }
  return l;
}

function regions(exports: FirmwareExports) {
  return Array.from({ length: exports.regionCount() }, (_, id) => ({
    name: REGION_NAMES[id] ?? `#${id}`,
    offset: exports.regionOffset(id),
    size: exports.regionSize(id),
  }));
}

it("the build covers every profile in firmware/profiles", () => {
  expect([...profiles].sort()).toEqual(sourceProfiles);
});

describe.each(profiles)("firmware profile %s", (profile) => {
  it("imports nothing", () => {
    expect(WebAssembly.Module.imports(load(profile).module)).toEqual([]);
  });

  it("contains no memory.grow instruction", () => {
    const grows = instructions(load(profile).bytes).filter((i) => i.op === OP_MEMORY_GROW);
    expect(grows).toEqual([]);
  });

  it("declares its memory's maximum equal to its initial size, so it cannot grow", () => {
    const memory = load(profile).exports.memory;
    const pages = memory.buffer.byteLength / 65536;
    expect(() => memory.grow(1)).toThrow(RangeError);
    expect(memory.buffer.byteLength / 65536).toBe(pages);
  });

  it("exports its memory", () => {
    const kinds = WebAssembly.Module.exports(load(profile).module).filter((e) => e.kind === "memory");
    expect(kinds.map((e) => e.name)).toEqual(["memory"]);
  });

  it("reports as many regions as the host's region table names", () => {
    expect(load(profile).exports.regionCount()).toBe(REGION_NAMES.length);
  });

  it("places every region inside the initial memory", () => {
    const { exports } = load(profile);
    const memoryBytes = exports.memory.buffer.byteLength;
    const outside = regions(exports).filter((r) => r.offset + r.size > memoryBytes);
    expect(outside).toEqual([]);
  });

  it("keeps regions apart", () => {
    const sorted = regions(load(profile).exports).filter((r) => r.size > 0).sort((a, b) => a.offset - b.offset);
    const overlaps = sorted.slice(1)
      .filter((r, i) => r.offset < sorted[i].offset + sorted[i].size)
      .map((r, i) => `${sorted[i].name} overlaps ${r.name}`);
    expect(overlaps).toEqual([]);
  });

  it("speaks the host's ABI version", () => {
    expect(load(profile).exports.abiVersion()).toBe(ABI_VERSION);
  });
});

describe.each(Object.entries(SIZE_BUDGET_BYTES))("firmware profile %s", (profile, budgetBytes) => {
  it(`fits its size ceiling of ${budgetBytes} bytes`, () => {
    const size = load(profile).bytes.length;
    const target = SIZE_TARGET_BYTES[profile];
    if (target !== undefined && size > target) console.log(`firmware ${profile}: ${size} bytes, target ${target} not met yet`);
    expect(size).toBeLessThanOrEqual(budgetBytes);
  });
});

describe("the memory.grow detector", () => {
  // (func (result i32) i32.const 64 drop i32.const 1 memory.grow): the byte 0x40 appears both as
  // an immediate (64) and as the opcode; only the opcode may be reported.
  const module = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> i32
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x05, 0x03, 0x01, 0x00, 0x01, // memory section: one memory, min 1 page
    0x0a, 0x0c, 0x01, 0x0a, 0x00, // code section: one body of 10 bytes, no locals
    0x41, 0xc0, 0x00, 0x1a, // i32.const 64; drop
    0x41, 0x01, 0x40, 0x00, // i32.const 1; memory.grow 0
    0x0b, // end
  ]);

  it("finds memory.grow and ignores 0x40 bytes inside immediates", () => {
    expect(() => new WebAssembly.Module(module)).not.toThrow();
    const ops = instructions(module).map((i) => i.op);
    expect(ops).toEqual([0x41, 0x1a, 0x41, OP_MEMORY_GROW, 0x0b]);
  });
});

describe("capMemory (firmware/memory-cap.mjs)", () => {
  // (memory 1) and one exported function: the memory section is 0x05 0x03 0x01 0x00 0x01.
  const module = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
    0x03, 0x02, 0x01, 0x00, // function section
    0x05, 0x03, 0x01, 0x00, 0x01, // memory section: min 1 page, no maximum
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f"
    0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // code: one empty body
  ]);

  it("turns min-only limits into min = max and keeps the rest of the module", () => {
    const capped = capMemory(module);
    expect([...capped.subarray(18, 24)]).toEqual([0x05, 0x04, 0x01, 0x01, 0x01, 0x01]);
    expect([...capped.subarray(24)]).toEqual([...module.subarray(23)]);
    expect(WebAssembly.validate(capped)).toBe(true);
  });

  it("leaves a module that already declares a maximum as it is", () => {
    const capped = capMemory(module);
    expect([...capMemory(capped)]).toEqual([...capped]);
  });
});

