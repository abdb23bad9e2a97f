// The board in QEMU (mps2-an386, Cortex-M4) from the broker's side of its MQTT UART: a CONNECT with
// the client id given at run time, SUBSCRIBE after CONNACK, readings as QoS 1 PUBLISHes with
// consecutive sequence numbers, a command acknowledged and answered on board/<id>/ack; both
// profiles (5.0 with default, 3.1.1 with tiny). The board's clock keeps the host's time (readings
// once a second at interval 1, a PINGREQ every keep alive), and a CONNECT nobody answered (the
// line was not bridged yet) is sent again after the CONNACK timeout. The trap build reports its
// trap on the debug UART.
// Every QEMU is stopped whatever happens; every wait is bounded.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import mqttPacket from "mqtt-packet";
import { Firmware } from "../../host/firmware.ts";
import { parsePacket, playSession } from "../../firmware/mcu/board-session.mjs";
import { qemuMissing, startBoard, type Board } from "../../firmware/mcu/qemu-board.mjs";
import { MCU_BUILD_TIMEOUT_MS, buildMcu, elfPath } from "./mcu-build.ts";

/** Reading interval given at run time (the default is 5 s); each packet may take it plus slack. */
const INTERVAL_S = 1;
const PACKET_WAIT_MS = INTERVAL_S * 1000 + 5_000;
const KEEP_ALIVE_S = 30;
/** The board's defaults (firmware/mcu/budget.h) and the session it keeps (MQTT 5 Session Expiry). */
const DEFAULT_CLIENT_ID = "board-1";
const SESSION_EXPIRY_S = 3600;
const SESSION_TEST_MS = 60_000;
/** Keep alive for the ping test, and the bounds on the gap between PINGREQs (loose: a busy host delays their delivery). */
const PING_KEEP_ALIVE_S = 2;
const PING_GAP_MIN_MS = 1_000;
const PING_GAP_MAX_MS = 4_000;
/**
 * The clock test: readings at a 1 s interval, the span from the second to the last must be
 * (RATE_READINGS - 2) s within ±25%. The firmware's own clock is what is measured: a clock that
 * counted SysTick interrupts lost most of them when QEMU's CPU thread was starved by a busy host.
 */
const RATE_READINGS = 7;
const RATE_SPAN_S = RATE_READINGS - 2;
const RATE_TOLERANCE = 0.25;
/** The tiny profile's CONNACK timeout plus its first reconnect delay (at most RECONNECT_BASE_MS), plus slack. */
const RECONNECT_WAIT_MS = 10_000 + 1_000 + 5_000;

const running = new Set<Board>();
async function start(elf: string, params: Parameters<typeof startBoard>[1]): Promise<Board> {
  const board = await startBoard(elf, params);
  running.add(board);
  return board;
}

beforeAll(async () => {
  const missing = qemuMissing();
  if (missing) throw new Error(missing);
  await buildMcu();
}, MCU_BUILD_TIMEOUT_MS);

afterEach(async () => {
  await Promise.all([...running].map((b) => b.stop()));
  running.clear();
});

