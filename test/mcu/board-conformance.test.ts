// The conformance idea on the board: broker-to-client sequences played to the firmware twice, once
// as Wasm on the host loop (test/support/tcp-driver.ts over TCP, as test/conformance runs them) and
// once as C in QEMU (firmware/mcu/qemu-board.mjs, over the board's MQTT UART), and the two
// transcripts must be equal byte for byte: the C build behaves as the Wasm does.
//
// Both clients are set up alike, so that the comparison is total rather than filtered: the Wasm
// is configured with the board's CONNECT (client id, keep alive, clean flag, session expiry) and,
// like the board's application, subscribes board/<id>/cmd at QoS 1 once connected; the broker
// answers that SUBSCRIBE before the sequence starts, in both runs. The board's reading interval
// is an hour and its keep alive a minute, so no reading or PINGREQ falls inside a run.
//
// Per sequence: every packet the client sent (CONNECT, SUBSCRIBE, each reaction) and how the
// connection ended must be the same, and so must the firmware's events up to the one that ended
// the connection (the Wasm's event records, the board's debug UART lines "event <name> [reason]").
// A UART cannot be closed, so the board's "closed" is its reconnect: once its next CONNECT arrives
// the firmware has closed the connection, and what came before that CONNECT is what it sent first. On top of
// the equality, the Wasm's run must show the sequence's own expectation (its `recv` packets by
// meaning, closed or alive, the v5 DISCONNECT reason, the event that ended the connection).
//
// The sequences: mosquitto's (test/fixtures/conformance, EPL-2.0 / EDL-1.0, see the README there)
// where its data has one, ours in the same format where it has none: it holds no plain 3.1.1 CONNACK
// refusal and no PUBLISH from the broker, so the 3.1.1 refusal, the QoS 1 and QoS 2 deliveries (a
// duplicate included) and a malformed PUBLISH (QoS 3) are written here. Every wait is bounded;
// every QEMU is stopped after its test.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { subscribe, type ConnectOptions } from "../../host/commands.ts";
import type { FirmwareEvent } from "../../host/events.ts";
import { qemuMissing, startBoard, type Board } from "../../firmware/mcu/qemu-board.mjs";
import { FakeBroker, aliveCheckBytes, type BrokerConnection } from "../support/fake-broker.ts";
import { TcpDriver } from "../support/tcp-driver.ts";
import { loadMosquittoCases, parseHex, type MosquittoCase, type SequenceMsg } from "../conformance/mosquitto-cases.ts";
import { DEFAULT_CONNACK } from "../conformance/run-case.ts";
import { describeDiff, packetDiff } from "../conformance/packet-diff.ts";
import { MCU_BUILD_TIMEOUT_MS, buildMcu, elfPath } from "./mcu-build.ts";

const CLIENT_ID = "conformance";
const CMD_TOPIC = `board/${CLIENT_ID}/cmd`;
const KEEP_ALIVE_S = 60;
const INTERVAL_S = 3600;
/** The board's MQTT 5 Session Expiry Interval (BOARD_SESSION_EXPIRY_S in firmware/mcu/budget.h). */
const SESSION_EXPIRY_S = 3600;
/** Bound on any one packet from either client (QEMU on a busy 2-core machine is the slow one). */
const PACKET_WAIT_MS = 5_000;
/** Bound on the close: the board's first reconnect comes 0.5-1 s after it (RECONNECT_BASE_MS with jitter). */
const CLOSE_WAIT_MS = 10_000;
/**
 * Bound on the board's debug UART catching up with its MQTT UART (two channels, no common order),
 * and the time it is given after that, so that an event the Wasm did not have shows up too.
 */
const EVENTS_WAIT_MS = 3_000;
const EVENTS_SETTLE_MS = 250;
const ACCEPT_WAIT_MS = 5_000;
/** The Wasm client's whole life; a run ends long before. */
const WASM_LIFETIME_MS = 30_000;
/** Packets a closing client may send before the bound cuts the transcript. */
const CLOSING_PACKETS_MAX = 16;
const CASE_TEST_MS = 60_000;

/** Events whose reason the board prints (firmware/mcu/sensor-app.c app_on_event). */
const WITH_REASON = ["ConnectRefused", "ProtocolViolation", "ServerDisconnect"];
/** Events after which the firmware closes the connection (host/link.ts CONNECTION_OVER). */
const CONNECTION_OVER = [...WITH_REASON, "Timeout"];

// ---- The sequences ----

const MOSQUITTO = loadMosquittoCases().flatMap((f) => f.groups.flatMap((g) => g.cases));
const squash = (s: string): string => s.trim().replace(/\s+/g, " ");

