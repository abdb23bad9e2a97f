// Types of image-facts.mjs (a build script, plain JavaScript like build.mjs).
export const FORBIDDEN_SYMBOLS: string[];
/** Every defined symbol of the ELF: name -> size in bytes. */
export function symbolSizes(elf: string): Map<string, number>;
/** The forbidden symbols the ELF defines (empty when it is clean). */
export function forbiddenSymbols(elf: string): string[];
export function imageSizes(elf: string): { imageText: number; imageData: number; imageBss: number };
export function firmwareFootprint(mapFile: string, elf: string, generatedObject: string): { firmwareFlash: number; firmwareRam: number };
