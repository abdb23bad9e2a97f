// mote sub: subscribe to every -t filter at QoS -q and print each message: the payload, or
// 'topic payload' with -v, one per line. Messages of any size are printed: one larger than the
// firmware's RX buffer arrives in chunks, which go to stdout as they come, so memory stays
// bounded. -C n exits after n messages with a normal DISCONNECT (so no will is published); -W s
// exits s seconds after connecting (status 1 when nothing arrived, naming the broker's last
// DISCONNECT reason if there was one). A dropped connection is survived: the Device reconnects
// and resubscribes (or, with -c, resumes the session).
import { reasonLine } from "../device.ts";
import type { CliConfig } from "./config.ts";
import { Session } from "./session.ts";
import { MoteError } from "../errors.ts";

const NL = Buffer.from("\n");

interface ChunkInfo { offset: number; total: number; last: boolean }

export async function runSub(cfg: CliConfig, interrupted: Promise<void>, warn: (line: string) => void): Promise<number> {
  let received = 0;
  let timedOut = false;
  let finish!: () => void;
  const finished = new Promise<void>((r) => { finish = r; });
  void interrupted.then(() => finish());
  const full = () => cfg.count !== undefined && received >= cfg.count; // later ones arrived while the DISCONNECT was on its way
  const counted = () => {
    received++;
    if (full()) finish();
  };
  const onMessage = (topic: string, payload: Buffer) => {
    if (full()) return;
    process.stdout.write(cfg.verbose ? Buffer.concat([Buffer.from(`${topic} `, "utf8"), payload, NL]) : Buffer.concat([payload, NL]));
    counted();
  };
  // A chunked message streams to stdout; `streaming` is the one being written.
  let streaming: { topic: string; written: number; total: number } | undefined;
  const onChunk = (topic: string, chunk: Buffer, info: ChunkInfo) => {
    if (info.offset === 0) {
      if (full()) return;
      streaming = { topic, written: 0, total: info.total };
      if (cfg.verbose) process.stdout.write(`${topic} `);
    }
    if (!streaming) return;
    process.stdout.write(chunk);
    streaming.written += chunk.length;
    if (info.last) {
      process.stdout.write(NL);
      streaming = undefined;
      counted();
    }
  };
  const onClose = () => {
    if (!streaming) return;
    // The rest never comes on this connection (a QoS 1/2 message is sent again, whole): end the line and say so.
    process.stdout.write(NL);
    warn(`a message on '${streaming.topic}' was cut after ${streaming.written} of ${streaming.total} bytes: the connection closed`);
    streaming = undefined;
  };
  // The Device reassembles nothing (maxMessageBytes 0): every chunked message is streamed here.
  const streamed: CliConfig = { ...cfg, device: { ...cfg.device, maxMessageBytes: 0 } };
  // The listeners go on before connecting: a resumed session (-c) delivers right after CONNACK.
  const session = await Session.open(streamed, warn, (d) => {
    d.on("message", onMessage);
    d.on("messageChunk", onChunk);
    d.on("close", onClose);
  });
  const device = session.device;
  const timer = cfg.timeoutS === undefined ? undefined : setTimeout(() => { timedOut = true; finish(); }, cfg.timeoutS * 1000);

  try {
    const subs = cfg.topics.map((topic) => ({ topic, qos: cfg.qos }));
    const codes = await session.guard(Promise.race([device.subscribe(subs, { properties: cfg.subscribeProperties }), finished.then(() => undefined)]));
    if (codes) {
      const refused = cfg.topics.map((t, i) => [t, codes[i] ?? 0x80] as const).filter(([, c]) => c >= 0x80);
      const list = refused.map(([t, c]) => `'${t}' ${reasonLine(c)}`).join(", ");
      if (refused.length === cfg.topics.length) throw new MoteError(`the broker refused the subscription${refused.length > 1 ? "s" : ""}: ${list}`, "rejected");
      if (refused.length > 0) warn(`warning: the broker refused ${list}`);
    }
    await session.guard(finished);
  } finally {
    clearTimeout(timer);
    await session.end();
  }
  if (timedOut && received === 0) {
    const last = session.lastDisconnect ? ` (last: ${session.lastDisconnect})` : "";
    throw new MoteError(`timed out: no message in ${cfg.timeoutS} s${last}`, "timeout");
  }
  return 0;
}
