// The firmware on an emulated Cortex-M4 (issue 14), end to end: `mote board` (QEMU mps2-an386
// running build/mcu/<profile>.elf) with its MQTT UART on a pty, `mote bridge` carrying it to a
// real mosquitto, a mosquitto_sub watching. Readings arrive with consecutive sequence numbers; a
// command comes back as an ack; a restarted bridge loses nothing: the board notices the dead line
// by keep alive, reconnects, and resends its unacknowledged readings with DUP. Both profiles.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broker, killAll, mosquittoPub, mosquittoSub, mote, sleep, waitFor, type Broker } from "../cli/helpers.ts";
import { MCU_BUILD_TIMEOUT_MS, buildMcu } from "../mcu/mcu-build.ts";

/** Keep alive 5 s: after the restart the board fills its in-flight window, goes quiet, pings, and times out. */
const KEEP_ALIVE_S = 5;
const BRIDGE_DOWN_MS = 3000;
/**
 * Readings after the restart. The board sends into the dead line until its in-flight window is
 * full (4 readings with tiny, 16 with default, one a second), then keep alive (5 s) and the
 * PINGRESP timeout (10 s) end the connection, then the reconnect and the resend: measured 17 s
 * (tiny) and 29 s (default) after the restart.
 */
const AFTER_RESTART_MS = 60_000;
const AFTER_RESTART_READINGS = 5;
const TEST_MS = 150_000;

let b: Broker;
const dir = mkdtempSync(join(tmpdir(), "mote-board-"));
beforeAll(async () => {
  await buildMcu();
  b = await broker();
}, MCU_BUILD_TIMEOUT_MS);
afterAll(async () => {
  killAll();
  await b?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The sequence numbers of the readings a subscriber printed (-v: "topic payload" lines). */
const sequences = (out: string) => [...out.matchAll(/temperature \{"seq":(\d+),/g)].map((m) => Number(m[1]));

describe.each([
  { profile: "tiny", version: "MQTT 3.1.1" },
  { profile: "default", version: "MQTT 5.0" },
])("the $profile firmware on the board ($version)", ({ profile }) => {
  it("publishes readings with consecutive sequence numbers, answers a command, and loses none across a bridge restart", async () => {
    const id = `b-${profile}`;
    const link = join(dir, `${profile}-tty`);
    const bridgeArgs = ["bridge", "--port", link, "--url", `mqtt://127.0.0.1:${b.port}`];
    const sub = mosquittoSub(["-p", String(b.port), "-i", `watch-${profile}`, "-t", `board/${id}/#`, "-v", "-q", "1"], TEST_MS);
    await b.subscribed(`watch-${profile}`);
    const board = mote(["board", "--link", link, "--profile", profile, "--client-id", id, "--interval", "1", "--keep-alive", String(KEEP_ALIVE_S)],
      { timeoutMs: TEST_MS });
    await waitFor(() => /mote board: .* on /.test(board.stderr), "the board's pty", 15_000);
    let bridge = mote(bridgeArgs, { timeoutMs: TEST_MS });
    await b.subscribed(id, 1);
    await waitFor(() => sequences(sub.stdout).length >= 3, "three readings", 20_000);
    expect((await mosquittoPub(["-p", String(b.port), "-t", `board/${id}/cmd`, "-m", "blink 3", "-q", "1"]).done).code).toBe(0);
    await waitFor(() => sub.stdout.includes(`board/${id}/ack blink 3`), "the command's ack", 10_000);

    // The bridge goes away for a while: the readings the board sends meanwhile go nowhere and stay
    // unacknowledged. It notices by keep alive, reconnects once a bridge carries its line again,
    // and resends them (DUP) before the ones it queued.
    bridge.kill("SIGINT");
    await bridge.done;
    const before = Math.max(...sequences(sub.stdout));
    await sleep(BRIDGE_DOWN_MS);
    bridge = mote(bridgeArgs, { timeoutMs: TEST_MS });
    const restarted = performance.now();
    await waitFor(() => Math.max(...sequences(sub.stdout)) >= before + AFTER_RESTART_READINGS, "readings after the restart", AFTER_RESTART_MS)
      .catch((e: Error) => { throw new Error(`${e.message}\nboard:\n${board.stderr}\nbridge:\n${bridge.stderr}`); });
    const resumedS = (performance.now() - restarted) / 1000;
    bridge.kill("SIGINT");
    board.kill("SIGINT");
    sub.kill("SIGINT");
    await Promise.all([bridge.done, board.done, sub.done]);

    const seen = [...new Set(sequences(sub.stdout))].sort((x, y) => x - y);
    expect(seen[0]).toBe(1);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    expect(b.count(`Sending SUBACK to ${id}\n`)).toBeGreaterThanOrEqual(2); // subscribed again on the new connection
    expect(b.log()).toMatch(new RegExp(`Received PUBLISH from ${id} \\(d1, q1, r0, m\\d+, 'board/${id}/temperature'`));
    expect(board.stderr).toMatch(/board: event Timeout/);
    expect(board.stderr).not.toMatch(/board: (trap|fault):/);
    console.log(`${profile}: readings ${seen.length} (last ${seen.at(-1)}); ${AFTER_RESTART_READINGS} more ${resumedS.toFixed(1)} s after the bridge restarted`);
  }, TEST_MS);
});