function mosquitto(group: string, name: string): MosquittoCase {
  const c = MOSQUITTO.find((x) => squash(x.group) === group && x.name === name);
  if (!c) throw new Error(`no mosquitto sequence '${group}' / '${name}'`);
  return c;
}

/** A sequence of ours, in the fixtures' format (file "ours"). */
function ours(version: 4 | 5, name: string, msgs: SequenceMsg[], o: { connack?: boolean; expectDisconnect: boolean }): MosquittoCase {
  const group = `${version === 5 ? "v5.0" : "v3.1.1"} board`;
  return { file: "ours", group, name, version, connect: true, connack: o.connack ?? true, expectDisconnect: o.expectDisconnect, cleanStart: true, msgs };
}

const send = (payload: string, comment?: string): SequenceMsg => ({ type: "send", payload, comment });
const recv = (payload: string, comment?: string): SequenceMsg => ({ type: "recv", payload, comment });
/** v5 puts a property length (0) after the packet identifier of a PUBLISH. */
const props = (version: 4 | 5): string => (version === 5 ? " 00" : "");
/** Remaining length of a PUBLISH with a 9-byte topic, a packet id and `payload` bytes. */
const publishLength = (version: 4 | 5, payload: number): string => (2 + 9 + 2 + (version === 5 ? 1 : 0) + payload).toString(16).padStart(2, "0");

function qos1(version: 4 | 5): MosquittoCase {
  return ours(version, "QoS 1 inbound", [
    // PUBLISH QoS 1, topic "test/qos1", packet id 8, payload "at least once"
    send(`32 ${publishLength(version, 13)} 0009 746573742f716f7331 0008${props(version)} 6174206c65617374206f6e6365`),
    recv("40 02 0008", "PUBACK 8 [MQTT-4.3.2-2]"),
  ], { expectDisconnect: false });
}

function qos2(version: 4 | 5): MosquittoCase {
  const body = `${publishLength(version, 12)} 0009 746573742f716f7332 0007${props(version)} 65786163746c79206f6e6365`;
  return ours(version, "QoS 2 inbound with a duplicate", [
    send(`34 ${body}`, 'PUBLISH QoS 2, topic "test/qos2", packet id 7, payload "exactly once"'),
    recv("50 02 0007", "PUBREC 7 [MQTT-4.3.3-8]"),
    send(`3c ${body}`, "the same PUBLISH again with DUP set, before PUBREL"),
    recv("50 02 0007", "PUBREC 7 again, and no second delivery [MQTT-4.3.3-10]"),
    send("62 02 0007", "PUBREL 7"),
    recv("70 02 0007", "PUBCOMP 7 [MQTT-4.3.3-11]"),
  ], { expectDisconnect: false });
}

function qos3(version: 4 | 5): MosquittoCase {
  // PUBLISH with both QoS bits set, topic "test/qos3", packet id 9, payload "x"
  return ours(version, "PUBLISH with QoS 3 (malformed)", [send(`36 ${publishLength(version, 1)} 0009 746573742f716f7333 0009${props(version)} 78`)], {
    expectDisconnect: true,
  });
}

/** A sequence and what the Wasm's run of it must show besides equality with the board's. */
interface Pick {
  c: MosquittoCase;
  /** The reason of the DISCONNECT a v5 client sends before it closes (4.13.1), if it sends one. */
  disconnect?: number;
  /** The event that ended the connection, as the board prints it; undefined when it stays up. */
  over?: string;
  /** Message events, the alive check's included. */
  messages: number;
}

const reason = (code: number): string => `reason 0x${code.toString(16).padStart(8, "0")}`;

function picks(version: 4 | 5): Pick[] {
  const v = version === 5 ? "v5.0" : "v3.1.1";
  const violation = (code: number): Pick["over"] => `ProtocolViolation ${reason(code)}`;
  const own = version === 5 ? (code: number) => code : () => undefined; // 3.1.1's DISCONNECT has no reason: it just closes
  const refusal: Pick = version === 5
    ? { c: mosquitto("v5.0 CONNACK", "20 RC=0x87 (not authorised)"), over: `ConnectRefused ${reason(0x87)}`, messages: 0 }
    : {
      c: ours(4, "CONNACK refused, return code 5 (not authorized)", [send("20 02 00 05")], { connack: false, expectDisconnect: true }),
      over: `ConnectRefused ${reason(0x87)}`, // return codes 1-5 are reported as their 5.0 reason codes (firmware/reason.ts)
      messages: 0,
    };
  const all: Pick[] = [
    refusal,
    { c: mosquitto(`${v} PINGRESP`, "D0"), messages: 1 },
    { c: mosquitto(`${v} PINGRESP`, "D0 long"), disconnect: own(0x81), over: violation(0x81), messages: 0 },
    { c: mosquitto(`${v} PINGREQ`, "C0 valid"), disconnect: own(0x82), over: violation(0x82), messages: 0 },
    { c: qos1(version), messages: 2 },
    { c: qos2(version), messages: 2 },
    // [MQTT-3.3.1-4]: both QoS bits set closes the connection; 5.0 calls it a Malformed Packet (4.13.1).
    { c: qos3(version), disconnect: own(0x81), over: violation(0x81), messages: 0 },
  ];
  if (version === 5) {
    all.push({ c: mosquitto("v5.0 DISCONNECT", "E0 RC=0x98 (administrative action)"), over: `ServerDisconnect ${reason(0x98)}`, messages: 0 });
  }
  return all;
}

