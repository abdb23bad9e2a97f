// Keep alive on the board's own clock holds an idle connection (issue 14): a board that publishes
// once an hour, with keep alive 10 s, bridged to mosquitto and left alone for 30 s. mosquitto
// (which drops a client silent for 1.5 x its keep alive) sees PINGREQs from the board's client id
// and answers them, never disconnects it, and a command sent after the idle time is answered.
// With a clock running 2x slow or worse the board pings too late and mosquitto closes the line.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { broker, killAll, mosquittoPub, mosquittoSub, mote, sleep, waitFor, type Broker } from "../cli/helpers.ts";
import { MCU_BUILD_TIMEOUT_MS, buildMcu } from "../mcu/mcu-build.ts";

const KEEP_ALIVE_S = 10;
const IDLE_MS = 30_000;
/** 30 s at 10 s keep alive is 3 PINGREQs on time; 2 leaves room for a late start. */
const PINGS_MIN = 2;
const TEST_MS = 90_000;

let b: Broker;
const dir = mkdtempSync(join(tmpdir(), "mote-board-idle-"));
beforeAll(async () => {
  await buildMcu();
  b = await broker();
}, MCU_BUILD_TIMEOUT_MS);
afterAll(async () => {
  killAll();
  await b?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("keep alive on the board", () => {
  // The two profiles idle side by side: the wait is the test.
  it.concurrent.for([{ profile: "tiny" }, { profile: "default" }])("holds a 30 s idle connection through mote bridge ($profile)", { timeout: TEST_MS }, async ({ profile }, { expect }) => {
    const id = `idle-${profile}`;
    const link = join(dir, `${profile}-tty`);
    const sub = mosquittoSub(["-p", String(b.port), "-i", `watch-${id}`, "-t", `board/${id}/ack`, "-v", "-q", "1"], TEST_MS);
    await b.subscribed(`watch-${id}`);
    const board = mote(["board", "--link", link, "--profile", profile, "--client-id", id, "--interval", "3600", "--keep-alive", String(KEEP_ALIVE_S)],
      { timeoutMs: TEST_MS });
    await waitFor(() => /mote board: .* on /.test(board.stderr), "the board's pty", 15_000);
    const bridge = mote(["bridge", "--port", link, "--url", `mqtt://127.0.0.1:${b.port}`], { timeoutMs: TEST_MS });
    await b.subscribed(id);
    const pingsBefore = b.count(`Received PINGREQ from ${id}\n`);
    await sleep(IDLE_MS);
    const pings = b.count(`Received PINGREQ from ${id}\n`) - pingsBefore;
    expect((await mosquittoPub(["-p", String(b.port), "-t", `board/${id}/cmd`, "-m", "still there", "-q", "1"]).done).code).toBe(0);
    await waitFor(() => sub.stdout.includes(`board/${id}/ack still there`), "the command's ack after the idle time", 10_000);
    const log = b.log();
    for (const p of [bridge, board, sub]) p.kill("SIGINT");
    await Promise.all([bridge.done, board.done, sub.done]);

    expect(pings).toBeGreaterThanOrEqual(PINGS_MIN);
    expect(b.count(`Sending PINGRESP to ${id}\n`)).toBeGreaterThanOrEqual(pings);
    // One connection all along: connected once, never dropped (mosquitto's words for each way a connection ends).
    expect(log.split(`as ${id} (`).length - 1).toBe(1);
    expect(log).not.toMatch(new RegExp(`[Cc]lient ${id}(,| )(disconnect|closed|has exceeded)`));
    expect(board.stderr).not.toMatch(/board: event (Timeout|ServerDisconnect|ReconnectDue)/);
    console.log(`${profile}: ${pings} PINGREQ in ${IDLE_MS / 1000} s idle at keep alive ${KEEP_ALIVE_S} s`);
  });
});
