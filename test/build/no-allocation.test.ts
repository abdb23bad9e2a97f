// The no-allocation runtime (firmware/runtime/noalloc.ts) is the firmware's proof that it never
// allocates: any reachable allocation must be a compile error. These snippets are compiled with
// the same runtime into a temp dir; each allocating one must fail, the static-memory one must build.
import asc from "assemblyscript/asc";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RUNTIME = join(ROOT, "firmware", "runtime", "noalloc");
const dir = mkdtempSync(join(tmpdir(), "mqtt-mote-noalloc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Compiled { ok: boolean; stderr: string; wasm?: Uint8Array<ArrayBuffer> }

async function compile(name: string, source: string): Promise<Compiled> {
  const file = join(dir, `${name}.ts`);
  const out = join(dir, `${name}.wasm`);
  writeFileSync(file, source);
  let stderr = "";
  // --baseDir keeps asc from picking up the project's asconfig.json: only the runtime is under test.
  const args = [`${name}.ts`, "--baseDir", dir, "--runtime", RUNTIME, "--use", "abort=", "--outFile", `${name}.wasm`];
  const { error } = await asc.main(args, {
    stdout: { write: () => true },
    stderr: { write: (s: string | Uint8Array) => { stderr += String(s); return true; } },
  });
  return { ok: !error, stderr, wasm: error ? undefined : new Uint8Array(readFileSync(out)) };
}

const MUST_NOT_ALLOCATE = /must not allocate/;

describe("an allocation reachable from an export fails the build", () => {
  it("new Array", async () => {
    const r = await compile("new-array", `export function f(n: i32): i32 { let a = new Array<i32>(n); return a.length; }`);
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(MUST_NOT_ALLOCATE);
  });

  it("string concatenation", async () => {
    const r = await compile("concat", `let tail = "b";
export function f(n: i32): i32 { let s = "a" + (n > 0 ? tail : "c"); return s.length; }`);
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(MUST_NOT_ALLOCATE);
  });

  it("array literal inside a function", async () => {
    const r = await compile("literal", `export function f(i: i32): i32 { let a: i32[] = [1, 2, 3]; return a[i]; }`);
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(MUST_NOT_ALLOCATE);
  });

  it("toString", async () => {
    const r = await compile("to-string", `export function f(n: i32): i32 { return n.toString().length; }`);
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(MUST_NOT_ALLOCATE);
  });

  it("Map", async () => {
    const r = await compile("map", `export function f(n: i32): i32 { let m = new Map<i32, i32>(); m.set(n, n); return m.size; }`);
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(MUST_NOT_ALLOCATE);
  });
});

describe("static memory builds", () => {
  it("memory.data, load and store compile to a module without imports", async () => {
    const r = await compile("static", `const AREA: usize = memory.data(64, 16);
export function put(i: i32, v: u8): void { store<u8>(AREA + <usize>(i & 63), v); }
export function get(i: i32): u8 { return load<u8>(AREA + <usize>(i & 63)); }`);
    expect(r.stderr).toBe("");
    expect(r.ok).toBe(true);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(r.wasm!))).toEqual([]);
  });
});