// ---- One player for both lines ----

type Read = Buffer | "closed" | "timeout";

/** The broker's side of either client: the next packet, "closed" once the connection is over, or "timeout". */
interface Line {
  next(ms: number): Promise<Read>;
  send(bytes: Buffer): void;
}

interface Played {
  /** Everything in order: "broker <hex>" written, "client <hex>" read, "client closed" / "client timeout". */
  transcript: string[];
  /** The client's packets for the sequence's `recv` steps. */
  received: Buffer[];
  /** The client's packets between the sequence's end and its close. */
  closing: Buffer[];
  end: "closed" | "alive" | "not alive" | "still open" | "stopped early";
}

/** SUBACK granting QoS 1 to the one-filter SUBSCRIBE. */
function suback(subscribe: Buffer, version: 4 | 5): Buffer {
  const id = subscribe.subarray(2, 4); // one-byte remaining length: the packet id follows the fixed header
  return Buffer.concat([Buffer.from([0x90, version === 5 ? 4 : 3]), id, Buffer.from(version === 5 ? [0, 1] : [1])]);
}

/** Plays the sequence: CONNECT, the default CONNACK and the application's SUBSCRIBE unless it carries its own CONNACK, its msgs, the end. */
async function play(line: Line, c: MosquittoCase, version: 4 | 5): Promise<Played> {
  const p: Played = { transcript: [], received: [], closing: [], end: "stopped early" };
  const write = (bytes: Buffer): void => {
    line.send(bytes);
    p.transcript.push(`broker ${bytes.toString("hex")}`);
  };
  const read = async (ms: number): Promise<Read> => {
    const r = await line.next(ms);
    p.transcript.push(`client ${typeof r === "string" ? r : r.toString("hex")}`);
    return r;
  };
  if (!Buffer.isBuffer(await read(PACKET_WAIT_MS))) return p;
  if (c.connack) {
    write(DEFAULT_CONNACK[version]);
    const sub = await read(PACKET_WAIT_MS);
    if (!Buffer.isBuffer(sub) || sub[0] !== 0x82) return p;
    write(suback(sub, version));
  }
  for (const m of c.msgs) {
    if (m.type === "send") write(parseHex(m.payload));
    else if (m.type === "recv") {
      const r = await read(PACKET_WAIT_MS);
      if (!Buffer.isBuffer(r)) return p;
      p.received.push(r);
    } else throw new Error(`'${m.type}' steps are not played here`);
  }
  if (c.expectDisconnect) {
    let r = await read(CLOSE_WAIT_MS);
    for (; Buffer.isBuffer(r) && p.closing.length < CLOSING_PACKETS_MAX; r = await read(CLOSE_WAIT_MS)) p.closing.push(r);
    p.end = r === "closed" ? "closed" : "still open";
  } else {
    const alive = aliveCheckBytes(version);
    write(alive.publish);
    const r = await read(PACKET_WAIT_MS);
    p.end = Buffer.isBuffer(r) && r.equals(alive.puback) ? "alive" : "not alive";
  }
  return p;
}

/** The events up to the one that ended the connection, as the board's debug UART prints them. */
function untilOver(events: string[]): string[] {
  const i = events.findIndex((e) => CONNECTION_OVER.includes(e.split(" ")[0]));
  return i < 0 ? events : events.slice(0, i + 1);
}

const wasmEvents = (events: FirmwareEvent[]): string[] =>
  untilOver(events.map((e) => (WITH_REASON.includes(e.name) ? `${e.name} ${reason(e.reason)}` : e.name)));
const boardEvents = (debug: string): string[] => untilOver([...debug.matchAll(/^event (.+)$/gm)].map((m) => m[1]));

// ---- The two clients ----

interface Run extends Played { events: string[] }

