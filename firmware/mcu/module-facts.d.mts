// Types of module-facts.mjs (a build script, plain JavaScript like build.mjs).
/** Where the module's static memory ends (data segments and regions), rounded up to 16 bytes. */
export function staticExtent(wasm: Uint8Array): number;
/** A chain of calls that leads back to its start, ["call_indirect"], or undefined when there is none. */
export function callCycle(wasmFile: string): string[] | undefined;
export function abiHeader(): string;
export function memoryHeader(profile: string, extent: number): string;