describe.each([
  { profile: "default", version: 5 },
  { profile: "tiny", version: 4 },
])("the $profile board in QEMU", ({ profile, version }) => {
  it(`speaks MQTT ${version === 5 ? "5.0" : "3.1.1"} over its UART: CONNECT, SUBSCRIBE, readings, a command and its answer`, async () => {
    const clientId = `smoke-${profile}`;
    const board = await start(elfPath(profile), { "client-id": clientId, interval: INTERVAL_S, "keep-alive": KEEP_ALIVE_S });
    const t = await playSession(board, { clientId, command: "led on", readings: 3, waitMs: PACKET_WAIT_MS });

    expect(t.connect).toMatchObject({ cmd: "connect", protocolId: "MQTT", protocolVersion: version, clientId, keepalive: KEEP_ALIVE_S });
    if (version === 5) {
      // A clean start with a session that outlives the line; the limits the default budget announces.
      const fw = new Firmware(profile);
      expect(t.connect.clean).toBe(true);
      expect(t.connect.properties).toEqual({
        sessionExpiryInterval: SESSION_EXPIRY_S,
        receiveMaximum: fw.budget("INBOUND_QOS2_SLOTS"),
        topicAliasMaximum: fw.budget("TOPIC_ALIAS_IN_SLOTS"),
      });
    } else {
      expect(t.connect.clean).toBe(false); // 3.1.1 keeps its session with clean session off
    }

    expect(t.subscribe.subscriptions).toEqual([expect.objectContaining({ topic: `board/${clientId}/cmd`, qos: 1 })]);

    expect(t.readings.length).toBeGreaterThanOrEqual(3);
    const seqs = t.readings.map((r) => {
      expect(r).toMatchObject({ topic: `board/${clientId}/temperature`, qos: 1, dup: false, retain: false });
      const reading = JSON.parse(r.payload.toString()) as { seq: number; celsius: number };
      expect(typeof reading.celsius).toBe("number");
      return reading.seq;
    });
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(new Set(t.readings.map((r) => r.messageId)).size).toBe(t.readings.length);

    expect(t.commandPuback.messageId).toBeDefined();
    expect(t.ack).toMatchObject({ topic: `board/${clientId}/ack`, qos: 1 });
    expect(t.ack.payload.toString()).toBe("led on");

    expect(board.debug).toContain(`client-id ${clientId}, interval ${INTERVAL_S} s, keep-alive ${KEEP_ALIVE_S} s`);
    expect(board.debug).toContain("command acknowledged");
    expect(board.debug).not.toMatch(/^(trap|fault):/m);
  }, SESSION_TEST_MS);

  it(`keeps a quiet connection alive: PINGREQ every ${PING_KEEP_ALIVE_S} s`, async () => {
    const board = await start(elfPath(profile), { "client-id": "pinger", interval: 3600, "keep-alive": PING_KEEP_ALIVE_S });
    const send = (p: mqttPacket.Packet) => board.send(mqttPacket.generate(p, { protocolVersion: version }));
    expect(parsePacket(await board.nextPacket(PACKET_WAIT_MS), 5)).toMatchObject({ cmd: "connect", keepalive: PING_KEEP_ALIVE_S });
    send({ cmd: "connack", returnCode: 0, reasonCode: 0, sessionPresent: false });
    const subscribe = parsePacket(await board.nextPacket(PACKET_WAIT_MS), version);
    expect(subscribe.cmd).toBe("subscribe");
    send({ cmd: "suback", messageId: subscribe.messageId ?? 0, granted: [1], reasonCode: 0 } as mqttPacket.ISubackPacket);
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      expect(parsePacket(await board.nextPacket(PACKET_WAIT_MS), version).cmd).toBe("pingreq");
      times.push(Date.now());
      send({ cmd: "pingresp" });
    }
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(PING_GAP_MIN_MS);
    expect(times[1] - times[0]).toBeLessThanOrEqual(PING_GAP_MAX_MS);
    expect(board.debug).not.toContain("event Timeout");
  }, SESSION_TEST_MS);

  it(`keeps real time: readings ${INTERVAL_S} s apart span ${RATE_SPAN_S} s ±${RATE_TOLERANCE * 100}% of the host's clock`, async () => {
    const clientId = `clock-${profile}`;
    const board = await start(elfPath(profile), { "client-id": clientId, interval: INTERVAL_S, "keep-alive": KEEP_ALIVE_S });
    const send = (p: mqttPacket.Packet) => board.send(mqttPacket.generate(p, { protocolVersion: version }));
    expect(parsePacket(await board.nextPacket(PACKET_WAIT_MS), 5).cmd).toBe("connect");
    send({ cmd: "connack", returnCode: 0, reasonCode: 0, sessionPresent: false });
    const arrivals: { seq: number; ms: number }[] = [];
    while (arrivals.length < RATE_READINGS) {
      const p = parsePacket(await board.nextPacket(PACKET_WAIT_MS), version);
      const ms = performance.now();
      if (p.cmd === "subscribe") send({ cmd: "suback", messageId: p.messageId ?? 0, granted: [1], reasonCode: 0 } as mqttPacket.ISubackPacket);
      if (p.cmd !== "publish") continue;
      send({ cmd: "puback", messageId: p.messageId ?? 0, reasonCode: 0 });
      arrivals.push({ seq: (JSON.parse(p.payload.toString()) as { seq: number }).seq, ms });
    }
    expect(arrivals.map((a) => a.seq)).toEqual(arrivals.map((_, i) => i + 1));
    // From the second reading on: the first may wait in the outbox for the CONNACK.
    const spanMs = arrivals[RATE_READINGS - 1].ms - arrivals[1].ms;
    expect(spanMs).toBeGreaterThanOrEqual(RATE_SPAN_S * 1000 * (1 - RATE_TOLERANCE));
    expect(spanMs).toBeLessThanOrEqual(RATE_SPAN_S * 1000 * (1 + RATE_TOLERANCE));
  }, SESSION_TEST_MS);

  it("without parameters uses its defaults: client id board-1", async () => {
    const board = await start(elfPath(profile), {});
    const connect = parsePacket(await board.nextPacket(PACKET_WAIT_MS), 5);
    expect(connect).toMatchObject({ cmd: "connect", clientId: DEFAULT_CLIENT_ID, protocolVersion: version });
    await board.debugLine(/interval 5 s, keep-alive 60 s/, PACKET_WAIT_MS);
  }, SESSION_TEST_MS);

  it("the trap build (module memory below the static extent) reports the trap on the debug UART and halts", async () => {
    const board = await start(elfPath(`${profile}-trap`), { "client-id": "trap" });
    const [line] = await board.debugLine(/trap: \d+ [^\n]*\n/, PACKET_WAIT_MS);
    expect(line).toMatch(/^trap: 1 out of bounds memory access \(module memory \d+ bytes\)\n$/);
    // It halted before anything reached the MQTT line.
    await new Promise((r) => setTimeout(r, 500));
    expect(board.received.length).toBe(0);
    expect(board.debug).not.toContain("mote board:");
  }, SESSION_TEST_MS);
});

// One profile is enough for the reconnect of a line bridged late: the host loop is the same C for both.
describe("the tiny board in QEMU, bridged late", () => {
  const profile = "tiny";
  const version = 4;
  it("sends its CONNECT again when nobody answered the first (a line bridged late)", async () => {
    const board = await start(elfPath(profile), { "client-id": "late" });
    const first = await board.nextPacket(PACKET_WAIT_MS);
    const again = await board.nextPacket(RECONNECT_WAIT_MS);
    expect(again).toEqual(first);
    // The debug UART is another channel than the MQTT line: its lines may arrive a little later.
    await board.debugLine(/event Timeout\n(.*\n)*event ReconnectDue\n/, PACKET_WAIT_MS);
    board.send(mqttPacket.generate({ cmd: "connack", returnCode: 0, sessionPresent: false }, { protocolVersion: version }));
    // Readings queued meanwhile may go before the SUBSCRIBE.
    let p: mqttPacket.Packet;
    do p = parsePacket(await board.nextPacket(PACKET_WAIT_MS), version); while (p.cmd === "publish");
    expect(p.cmd).toBe("subscribe");
  }, SESSION_TEST_MS);
});
