// A scripted broker on 127.0.0.1 for exactly one client connection. It frames what the client
// sends into MQTT packets and plays a script: read the CONNECT, answer CONNACK, then `send`
// (write bytes), `expect` (the client's next packet must match) and `deliver` (a PUBLISH with
// its QoS handshake). Afterwards it checks how the connection ends: closed by the client, or
// still alive (a QoS 1 PUBLISH id 65535 "alive check" must be answered with PUBACK 65535).
//
// The broker frames packets (host/mqtt-framer.ts); it does not decide what "the same packet" means: the script's
// `match` does, so a suite can compare bytes exactly or by meaning. Every wait is bounded.
import net from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";
import { packetLength } from "../../host/mqtt-framer.ts";

export type ReadResult =
  | { kind: "packet"; bytes: Buffer }
  | { kind: "closed"; leftover: Buffer }
  | { kind: "timeout" };

/** The broker's side of the one accepted connection. */
export class BrokerConnection {
  private buf = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on("data", (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.notify(); });
    socket.on("close", () => { this.ended = true; this.notify(); });
    socket.on("error", () => { this.ended = true; this.notify(); });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** The client's next packet, or how the wait ended. */
  async nextPacket(timeoutMs: number): Promise<ReadResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = packetLength(this.buf);
      if (n > 0) {
        const bytes = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        return { kind: "packet", bytes: Buffer.from(bytes) };
      }
      if (n < 0 || this.ended) {
        const leftover = this.buf;
        this.buf = Buffer.alloc(0);
        if (n < 0) this.socket.destroy();
        return { kind: "closed", leftover };
      }
      const left = deadline - Date.now();
      if (left <= 0) return { kind: "timeout" };
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
    }
  }

  write(bytes: Buffer): void {
    if (!this.ended && !this.socket.destroyed) this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class FakeBroker {
  private pending: net.Socket[] = [];
  private wake: (() => void) | undefined;

  private constructor(private readonly server: net.Server, readonly port: number) {
    server.on("connection", (s) => {
      this.pending.push(s);
      this.wake?.();
    });
  }

  /** Listens on a free loopback port. */
  static listen(): Promise<FakeBroker> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const addr = server.address() as net.AddressInfo;
        resolve(new FakeBroker(server, addr.port));
      });
    });
  }

  /** The first client connection, or undefined when none arrives in time. */
  async accept(timeoutMs: number): Promise<BrokerConnection | undefined> {
    if (this.pending.length === 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
      this.wake = undefined;
    }
    const s = this.pending.shift();
    return s ? new BrokerConnection(s) : undefined;
  }

  close(): Promise<void> {
    for (const s of this.pending) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---- Scripts ----

export type Step =
  | { kind: "send"; bytes: Buffer; note?: string }
  | { kind: "expect"; bytes: Buffer; note?: string }
  | { kind: "deliver"; topic: string; payload: Buffer; qos: 0 | 1 | 2 };

/** How an expected packet compares with the client's: `problems` empty means it matches. */
export interface Match { exact: boolean; problems: string[]; explained: string[] }

export interface Script {
  version: 4 | 5;
  /** Fields the client's CONNECT must carry; undefined = read the CONNECT without checking it. */
  connect?: { protocolVersion: 4 | 5; clientId: string; keepalive: number; clean: boolean };
  /** Bytes written right after the CONNECT, or undefined for none. */
  connack?: Buffer;
  steps: Step[];
  expectDisconnect: boolean;
  match: (expected: Buffer, actual: Buffer) => Match;
  packetTimeoutMs: number;
  closeTimeoutMs: number;
}

export interface StepRecord {
  kind: Step["kind"];
  note?: string;
  expected?: string;
  actual?: string;
  /** Empty when the step went as scripted. */
  problems: string[];
  /** Differences accepted by the script's match (with their reasons). */
  explained: string[];
}

export type EndRecord =
  | { expected: "disconnect"; closed: boolean; packets: Buffer[] }
  | { expected: "alive"; answered: boolean; reply: string; problems: string[] };

export interface Outcome {
  connectProblems: string[];
  steps: StepRecord[];
  /** Undefined when a step failed and the script stopped there. */
  end?: EndRecord;
}

const hexOf = (r: ReadResult): string =>
  r.kind === "packet" ? r.bytes.toString("hex") : r.kind === "closed" ? `(closed${r.leftover.length ? `, partial ${r.leftover.toString("hex")}` : ""})` : "(timeout)";

function checkConnect(bytes: Buffer, want: NonNullable<Script["connect"]>): string[] {
  let packet: Record<string, unknown> | undefined;
  let error: string | undefined;
  const p = mqttPacket.parser();
  p.on("packet", (x: Packet) => { packet ??= x as unknown as Record<string, unknown>; });
  p.on("error", (e: Error) => { error ??= e.message; });
  p.parse(bytes);
  if (error || !packet) return [`CONNECT does not parse: ${error ?? "incomplete"} (${bytes.toString("hex")})`];
  if (packet.cmd !== "connect") return [`first packet is ${String(packet.cmd)}, not CONNECT`];
  const problems: string[] = [];
  for (const [k, v] of Object.entries(want)) {
    if (packet[k] !== v) problems.push(`CONNECT ${k}: expected ${String(v)}, got ${String(packet[k])}`);
  }
  return problems;
}

async function expectStep(conn: BrokerConnection, script: Script, expected: Buffer, note?: string): Promise<StepRecord> {
  const r = await conn.nextPacket(script.packetTimeoutMs);
  const rec: StepRecord = { kind: "expect", note, expected: expected.toString("hex"), actual: hexOf(r), problems: [], explained: [] };
  if (r.kind !== "packet") {
    rec.problems.push(`expected ${rec.expected}, got ${rec.actual}`);
    return rec;
  }
  const m = script.match(expected, r.bytes);
  rec.problems.push(...m.problems);
  rec.explained.push(...m.explained);
  return rec;
}

/** A PUBLISH from the broker and its handshake (messageId 1). */
async function deliverStep(conn: BrokerConnection, script: Script, step: Extract<Step, { kind: "deliver" }>): Promise<StepRecord[]> {
  const opts = { protocolVersion: script.version };
  const publish = mqttPacket.generate({ cmd: "publish", topic: step.topic, payload: step.payload, qos: step.qos, messageId: step.qos ? 1 : undefined, dup: false, retain: false }, opts);
  conn.write(publish);
  const out: StepRecord[] = [{ kind: "deliver", expected: publish.toString("hex"), problems: [], explained: [] }];
  if (step.qos === 1) out.push(await expectStep(conn, script, mqttPacket.generate({ cmd: "puback", messageId: 1 }, opts)));
  if (step.qos === 2) {
    out.push(await expectStep(conn, script, mqttPacket.generate({ cmd: "pubrec", messageId: 1 }, opts)));
    if (out[1].problems.length === 0) {
      conn.write(mqttPacket.generate({ cmd: "pubrel", messageId: 1 }, opts));
      out.push(await expectStep(conn, script, mqttPacket.generate({ cmd: "pubcomp", messageId: 1 }, opts)));
    }
  }
  return out;
}

/** Collects what the client sends until it closes the connection (or the wait ends). */
async function awaitClose(conn: BrokerConnection, timeoutMs: number): Promise<EndRecord> {
  const deadline = Date.now() + timeoutMs;
  const packets: Buffer[] = [];
  for (let i = 0; i < 1000; i++) {
    const r = await conn.nextPacket(Math.max(0, deadline - Date.now()));
    if (r.kind === "packet") packets.push(r.bytes);
    else return { expected: "disconnect", closed: r.kind === "closed", packets };
  }
  return { expected: "disconnect", closed: false, packets };
}

/** PUBLISH QoS 1, id 65535, "alive check" / "payload"; the client must answer PUBACK 65535. */
export function aliveCheckBytes(version: 4 | 5): { publish: Buffer; puback: Buffer } {
  const props = version === 5 ? Buffer.from([0]) : Buffer.alloc(0);
  const topic = Buffer.from("alive check");
  const body = Buffer.concat([Buffer.from([0, topic.length]), topic, Buffer.from([0xff, 0xff]), props, Buffer.from("payload")]);
  return { publish: Buffer.concat([Buffer.from([0x32, body.length]), body]), puback: Buffer.from("4002ffff", "hex") };
}

async function aliveCheck(conn: BrokerConnection, script: Script): Promise<EndRecord> {
  const { publish, puback } = aliveCheckBytes(script.version);
  conn.write(publish);
  const r = await conn.nextPacket(script.packetTimeoutMs);
  if (r.kind !== "packet") return { expected: "alive", answered: false, reply: hexOf(r), problems: [`alive check: no PUBACK, got ${hexOf(r)}`] };
  const m = script.match(puback, r.bytes);
  return { expected: "alive", answered: m.problems.length === 0, reply: hexOf(r), problems: m.problems.map((p) => `alive check: ${p}`) };
}

/** Plays the script on the connection; stops at the first step that does not go as scripted. */
export async function play(conn: BrokerConnection, script: Script): Promise<Outcome> {
  const outcome: Outcome = { connectProblems: [], steps: [] };
  const first = await conn.nextPacket(script.packetTimeoutMs);
  if (first.kind !== "packet") {
    outcome.connectProblems.push(`no CONNECT: ${hexOf(first)}`);
    return outcome;
  }
  if (script.connect) outcome.connectProblems.push(...checkConnect(first.bytes, script.connect));
  if (outcome.connectProblems.length > 0) return outcome;
  if (script.connack) conn.write(script.connack);
  for (const step of script.steps) {
    let recs: StepRecord[];
    if (step.kind === "send") {
      conn.write(step.bytes);
      recs = [{ kind: "send", note: step.note, expected: step.bytes.toString("hex"), problems: [], explained: [] }];
    } else if (step.kind === "expect") {
      recs = [await expectStep(conn, script, step.bytes, step.note)];
    } else {
      recs = await deliverStep(conn, script, step);
    }
    outcome.steps.push(...recs);
    if (recs.some((r) => r.problems.length > 0)) return outcome;
  }
  outcome.end = script.expectDisconnect ? await awaitClose(conn, script.closeTimeoutMs) : await aliveCheck(conn, script);
  return outcome;
}
