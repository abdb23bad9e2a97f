// npm run build:mcu: the firmware on a Cortex-M4. For each profile, wasm2c translates
// build/firmware/<profile>.wasm into build/mcu/<profile>/ (generated C stays in build/),
// arm-none-eabi-gcc compiles it with our runtime, board support, host loop and sensor application
// (firmware/mcu/), and links build/mcu/<profile>.elf without newlib's heap or stdio (a check fails
// the build if malloc or printf got in), plus <profile>-trap.elf, whose module memory is deliberately
// too small. build/mcu/sizes.json records the sizes; stackMax comes from a session run in QEMU.
// It first runs the Wasm build (firmware/build.mjs, incremental), skips what is up to date, and
// holds a lock while it works, so that test files that each ask for it build once.
// Usage: node firmware/mcu/build.mjs [--no-stack] [--force] [--readme (rewrite README.md's sizes table)]
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { abiHeader, callCycle, memoryHeader, staticExtent } from "./module-facts.mjs";
import { firmwareFootprint, forbiddenSymbols, imageSizes } from "./image-facts.mjs";
import { withSizesTable } from "./sizes-table.mjs";

const MCU_PROFILES = ["default", "tiny"];
/** The trap build's module memory falls this far short of the module's static extent. */
const TRAP_MEMORY_SHORTFALL_BYTES = 512;
const CPU_FLAGS = ["-mcpu=cortex-m4", "-mthumb"];
const C_FLAGS = [
  ...CPU_FLAGS, "-Os", "-ffunction-sections", "-fdata-sections", "-std=gnu11", "-DNDEBUG",
  // Explicit bounds checks on every memory access (no guard pages on a board). No call-depth counter
  // (3 KB of flash): the module does not recurse (callCycle), so its stack depth is fixed and measured.
  "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0", "-DWASM_RT_USE_STACK_DEPTH_COUNT=0",
];
const OUR_WARNINGS = ["-Wall", "-Wextra", "-Werror"];
/** Where Debian's wabt puts wasm-rt.h, the header wasm2c's output includes. */
const WASM_RT_HEADERS = ["/usr/include/wasm-rt.h", "/usr/src/wasm2c/wasm-rt.h", "/usr/share/wabt/wasm2c/wasm-rt.h"];
const INSTALL = "sudo apt-get install -y wabt gcc-arm-none-eabi libnewlib-arm-none-eabi";
/** How long a second build waits for the first one's lock, and when a lock is taken for a crashed build's. */
const LOCK_WAIT_MS = 300_000;
const LOCK_STALE_MS = 600_000;
const LOCK_POLL_MS = 200;

const here = import.meta.dirname;
const root = resolve(here, "..", "..");
const outRoot = join(root, "build", "mcu");
const lockDir = join(root, "build", "mcu.lock");
const sizesFile = join(outRoot, "sizes.json");
const measureStack = !process.argv.includes("--no-stack");

function fail(message) {
  process.stderr.write(`build:mcu: ${message}\n`);
  process.exit(1);
}

function checkTools() {
  const missing = ["wasm2c", "wasm-objdump", "arm-none-eabi-gcc", "arm-none-eabi-nm", "arm-none-eabi-size"]
    .filter((t) => spawnSync(t, ["--version"], { stdio: "ignore" }).status !== 0);
  if (missing.length) fail(`${missing.join(", ")} not found: run \`${INSTALL}\``);
  const libc = execFileSync("arm-none-eabi-gcc", [...CPU_FLAGS, "-print-file-name=libc_nano.a"], { encoding: "utf8" }).trim();
  if (!libc.startsWith("/")) fail(`newlib for ARM (libc_nano.a) not found: run \`${INSTALL}\``);
  const header = WASM_RT_HEADERS.find((h) => existsSync(h));
  if (!header) fail(`wasm-rt.h (from wabt) not found in ${WASM_RT_HEADERS.join(", ")}: run \`${INSTALL}\``);
  return header;
}

/** Our C sources: everything under firmware/mcu/ but the runtime, which each image compiles on its own. */
function ourSources() {
  const dirs = [here, join(here, "board")];
  return dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".c")).map((f) => join(d, f)));
}

function gcc(args) {
  const r = spawnSync("arm-none-eabi-gcc", args, { encoding: "utf8" });
  if (r.status !== 0) fail(`arm-none-eabi-gcc ${args.join(" ")}\n${r.stderr}`);
}

function compile(source, object, includes, extra = []) {
  gcc([...C_FLAGS, ...includes.flatMap((d) => ["-I", d]), ...extra, "-c", source, "-o", object]);
  return object;
}

function link(objects, elf) {
  gcc([...CPU_FLAGS, "-nostdlib", "-T", join(here, "board", "mps2-an386.ld"), "-Wl,--gc-sections", `-Wl,-Map=${elf.replace(/\.elf$/, ".map")}`,
    ...objects, "-lc_nano", "-lgcc", "-o", elf]);
  const bad = forbiddenSymbols(elf);
  if (bad.length) fail(`${relative(root, elf)} links ${bad.join(", ")}: the image must hold no heap and no stdio`);
}

