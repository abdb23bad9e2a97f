// One scripted MQTT session with a board, played from the broker's side over QEMU's serial line:
// CONNECT -> CONNACK, SUBSCRIBE -> SUBACK, readings (PUBLISH QoS 1) -> PUBACK, then a command on
// board/<id>/cmd that must come back on board/<id>/ack. It returns every packet it parsed (with
// mqtt-packet), so that tests assert on the transcript and the build measures the stack it took.
import mqttPacket from "mqtt-packet";
import { startBoard } from "./qemu-board.mjs";

/** Slack on top of the board's reading interval for any one packet to arrive. */
const PACKET_SLACK_MS = 5_000;
/** The board looks at its stack paint once a second (BOARD_STACK_CHECK_MS): wait a little longer. */
const STACK_REPORT_WAIT_MS = 1_500;

/** Parses one whole packet as a server would (a CONNECT names its own protocol version). */
export function parsePacket(bytes, protocolVersion) {
  const parser = mqttPacket.parser({ protocolVersion });
  const out = [];
  parser.on("packet", (p) => out.push(p));
  parser.on("error", (e) => { throw e; });
  parser.parse(bytes);
  if (out.length !== 1) throw new Error(`expected one packet in ${bytes.toString("hex")}, parsed ${out.length}`);
  return out[0];
}

/**
 * Plays the session on a started board. readings: how many readings to acknowledge before the
 * command; waitMs: the bound on each packet (the reading interval plus slack).
 */
export async function playSession(board, { clientId, command = "blink", readings = 2, waitMs = PACKET_SLACK_MS }) {
  const t = { connect: undefined, subscribe: undefined, readings: [], commandPuback: undefined, ack: undefined };
  t.connect = parsePacket(await board.nextPacket(waitMs), 5);
  const v = t.connect.protocolVersion;
  const send = (packet) => board.send(mqttPacket.generate(packet, { protocolVersion: v }));
  const next = async () => parsePacket(await board.nextPacket(waitMs), v);
  /** A reading is acknowledged and recorded wherever it turns up. */
  const take = (p) => {
    if (p.cmd !== "publish" || p.topic !== `board/${clientId}/temperature`) return false;
    t.readings.push(p);
    send({ cmd: "puback", messageId: p.messageId, reasonCode: 0 });
    return true;
  };
  send({ cmd: "connack", returnCode: 0, reasonCode: 0, sessionPresent: false });
  for (let p = await next(); ; p = await next()) {
    if (p.cmd === "subscribe") { t.subscribe = p; break; }
    if (!take(p)) throw new Error(`expected SUBSCRIBE, got ${p.cmd}`);
  }
  send({ cmd: "suback", messageId: t.subscribe.messageId, granted: [1], reasonCode: 0 });
  while (t.readings.length < readings) {
    const p = await next();
    if (!take(p)) throw new Error(`expected a reading, got ${p.cmd}`);
  }
  const commandId = 0x4242;
  send({ cmd: "publish", topic: `board/${clientId}/cmd`, payload: Buffer.from(command), qos: 1, messageId: commandId });
  while (!t.commandPuback || !t.ack) {
    const p = await next();
    if (p.cmd === "puback" && p.messageId === commandId) t.commandPuback = p;
    else if (p.cmd === "publish" && p.topic === `board/${clientId}/ack`) {
      t.ack = p;
      send({ cmd: "puback", messageId: p.messageId, reasonCode: 0 });
    } else if (!take(p)) throw new Error(`expected the command's PUBACK or ack, got ${p.cmd}`);
  }
  return t;
}

/** The largest stack high-water mark the board reported on its debug UART, or null. */
function reportedStackMax(debug) {
  const values = [...debug.matchAll(/stack-max (\d+) bytes/g)].map((m) => Number(m[1]));
  return values.length ? Math.max(...values) : null;
}

/** Runs the session on the ELF and returns the deepest stack it reached (bytes). */
export async function measureStack(elf) {
  const clientId = "stack-probe";
  const board = await startBoard(elf, { "client-id": clientId, interval: 1 });
  try {
    await playSession(board, { clientId, waitMs: 1_000 + PACKET_SLACK_MS });
    await new Promise((resolve) => setTimeout(resolve, STACK_REPORT_WAIT_MS));
    return reportedStackMax(board.debug);
  } finally {
    await board.stop();
  }
}