/** The board's CONNECT, configured into the Wasm (firmware/mcu/sensor-app.c app_configure). */
function boardConnect(version: 4 | 5): ConnectOptions {
  return version === 5
    ? { version, clientId: CLIENT_ID, keepalive: KEEP_ALIVE_S, clean: true, properties: { sessionExpiryInterval: SESSION_EXPIRY_S } }
    : { version, clientId: CLIENT_ID, keepalive: KEEP_ALIVE_S, clean: false };
}

function wasmLine(conn: BrokerConnection): Line {
  return {
    async next(ms) {
      const r = await conn.nextPacket(ms);
      return r.kind === "packet" ? r.bytes : r.kind;
    },
    send: (bytes) => conn.write(bytes),
  };
}

async function runWasm(c: MosquittoCase, profile: string, version: 4 | 5): Promise<Run> {
  const broker = await FakeBroker.listen();
  const driver = new TcpDriver({
    port: broker.port,
    profile,
    connect: boardConnect(version),
    onConnected: (fw) => subscribe(fw, [{ topic: CMD_TOPIC, qos: 1 }]),
    lifetimeMs: WASM_LIFETIME_MS,
  });
  try {
    const conn = await broker.accept(ACCEPT_WAIT_MS);
    if (!conn) throw new Error("the Wasm firmware did not connect");
    const played = await play(wasmLine(conn), c, version);
    conn.destroy();
    driver.stop();
    return { ...played, events: wasmEvents((await driver.done).events) };
  } finally {
    driver.stop();
    await broker.close();
  }
}

/** The board's MQTT UART; its next CONNECT means the firmware closed the connection and opened the next. */
function boardLine(board: Board): Line {
  let connects = 0;
  return {
    async next(ms) {
      let packet: Buffer;
      try {
        packet = await board.nextPacket(ms);
      } catch (e) {
        if (board.exited) throw e;
        return "timeout";
      }
      return packet[0] === 0x10 && connects++ > 0 ? "closed" : packet;
    },
    send: (bytes) => board.send(bytes),
  };
}

const running = new Set<Board>();

async function runBoard(c: MosquittoCase, profile: string, version: 4 | 5, wantEvents: number): Promise<Run & { debug: string }> {
  const board = await startBoard(elfPath(profile), { "client-id": CLIENT_ID, interval: INTERVAL_S, "keep-alive": KEEP_ALIVE_S });
  running.add(board);
  const played = await play(boardLine(board), c, version);
  // The debug UART may lag the MQTT UART; a shortfall is left for the comparison to show.
  await board.until(() => boardEvents(board.debug).length >= wantEvents, EVENTS_WAIT_MS, `${wantEvents} events`).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, EVENTS_SETTLE_MS));
  return { ...played, events: boardEvents(board.debug), debug: board.debug };
}

// ---- The tests ----

/** What a run shows, in the shape the sequence and the pick expect of it. */
function reaction(run: Run, pick: Pick) {
  const recvs = pick.c.msgs.filter((m) => m.type === "recv").map((m) => parseHex(m.payload));
  const version = pick.c.version === 5 ? 5 : 4;
  return {
    received: run.received.map((r, i) => packetDiff(recvs[i], r, version).map(describeDiff)),
    end: run.end,
    closing: run.closing.map((b) => b.toString("hex")),
    over: untilOver(run.events).find((e) => CONNECTION_OVER.includes(e.split(" ")[0])),
    messages: run.events.filter((e) => e === "Message").length,
  };
}

function expected(pick: Pick) {
  return {
    received: pick.c.msgs.filter((m) => m.type === "recv").map(() => []),
    end: pick.c.expectDisconnect ? "closed" : "alive",
    closing: pick.disconnect === undefined ? [] : [`e001${pick.disconnect.toString(16)}`],
    over: pick.over,
    messages: pick.messages,
  };
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
  { profile: "tiny", version: 4 as const },
  { profile: "default", version: 5 as const },
])("the $profile board reacts to broker sequences as its Wasm does", ({ profile, version }) => {
  for (const pick of picks(version)) {
    const source = pick.c.file === "ours" ? "ours" : `mosquitto ${pick.c.file}`;
    it(`${squash(pick.c.group)} / ${pick.c.name} (${source})`, async () => {
      const wasm = await runWasm(pick.c, profile, version);
      const board = await runBoard(pick.c, profile, version, wasm.events.length);
      const context = `debug UART:\n${board.debug}`;
      expect(board.transcript, context).toEqual(wasm.transcript);
      expect(board.events, context).toEqual(wasm.events);
      expect(reaction(wasm, pick), JSON.stringify(wasm.transcript)).toEqual(expected(pick));
    }, CASE_TEST_MS);
  }
});
