// mote sub: subscribe to every -t filter at QoS -q and print each message: the payload, or
// 'topic payload' with -v, or mosquitto's -F format, one per line (-N: none). Messages of any
// size are printed: without -F, one larger than the firmware's RX buffer arrives in chunks,
// which go to stdout as they come, so memory stays bounded. -R, -T and --retained-only choose
// what is printed, --remove-retained clears what was retained, -U unsubscribes, -E leaves once
// subscribed. -C n exits after n messages with a normal DISCONNECT (so no will is published);
// -W s exits s seconds after connecting with status 27, as mosquitto_sub. A dropped connection
// is survived: the Device reconnects and resubscribes (or, with -c, resumes the session).
import { reasonLine, type Device } from "../device.ts";
import type { CliConfig } from "./config.ts";
import { Session } from "./session.ts";
import { MoteError } from "../errors.ts";
import type { MessageInfo } from "../device-options.ts";
import { renderFormat } from "./format.ts";
import { topicMatches } from "./topic-match.ts";
import { sleep } from "../sleep.ts";
import { MAX_MESSAGE_BYTES_DEFAULT } from "../message-assembly.ts";

const NL = Buffer.from("\n");
const EMPTY = Buffer.alloc(0);
/** mosquitto_sub's status when -W ends the run. */
const TIMED_OUT_STATUS = 27;
/** How long the end waits for --remove-retained's clearing publishes to complete. */
const CLEAR_WAIT_MS = 5000;

interface ChunkInfo extends MessageInfo { offset: number; total: number; last: boolean }

/** mosquitto_sub's default output: the payload (an empty one prints nothing), or 'topic payload' ('topic (null)'). */
function plainLine(cfg: CliConfig, topic: string, payload: Buffer): Buffer {
  const eol = cfg.eol ? NL : EMPTY;
  if (payload.length === 0) return cfg.verbose && cfg.eol ? Buffer.from(`${topic} (null)\n`, "utf8") : EMPTY;
  return cfg.verbose ? Buffer.concat([Buffer.from(`${topic} `, "utf8"), payload, eol]) : Buffer.concat([payload, eol]);
}

export async function runSub(cfg: CliConfig, interrupted: Promise<void>, warn: (line: string) => void): Promise<number> {
  let received = 0;
  let timedOut = false;
  let stopped = false; // mosquitto's process_messages = false: later messages are ignored
  let finish!: () => void;
  const finished = new Promise<void>((r) => { finish = r; });
  void interrupted.then(() => finish());
  let dev: Device | undefined;
  const clearing: Promise<unknown>[] = [];
  const counted = () => {
    received++;
    if (cfg.count !== undefined && received >= cfg.count) {
      stopped = true;
      finish();
    }
  };
  /** mosquitto_sub's order: --retained-only ends at a live message, -R and -T skip, --remove-retained clears. */
  const admit = (topic: string, info: MessageInfo): boolean => {
    if (stopped) return false;
    if (cfg.retainedOnly && !info.retain) {
      stopped = true;
      finish();
      return false;
    }
    if (info.retain && cfg.noRetained) return false;
    if (cfg.filterOut.some((f) => topicMatches(f, topic))) return false;
    if (cfg.removeRetained && info.retain && dev) clearing.push(dev.publish(topic, EMPTY, { qos: 1, retain: true }).catch((e: Error) => warn(e.message)));
    return true;
  };
  const onMessage = (topic: string, payload: Buffer, info: MessageInfo) => {
    if (!admit(topic, info)) return;
    const error = (line: string) => { if (!cfg.quiet) warn(line); };
    process.stdout.write(cfg.format === undefined ? plainLine(cfg, topic, payload)
      : renderFormat(cfg.format, { topic, payload, qos: info.qos, retain: info.retain, messageId: info.messageId, properties: info.properties },
        cfg.eol, error));
    counted();
  };
  // A chunked message streams to stdout; `streaming` is the one being written.
  let streaming: { topic: string; written: number; total: number } | undefined;
  const onChunk = (topic: string, chunk: Buffer, info: ChunkInfo) => {
    // -F formats whole messages: the Device reassembles them ("message"); one past its limit is said, not cut.
    if (cfg.format !== undefined) {
      if (info.offset === 0 && info.total > MAX_MESSAGE_BYTES_DEFAULT) {
        warn(`a message of ${info.total} bytes on '${topic}' is larger than -F can format (${MAX_MESSAGE_BYTES_DEFAULT} bytes): not printed`);
      }
      return;
    }
    if (info.offset === 0) {
      if (!admit(topic, info)) return;
      streaming = { topic, written: 0, total: info.total };
      if (cfg.verbose) process.stdout.write(`${topic} `);
    }
    if (!streaming) return;
    process.stdout.write(chunk);
    streaming.written += chunk.length;
    if (info.last) {
      if (cfg.eol) process.stdout.write(NL);
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
  // Without -F the Device reassembles nothing (maxMessageBytes 0): every chunked message is streamed here. -F needs it whole.
  const streamed: CliConfig = cfg.format === undefined ? { ...cfg, device: { ...cfg.device, maxMessageBytes: 0 } } : cfg;
  // The listeners go on before connecting: a resumed session (-c) delivers right after CONNACK.
  const session = await Session.open(streamed, warn, (d) => {
    dev = d;
    d.on("message", onMessage);
    d.on("messageChunk", onChunk);
    d.on("close", onClose);
  });
  const device = session.device;
  const timer = cfg.timeoutS === undefined ? undefined : setTimeout(() => { timedOut = true; finish(); }, cfg.timeoutS * 1000);

  try {
    const subs = cfg.topics.map((topic) => ({ topic, qos: cfg.qos }));
    const unsubscribed = cfg.unsubscribe.length > 0 ? device.unsubscribe(cfg.unsubscribe) : undefined;
    const codes = await session.guard(Promise.race([device.subscribe(subs, { properties: cfg.subscribeProperties }), finished.then(() => undefined)]));
    if (codes) {
      const refused = cfg.topics.map((t, i) => [t, codes[i] ?? 0x80] as const).filter(([, c]) => c >= 0x80);
      const list = refused.map(([t, c]) => `'${t}' ${reasonLine(c)}`).join(", ");
      if (refused.length === cfg.topics.length) throw new MoteError(`the broker refused the subscription${refused.length > 1 ? "s" : ""}: ${list}`, "rejected");
      if (refused.length > 0) warn(`warning: the broker refused ${list}`);
    }
    if (unsubscribed) await session.guard(Promise.race([unsubscribed, finished]));
    if (cfg.exitAfterSubscribe && codes) finish();
    await session.guard(finished);
    if (clearing.length > 0) await session.guard(Promise.race([Promise.all(clearing), sleep(CLEAR_WAIT_MS)]));
  } finally {
    clearTimeout(timer);
    await session.end();
  }
  if (timedOut) {
    if (!cfg.quiet) warn(`timed out after ${cfg.timeoutS} s${received === 0 && session.lastDisconnect ? ` (last: ${session.lastDisconnect})` : ""}`);
    return TIMED_OUT_STATUS;
  }
  return 0;
}
