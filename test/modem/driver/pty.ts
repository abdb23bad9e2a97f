// A socat pty pair under a temp dir: `a` for the driver, `b` for the fake modem. Both ends are
// raw with echo off, so all 256 byte values pass. kill() ends socat (an "unplugged" modem).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PtyPair {
  readonly a: string;
  readonly b: string;
  /** Ends socat: both ends go away as an unplugged USB modem would. */
  kill(): Promise<void>;
  /** kill() and remove the temp dir. */
  cleanup(): Promise<void>;
}

export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), "modem-pty-"));
  const a = join(dir, "A");
  const b = join(dir, "B");
  const proc: ChildProcess = spawn("socat", ["-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const deadline = Date.now() + 5000;
  while (!(existsSync(a) && existsSync(b))) {
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill("SIGKILL");
      throw new Error("socat did not create the pty pair within 5 s");
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  };
  return {
    a, b, kill,
    cleanup: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
