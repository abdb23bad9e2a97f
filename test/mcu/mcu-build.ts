// The board images the microcontroller tests run: built by firmware/mcu/build.mjs (npm run build:mcu),
// which is incremental and holds a lock, so each test file may ask for it and the run builds once.
// A missing tool fails the build with one line naming what to install; that line becomes the error.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../style/source.ts";

export const MCU_DIR = join(ROOT, "build", "mcu");
/** The Wasm build, the ARM build of two profiles and two stack-measuring QEMU sessions, on a busy 2-core machine. */
export const MCU_BUILD_TIMEOUT_MS = 300_000;

export interface McuSizes {
  firmwareFlash: number;
  firmwareRam: number;
  imageText: number;
  imageData: number;
  imageBss: number;
  stackMax: number | null;
}

export function buildMcu(): Promise<Record<string, McuSizes>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "firmware", "mcu", "build.mjs")], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    child.stdout.resume();
    const timer = setTimeout(() => child.kill("SIGKILL"), MCU_BUILD_TIMEOUT_MS - 5_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`npm run build:mcu failed (exit ${code}):\n${err}`));
      else resolve(JSON.parse(readFileSync(join(MCU_DIR, "sizes.json"), "utf8")) as Record<string, McuSizes>);
    });
  });
}

export const elfPath = (name: string): string => join(MCU_DIR, `${name}.elf`);
