// Types of memory-cap.mjs (a build script, plain JavaScript like build.mjs and shrink.mjs).
/** The module with its one memory's limits set to [min, min]; unchanged when it already has a maximum. */
export function capMemory(wasm: Uint8Array): Uint8Array<ArrayBuffer>;