/** Builds one profile's image and trap image; returns its sizes (stackMax measured later). */
function buildProfile(profile) {
  const wasm = join(root, "build", "firmware", `${profile}.wasm`);
  if (!existsSync(wasm)) fail(`${relative(root, wasm)} is missing: run npm run build`);
  const dir = join(outRoot, profile);
  mkdirSync(dir, { recursive: true });
  const cycle = callCycle(wasm);
  if (cycle) fail(`${relative(root, wasm)} recurses or calls indirectly (${cycle.join(" -> ")}): its stack depth is unbounded without wasm2c's depth counter`);
  const extent = staticExtent(readFileSync(wasm));
  writeFileSync(join(dir, "module-memory.h"), memoryHeader(profile, extent));
  execFileSync("wasm2c", [wasm, "-n", "firmware", "-o", join(dir, "firmware.c")]);
  const includes = [dir, outRoot, join(outRoot, "include"), here];
  const generated = compile(join(dir, "firmware.c"), join(dir, "firmware.o"), includes);
  const ours = ourSources().map((c) => compile(c, join(dir, relative(here, c).replaceAll("/", "-").replace(/\.c$/, ".o")), includes, OUR_WARNINGS));
  const runtime = join(here, "runtime", "wasm-rt-static.c");
  const elf = join(outRoot, `${profile}.elf`);
  link([generated, ...ours, compile(runtime, join(dir, "runtime.o"), includes, OUR_WARNINGS)], elf);
  const trapMemory = `-DMODULE_MEMORY_BYTES=${extent - TRAP_MEMORY_SHORTFALL_BYTES}`;
  link([generated, ...ours, compile(runtime, join(dir, "runtime-trap.o"), includes, [...OUR_WARNINGS, trapMemory])], join(outRoot, `${profile}-trap.elf`));
  return { ...firmwareFootprint(elf.replace(/\.elf$/, ".map"), elf, "firmware.o"), ...imageSizes(elf), stackMax: null };
}

async function lock() {
  mkdirSync(join(root, "build"), { recursive: true });
  for (const deadline = Date.now() + LOCK_WAIT_MS; ;) {
    try {
      mkdirSync(lockDir);
      process.on("exit", () => rmSync(lockDir, { recursive: true, force: true }));
      return;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      let age = 0;
      try { age = Date.now() - statSync(lockDir).mtimeMs; } catch { continue; /* just released */ }
      if (age > LOCK_STALE_MS) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) fail(`another build has held ${relative(root, lockDir)} for ${Math.round(age / 1000)} s`);
      else await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }
}

function newestMtime(path) {
  const s = statSync(path);
  return s.isDirectory() ? Math.max(0, ...readdirSync(path).map((f) => newestMtime(join(path, f)))) : s.mtimeMs;
}

/** True when sizes.json (written last) is newer than every input and holds what this run would. */
function upToDate() {
  if (process.argv.includes("--force") || !existsSync(sizesFile)) return false;
  const outputs = MCU_PROFILES.flatMap((p) => [join(outRoot, `${p}.elf`), join(outRoot, `${p}-trap.elf`)]);
  if (!outputs.every((f) => existsSync(f))) return false;
  const wasm = MCU_PROFILES.map((p) => join(root, "build", "firmware", `${p}.wasm`));
  const inputs = [here, join(here, "..", "abi-numbers.ts"), join(here, "..", "prop.ts"), ...wasm];
  const sizes = JSON.parse(readFileSync(sizesFile, "utf8"));
  if (measureStack && MCU_PROFILES.some((p) => sizes[p]?.stackMax == null)) return false;
  return statSync(sizesFile).mtimeMs > Math.max(...inputs.map(newestMtime));
}

async function main() {
  await lock();
  const wasmBuild = spawnSync(process.execPath, [join(here, "..", "build.mjs")], { stdio: ["ignore", "ignore", "inherit"] });
  if (wasmBuild.status !== 0) fail("the Wasm build (firmware/build.mjs) failed");
  if (upToDate()) process.stdout.write(`mcu: up to date (${relative(root, sizesFile)})\n`);
  else await build();
  if (process.argv.includes("--readme")) {
    const readme = join(root, "README.md");
    writeFileSync(readme, withSizesTable(readFileSync(readme, "utf8"), JSON.parse(readFileSync(sizesFile, "utf8"))));
  }
}

async function build() {
  const header = checkTools();
  mkdirSync(join(outRoot, "include"), { recursive: true });
  copyFileSync(header, join(outRoot, "include", "wasm-rt.h"));
  writeFileSync(join(outRoot, "abi.h"), abiHeader());
  const sizes = {};
  for (const profile of MCU_PROFILES) sizes[profile] = buildProfile(profile);
  if (measureStack) {
    const { measureStack: measure } = await import("./board-session.mjs");
    const { qemuMissing } = await import("./qemu-board.mjs");
    const missing = qemuMissing();
    if (missing) fail(`${missing} (or pass --no-stack to leave stackMax null)`);
    for (const profile of MCU_PROFILES) sizes[profile].stackMax = await measure(join(outRoot, `${profile}.elf`));
  }
  writeFileSync(sizesFile, JSON.stringify(sizes, null, 2) + "\n");
  for (const [profile, s] of Object.entries(sizes)) {
    process.stdout.write(`mcu ${profile}: firmware flash ${s.firmwareFlash} B, RAM ${s.firmwareRam} B; image text ${s.imageText}, data ${s.imageData}, ` +
      `bss ${s.imageBss}; stack ${s.stackMax ?? "not measured"} -> ${relative(root, join(outRoot, `${profile}.elf`))}\n`);
  }
}

await main();
