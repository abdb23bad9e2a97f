// mote pub: publish one message (-m, -f, -s, -n, optionally --repeat), or every line of stdin
// (-l, pipelined: each line goes to device.publish as it arrives; the Device and the firmware's
// in-flight window decide how many are out at once). Exit 0 only when every message completed;
// a refusal by the broker (reason code >= 0x80) or a message that cannot be sent is reported.
import { readFileSync } from "node:fs";
import { Status } from "../abi.ts";
import type { PublishOptions } from "../device.ts";
import { MoteError, errorLine, type ErrorKind } from "../errors.ts";
import type { CliConfig } from "./config.ts";
import { Session } from "./session.ts";
import { sleep } from "../sleep.ts";

/** -l: stop reading stdin while this many messages wait in the host, resume below the low mark. */
const PENDING_HIGH = 4096;
const PENDING_LOW = 1024;

/** Counts failed messages and keeps the first reason. */
class Failures {
  count = 0;
  total = 0;
  first: string | undefined;
  /** The kind of the first failure. */
  kind: ErrorKind | undefined;

  add(line: string, kind: ErrorKind): void {
    this.count++;
    this.first ??= line;
    this.kind ??= kind;
  }

  line(): string {
    return this.count > 1 ? `${this.first} (${this.count} of ${this.total} messages failed)` : this.first ?? "";
  }
}

function describe(e: unknown, cfg: CliConfig, size: number, outbox: number): string {
  const topic = cfg.topics[0];
  if (e instanceof MoteError && e.reasonCode === undefined && e.status !== undefined) {
    switch (e.status) {
      case Status.TooLarge:
        return `publish to '${topic}' failed: the message (${size} bytes of payload) is too large ` +
          `for the broker's Maximum Packet Size or this firmware's outbox (${outbox} bytes)`;
      case Status.NotAllowed:
        return `publish to '${topic}' failed: the broker does not allow it (QoS ${cfg.qos}${cfg.retain ? ", retained" : ""} is above what its CONNACK allows)`;
      case Status.BadArgument:
        return `publish to '${topic}' failed: the topic or the properties are invalid`;
    }
  }
  return errorLine(e);
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on("data", (b: Buffer) => parts.push(b));
    stream.on("end", () => resolve(Buffer.concat(parts)));
    stream.on("error", reject);
  });
}

async function loadPayload(cfg: CliConfig): Promise<Buffer | undefined> {
  const src = cfg.source!;
  switch (src.kind) {
    case "message": return src.payload;
    case "null": return Buffer.alloc(0);
    case "stdin-file": return readAll(process.stdin);
    case "stdin-line": return undefined;
    case "file":
      try {
        return readFileSync(src.path);
      } catch (e) {
        throw new MoteError(`cannot read '${src.path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "io");
      }
  }
}

export async function runPub(cfg: CliConfig, interrupted: Promise<void>, warn: (line: string) => void): Promise<number> {
  const payload = await loadPayload(cfg); // before connecting, as mosquitto_pub does
  const session = await Session.open(cfg, warn);
  const device = session.device;
  const outbox = device.fw.budget("OUTBOX_BYTES");
  const opts: PublishOptions = { qos: cfg.qos, retain: cfg.retain, properties: cfg.publishProperties };
  const failures = new Failures();
  const send = (message: Buffer): Promise<void> => {
    failures.total++;
    const failed = (e: unknown) => failures.add(describe(e, cfg, message.length, outbox), e instanceof MoteError ? e.kind : "network");
    return device.publish(cfg.topics[0], message, opts).then(() => {}, failed);
  };
  const stop = interrupted.then(() => { throw new MoteError("interrupted before every message completed", "ended"); });
  stop.catch(() => {});
  try {
    if (payload === undefined) {
      await session.guard(Promise.race([publishLines(send), stop]));
    } else {
      for (let i = 0; i < cfg.repeat; i++) {
        await session.guard(Promise.race([send(payload), stop]));
        if (i + 1 < cfg.repeat && cfg.repeatDelayMs > 0) await session.guard(Promise.race([sleep(cfg.repeatDelayMs), stop]));
      }
    }
    // A QoS 0 message completes when the firmware takes it; after a drop it waits in the outbox for the reconnect.
    await session.guard(Promise.race([session.whenConnected(), stop]));
  } finally {
    await session.end();
  }
  if (failures.count > 0) throw new MoteError(failures.line(), failures.kind ?? "rejected");
  return 0;
}

/** Publishes each stdin line (without its '\n') as it arrives; resolves when all completed or failed. */
function publishLines(send: (line: Buffer) => Promise<void>): Promise<void> {
  const stdin = process.stdin;
  const pending = new Set<Promise<void>>();
  let partial: Buffer[] = [];
  let paused = false;
  const publish = (line: Buffer) => {
    const p = send(line).finally(() => {
      pending.delete(p);
      if (paused && pending.size <= PENDING_LOW) {
        paused = false;
        stdin.resume();
      }
    });
    pending.add(p);
  };
  return new Promise<void>((resolve, reject) => {
    stdin.on("data", (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        const piece = chunk.subarray(start, nl);
        publish(partial.length > 0 ? Buffer.concat([...partial, piece]) : Buffer.from(piece));
        partial = [];
        start = nl + 1;
      }
      if (start < chunk.length) partial.push(Buffer.from(chunk.subarray(start)));
      if (pending.size >= PENDING_HIGH && !paused) {
        paused = true;
        stdin.pause();
      }
    });
    stdin.on("end", () => {
      if (partial.length > 0) publish(Buffer.concat(partial)); // a last line without '\n' is a message too
      partial = [];
      void Promise.all([...pending]).then(() => resolve());
    });
    stdin.on("error", (e) => reject(new MoteError(`cannot read stdin: ${e.message}`, "io")));
  });
}
