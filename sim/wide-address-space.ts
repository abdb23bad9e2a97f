// Every firmware instance has its own Wasm memory. With V8's trap handler each memory reserves
// ~10 GiB of address space, so one process stops near 12,900 instances ("Cannot allocate Wasm
// memory"); without it, the firmware's capped memories (maximum = initial) are mapped together
// and 100,000 fit (test/bench/SCALE.md). A larger fleet therefore runs in a child process
// started with --disable-wasm-trap-handler (bounds checks in code instead; a little slower).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Sensors per process above which the trap handler's reservations run out of address space. */
export const TRAP_HANDLER_SENSORS_MAX = 12_000;
export const NO_TRAP_HANDLER = "--disable-wasm-trap-handler";

// The sources run through tsx (a clone); the compiled copy (dist/sim/cli.js, the package) runs as is.
const HERE = fileURLToPath(import.meta.url);
const FROM_SOURCE = HERE.endsWith(".ts");
const CLI = join(dirname(HERE), FROM_SOURCE ? "cli.ts" : "cli.js");

export const trapHandlerOff = () => process.execArgv.includes(NO_TRAP_HANDLER);

/** Runs `sim/cli.ts argv` in a child without the trap handler; resolves with its exit code. */
export function runWithoutTrapHandler(argv: string[], io: { out: (t: string) => void; err: (t: string) => void }): Promise<number> {
  return new Promise((resolve) => {
    const node = [NO_TRAP_HANDLER, "--expose-gc", ...(FROM_SOURCE ? ["--import", "tsx"] : [])];
    const child = spawn(process.execPath, [...node, CLI, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => io.out(b.toString()));
    child.stderr.on("data", (b: Buffer) => io.err(b.toString()));
    // A Ctrl-C reaches the child through the terminal; an interrupt of this process is passed on.
    const relay = () => child.kill("SIGINT");
    process.on("SIGINT", relay);
    child.on("close", (code, signal) => {
      process.off("SIGINT", relay);
      resolve(code ?? (signal === "SIGINT" ? 130 : 1));
    });
  });
}
