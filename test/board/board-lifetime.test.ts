// `mote board` leaves nothing behind: QEMU and socat end with it, even when it is killed with
// SIGKILL (a test's cleanup, a timeout). A board left running after its parent died spun on its
// debug UART's dead pipe, a whole core each, and slowed every other board on the machine.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, mote, waitFor } from "../cli/helpers.ts";
import { MCU_BUILD_TIMEOUT_MS, buildMcu } from "../mcu/mcu-build.ts";

const dir = mkdtempSync(join(tmpdir(), "mote-board-life-"));
beforeAll(async () => {
  await buildMcu();
}, MCU_BUILD_TIMEOUT_MS);
afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The child processes of pid: [pid, command name]. */
function children(pid: number): [number, string][] {
  const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(pid)], { encoding: "utf8" }).trim();
  return out === "" ? [] : out.split("\n").map((l) => l.trim().split(/\s+/)).map(([p, c]) => [Number(p), c]);
}

/** Gone, or a zombie waiting for whoever adopted it. */
function ended(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").startsWith("Z");
  } catch {
    return true;
  }
}

describe("mote board", () => {
  it("takes QEMU and socat with it when it is killed with SIGKILL", async () => {
    const link = join(dir, "tty");
    const board = mote(["board", "--link", link, "--profile", "tiny", "--client-id", "life"], { timeoutMs: 30_000 });
    await waitFor(() => /mote board: .* on /.test(board.stderr), "the board's pty", 15_000);
    const kids = children(board.child.pid!);
    expect(kids.map(([, name]) => name).sort()).toEqual(["qemu-system-arm", "socat"]);
    board.kill("SIGKILL");
    await board.done;
    await waitFor(() => kids.every(([pid]) => ended(pid)), "QEMU and socat to end", 5_000);
  });
});
