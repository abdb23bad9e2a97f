// What a linked board image holds, read with the ARM binutils and the linker map: the whole image's
// text/data/bss, the firmware's own share of flash and RAM, and the symbols that must not be there.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Symbols whose presence means newlib's heap or stdio was linked in. */
export const FORBIDDEN_SYMBOLS = [
  "malloc", "_malloc_r", "free", "_free_r", "calloc", "realloc", "_sbrk", "_sbrk_r", "sbrk",
  "printf", "_printf_r", "vfprintf", "_vfprintf_r", "fprintf", "sprintf", "snprintf", "puts", "__assert_func",
];

const run = (tool, args) => execFileSync(tool, args, { encoding: "utf8" });

/** Every defined symbol of the ELF: name -> size in bytes. */
export function symbolSizes(elf) {
  const out = new Map();
  for (const line of run("arm-none-eabi-nm", ["-S", "--defined-only", elf]).split("\n")) {
    const parts = line.trim().split(/\s+/); // address [size] type name
    if (parts.length === 4) out.set(parts[3], (out.get(parts[3]) ?? 0) + parseInt(parts[1], 16));
    else if (parts.length === 3) out.set(parts[2], out.get(parts[2]) ?? 0);
  }
  return out;
}

/** The forbidden symbols the ELF defines (empty when it is clean). */
export function forbiddenSymbols(elf) {
  const names = symbolSizes(elf);
  return FORBIDDEN_SYMBOLS.filter((s) => names.has(s));
}

/** arm-none-eabi-size's Berkeley columns for the ELF. */
export function imageSizes(elf) {
  const [, row] = run("arm-none-eabi-size", [elf]).trim().split("\n");
  const [text, data, bss] = row.trim().split(/\s+/).map(Number);
  return { imageText: text, imageData: data, imageBss: bss };
}

/**
 * Input sections the linker kept, from the map's "Linker script and memory map" part (the
 * discarded ones are listed before it): [{ section, size, object }]. A long section name puts
 * its address and size on the next line.
 */
function keptSections(mapFile) {
  const text = readFileSync(mapFile, "utf8");
  const lines = text.slice(text.indexOf("Linker script and memory map")).split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (/^ \.\S+$/.test(line) && i + 1 < lines.length) line += lines[++i];
    const m = line.match(/^ (\.\S+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+\.o)\)?$/);
    if (m) out.push({ section: m[1], size: parseInt(m[2], 16), object: m[3] });
  }
  return out;
}

/**
 * The firmware's own budget on the board. Flash: the generated object's code and constant data
 * (its data segments are constants in flash). RAM: the module memory array, the instance struct
 * (globals and memory descriptor) and the generated object's own variables.
 */
export function firmwareFootprint(mapFile, elf, generatedObject) {
  const own = keptSections(mapFile).filter((s) => s.object.endsWith(generatedObject));
  const sum = (re) => own.filter((s) => re.test(s.section)).reduce((n, s) => n + s.size, 0);
  const symbols = symbolSizes(elf);
  const need = (name) => {
    if (!symbols.has(name)) throw new Error(`${elf}: no symbol ${name}`);
    return symbols.get(name);
  };
  return {
    firmwareFlash: sum(/^\.(text|rodata)/),
    firmwareRam: need("module_memory") + need("instance") + sum(/^\.(data|bss)/),
  };
}
