// The raw bridge: a board whose MQTT client talks over its UART (no modem, no AT commands) reaches
// a broker through this laptop. Bytes from the serial port go to a TCP/TLS connection to the
// broker and back, with what a network would give the board:
//
// - The broker connection opens when the board's CONNECT arrives, and a new one opens for each
//   later CONNECT (the board started a new session; a serial line cannot say "closed").
// - When the broker closes, the board's session is over, as after a TCP reset: what the board
//   sends next is dropped and counted until its next CONNECT, and the tail of a packet cut by the
//   close is never forwarded into a new connection. Packets are framed by their fixed header
//   (type, remaining length), so a new connection starts at a packet boundary.
// - Bytes before a CONNECT (a boot banner, line noise, a half packet from before a reset) are
//   discarded and counted, with a warning. Without a connection the bridge looks for a CONNECT by
//   its signature (0x10, remaining length, protocol name "MQTT" or "MQIsdp").
//
// It counts bytes per direction and per MQTT packet type, and the time they take on the line
// (8N1: 10 bits a byte). Ptys deliver at any speed: with pace the bridge holds both directions to
// baud/10 bytes per second, as a UART would.
import type { Duplex, Writable } from "node:stream";
import { TLSSocket } from "node:tls";
import { PacketType } from "../abi.ts";
import { PacketMeter } from "../packet-meter.ts";
import { Framer } from "../mqtt-framer.ts";
import { parseBrokerUrl } from "../url.ts";
import { transportFor } from "../transports/select.ts";
import type { TlsOptions } from "../transports/tls.ts";
import type { Transport } from "../transports/transport.ts";
import { SerialTransport, type SerialLine } from "../transports/serial.ts";

export interface BridgeOptions {
  /** Serial device of the board: /dev/ttyUSB0, a socat pty, ... */
  port: string;
  /** Default 115200 (8N1). Sets the port, the line-time figures and the pace. */
  baudRate?: number;
  /** Broker: mqtt:// or mqtts:// (ws:// and wss:// work too). */
  url: string;
  /** TLS options for mqtts:// (and wss://). */
  tls?: TlsOptions;
  /** Hold both directions of the serial side to baud/10 bytes per second (ptys do not). */
  pace?: boolean;
  /** Every packet each way, dropped bytes and connection notes: as text lines, or as entries. */
  transcript?: Writable | ((entry: TranscriptEntry) => void);
  /** Warnings and connection notes, one line each (default: stderr). */
  log?: (line: string) => void;
}

export type TranscriptDirection = "board>broker" | "broker>board" | "board>dropped" | "note";

export interface TranscriptEntry {
  /** Milliseconds since the bridge started. */
  ms: number;
  dir: TranscriptDirection;
  /** Packet type name (CONNECT, PUBLISH, ...), "unframed" for bytes outside MQTT framing. */
  type?: string;
  /** Bytes of the packet (or run) that took this direction. */
  length?: number;
  /** The first TRANSCRIPT_BYTES bytes. */
  bytes?: Buffer;
  text?: string;
}

export type PacketTable = ReturnType<PacketMeter["table"]>;

export interface BridgeStats {
  baudRate: number;
  /** Bytes on the serial line, and their time on the wire at the baud rate (bytes * 10 / baud). */
  serial: { fromBoard: number; toBoard: number; lineSeconds: { fromBoard: number; toBoard: number } };
  /** MQTT bytes handed to broker connections (board -> broker) and to the board (broker -> board). */
  forwarded: { toBroker: number; toBoard: number };
  packets: { toBroker: PacketTable; toBoard: PacketTable; dropped: PacketTable };
  /** Board bytes never forwarded: `garbage` outside MQTT framing, the rest framed packets (see packets.dropped). */
  dropped: { bytes: number; garbage: number };
  broker: {
    /** Connections opened (one per CONNECT from the board). */
    connections: number;
    /** Connections that failed before they were established. */
    failures: number;
    /** Established connections that the broker (or the network) closed. */
    closedByBroker: number;
    connected: boolean;
    /** Bytes from connections the bridge had already left for a new one (not forwarded). */
    lateBytes: number;
    /** Bytes on the broker side's wire, TLS records included (closed connections only). */
    wire: { sent: number; received: number } | undefined;
  };
}

export interface Bridge {
  stats(): BridgeStats;
  /** Closes the broker connection and the serial port. */
  stop(): Promise<void>;
  /** Settles when the bridge ends: undefined after stop(), the error when the serial port went away. */
  readonly closed: Promise<Error | undefined>;
  /** MQTT bytes per packet type: forwarded to the broker, forwarded to the board, dropped from the board. */
  readonly meters: { toBroker: PacketMeter; toBoard: PacketMeter; dropped: PacketMeter };
}

/** Bytes of each packet kept for the transcript. */
export const TRANSCRIPT_BYTES = 64;
/** A connection the board left is closed after its last bytes went out, or after this long. */
const CLOSE_GRACE_MS = 2000;
/** Pacing: release bytes at most every this many milliseconds. */
const PACE_TICK_MS = 10;
/** A paced queue above this many bytes pauses its source. */
const PACE_HIGH_BYTES = 64 * 1024;

const typeName = (t: number): string => (t < 0 ? "unframed" : PacketType[t] ?? `TYPE${t}`);

function count(meter: PacketMeter, type: number, bytes: number, first: boolean): void {
  const name = typeName(type);
  meter.bytes.set(name, (meter.bytes.get(name) ?? 0) + bytes);
  if (first) meter.packets.set(name, (meter.packets.get(name) ?? 0) + 1);
}

/** Opens the serial port and starts bridging; rejects when the port cannot be opened. */
export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const transport = transportFor(parseBrokerUrl(o.url), o.tls ?? {});
  const bridge = new RawBridge(o, transport);
  await bridge.opened;
  return bridge;
}

// ---- framing ----

export { Framer } from "../mqtt-framer.ts";

const MQTT_NAMES = [[0, 4, 0x4d, 0x51, 0x54, 0x54], [0, 6, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70]]; // "MQTT", "MQIsdp"

/** Whether bytes are (the start of) a CONNECT: fixed header 0x10, remaining length, protocol name. */
export function connectSignature(a: readonly number[]): "no" | "partial" | "match" {
  if (a.length === 0) return "partial";
  if (a[0] !== 0x10) return "no";
  let k = 1;
  let length = 0;
  for (let multiplier = 1; ; multiplier *= 128) {
    if (k >= a.length) return "partial";
    const b = a[k++];
    length += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) break;
    if (k === 5) return "no";
  }
  if (length < 10) return "no";
  let partial = false;
  for (const name of MQTT_NAMES) {
    let j = 0;
    while (j < name.length && k + j < a.length && a[k + j] === name[j]) j++;
    if (j === name.length) return "match";
    if (k + j === a.length) partial = true;
  }
  return partial ? "partial" : "no";
}

// ---- pacing ----

/** Releases bytes to a sink at most `bytesPerSecond`, like a UART at baud / 10 (8N1). */
class Pacer {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private lineMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private high = false;

  constructor(private readonly bytesPerSecond: number, private readonly sink: (b: Buffer) => void, private readonly onDrain: () => void) {}

  /** Queues bytes; false when the queue is long and the source should pause. */
  push(b: Buffer): boolean {
    if (this.queued === 0) this.lineMs = Math.max(this.lineMs, performance.now());
    this.queue.push(b);
    this.queued += b.length;
    this.schedule();
    if (this.queued > PACE_HIGH_BYTES) this.high = true;
    return !this.high;
  }

  get backlog(): number {
    return this.queued;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.queued = 0;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queued === 0) return;
    this.timer = setTimeout(() => this.tick(), Math.max(PACE_TICK_MS, 1000 / this.bytesPerSecond));
  }

  private tick(): void {
    this.timer = undefined;
    let n = Math.min(this.queued, Math.floor(((performance.now() - this.lineMs) * this.bytesPerSecond) / 1000));
    if (n > 0) {
      this.lineMs += (n * 1000) / this.bytesPerSecond;
      this.queued -= n;
      const out: Buffer[] = [];
      while (n > 0) {
        const head = this.queue[0];
        if (head.length <= n) {
          out.push(head);
          this.queue.shift();
          n -= head.length;
        } else {
          out.push(head.subarray(0, n));
          this.queue[0] = head.subarray(n);
          n = 0;
        }
      }
      this.sink(out.length === 1 ? out[0] : Buffer.concat(out));
    }
    if (this.high && this.queued <= PACE_HIGH_BYTES / 4) {
      this.high = false;
      this.onDrain();
    }
    this.schedule();
  }
}

// ---- the bridge ----

interface Segment { bytes: Buffer; type: number; first: boolean }

/** Accumulates one packet's bytes for a transcript entry. */
interface PacketRecord { type: number; length: number; forwarded: number; parts: Buffer[]; kept: number }

function newRecord(type: number): PacketRecord {
  return { type, length: 0, forwarded: 0, parts: [], kept: 0 };
}

function addToRecord(r: PacketRecord, bytes: Buffer, forwarded: boolean): void {
  r.length += bytes.length;
  if (forwarded) r.forwarded += bytes.length;
  if (r.kept < TRANSCRIPT_BYTES) {
    const part = Buffer.from(bytes.subarray(0, TRANSCRIPT_BYTES - r.kept));
    r.parts.push(part);
    r.kept += part.length;
  }
}

class BrokerConnection {
  ready = false;
  error: Error | undefined;
  /** Packets started on this connection (a CONNECT after the first packet opens a new connection). */
  packets = 0;
  /** Type of the last packet started (after a DISCONNECT the broker's close is the normal end). */
  lastType = -1;
  /** Bytes written before the connection was established. */
  readonly pending: Segment[] = [];
  /** Bytes to write at the end of the current serial chunk (one write per chunk). */
  batch: Buffer[] = [];
  readonly framer = new Framer(true);
  record: PacketRecord | undefined;

  constructor(readonly stream: Duplex) {}
}

class RawBridge implements Bridge {
  readonly meters = { toBroker: new PacketMeter(), toBoard: new PacketMeter(), dropped: new PacketMeter() };
  readonly closed: Promise<Error | undefined>;
  readonly opened: Promise<void>;
  private resolveClosed!: (e: Error | undefined) => void;
  private readonly serialTransport: SerialTransport;
  private readonly serial: SerialLine;
  private readonly baudRate: number;
  private readonly started = performance.now();
  private readonly log: (line: string) => void;
  private conn: BrokerConnection | undefined;
  /** Board -> broker framing; unknown until the first CONNECT. */
  private readonly framer = new Framer(false);
  /** Without a connection: bytes that may start a CONNECT. */
  private scan: number[] = [];
  private upRecord: PacketRecord | undefined;
  private readonly upPacer: Pacer | undefined;
  private readonly downPacer: Pacer | undefined;
  private ended = false;
  private discardRun = 0;
  private closeNoted = false;
  private toBroker = 0;
  private toBoard = 0;
  private droppedBytes = 0;
  private garbage = 0;
  private fromOld = 0;
  private connections = 0;
  private failures = 0;
  private closedByBroker = 0;
  private serialError: Error | undefined;

  constructor(private readonly o: BridgeOptions, private readonly transport: Transport) {
    this.baudRate = o.baudRate ?? 115200;
    this.log = o.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
    if (o.pace) {
      const rate = this.baudRate / 10;
      this.upPacer = new Pacer(rate, (b) => this.fromBoard(b), () => this.serial.resume());
      this.downPacer = new Pacer(rate, (b) => this.serial.write(b), () => this.conn?.stream.resume());
    }
    this.serialTransport = new SerialTransport({ path: o.port, baudRate: this.baudRate });
    const serial = this.serialTransport.open();
    this.serial = serial;
    this.opened = new Promise((resolve, reject) => {
      serial.once("connect", () => resolve());
      serial.once("error", (e) => reject(e));
    });
    this.opened.catch(() => {});
    serial.on("data", (chunk: Buffer) => {
      if (this.upPacer) {
        if (!this.upPacer.push(chunk)) serial.pause();
      } else {
        this.fromBoard(chunk);
      }
    });
    serial.on("drain", () => this.conn?.stream.resume());
    serial.on("error", (e: Error) => { this.serialError = e; });
    serial.on("close", () => this.end(this.serialError ?? new Error(`serial port ${o.port} closed`)));
  }

  stats(): BridgeStats {
    const line = this.serialTransport.wireBytes();
    const wire = this.transport.wireBytes();
    return {
      baudRate: this.baudRate,
      serial: {
        fromBoard: line.received,
        toBoard: line.sent,
        lineSeconds: { fromBoard: (line.received * 10) / this.baudRate, toBoard: (line.sent * 10) / this.baudRate },
      },
      forwarded: { toBroker: this.toBroker, toBoard: this.toBoard },
      packets: { toBroker: this.meters.toBroker.table(), toBoard: this.meters.toBoard.table(), dropped: this.meters.dropped.table() },
      dropped: { bytes: this.droppedBytes, garbage: this.garbage },
      broker: {
        connections: this.connections,
        failures: this.failures,
        closedByBroker: this.closedByBroker,
        connected: this.conn?.ready ?? false,
        lateBytes: this.fromOld,
        wire,
      },
    };
  }

  async stop(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      this.shutdown();
      if (!this.serial.destroyed) {
        await new Promise<void>((resolve) => {
          this.serial.once("close", () => resolve());
          this.serial.destroy();
        });
      }
      this.resolveClosed(undefined);
    }
    await this.closed;
  }

  private end(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.note(err.message);
    this.shutdown();
    this.resolveClosed(err);
  }

  private shutdown(): void {
    this.upPacer?.stop();
    this.downPacer?.stop();
    const c = this.conn;
    this.conn = undefined;
    c?.stream.destroy();
  }

  // ---- board -> broker ----

  private fromBoard(chunk: Buffer): void {
    if (this.ended) return;
    let from = 0;
    if (this.conn === undefined) {
      from = this.scanForConnect(chunk);
      if (from < 0) return;
    }
    this.frame(chunk, from);
    this.flushBatch();
  }

  /**
   * Without a broker connection, nothing is forwarded: bytes are dropped until a CONNECT starts.
   * Returns where the rest of the chunk continues after a CONNECT was found (its first bytes are
   * already framed and forwarded), or -1 when the whole chunk was consumed.
   */
  private scanForConnect(chunk: Buffer): number {
    const released: number[] = [];
    for (let i = 0; i < chunk.length; i++) {
      this.scan.push(chunk[i]);
      for (;;) {
        const verdict = connectSignature(this.scan);
        if (verdict === "partial") break;
        if (verdict === "match") {
          this.drop(released);
          const start = Buffer.from(this.scan);
          this.scan = [];
          this.connectFound();
          this.frame(start, 0);
          return i + 1;
        }
        released.push(this.scan.shift()!);
      }
    }
    this.drop(released);
    return -1;
  }

  /** Bytes that are not forwarded: framed packets (or their tails) when the framing is known, else garbage. */
  private drop(bytes: number[]): void {
    if (bytes.length === 0) return;
    if (this.discardRun === 0 && !this.closeNoted) this.warn("no broker connection: discarding bytes from the board until its CONNECT");
    this.discardRun += bytes.length;
    this.frame(Buffer.from(bytes), 0);
  }

  /** A CONNECT starts at the scan position: a packet boundary from now on, and a new connection. */
  private connectFound(): void {
    const n = this.discardRun;
    if (n > 0) {
      const bytes = `${n} byte${n === 1 ? "" : "s"}`;
      this.warn(this.closeNoted ? `dropped ${bytes} the board sent without a broker connection` : `discarded ${bytes} from the board before its CONNECT`);
    }
    this.discardRun = 0;
    this.closeNoted = false;
    this.endUpRecord();
    this.framer.reset();
    this.openConnection();
  }

  /** Frames board bytes and sends each piece to the broker connection, or drops it. */
  private frame(data: Buffer, from: number): void {
    this.framer.split(data, from, (s, e, type, first, last) => {
      // A CONNECT after other packets: the board started a new session (the old one is over for it).
      if (first && type === PacketType.CONNECT && this.conn && this.conn.packets > 0) {
        this.flushBatch();
        this.note("the board sent a new CONNECT: closing the broker connection, opening a new one");
        this.closeConnection();
        this.openConnection();
      }
      const bytes = data.subarray(s, e);
      this.recordUp(bytes, type, first, last);
      const c = this.conn;
      if (c) {
        if (first) c.packets++;
        if (first) c.lastType = type;
        if (c.ready) this.sendNow(c, { bytes, type, first });
        else c.pending.push({ bytes, type, first });
      } else {
        this.dropped(bytes.length, type, first);
      }
    });
  }

  private dropped(n: number, type: number, first: boolean): void {
    this.droppedBytes += n;
    if (type < 0) this.garbage += n;
    else count(this.meters.dropped, type, n, first);
  }

  private sendNow(c: BrokerConnection, seg: Segment): void {
    c.batch.push(seg.bytes);
    this.toBroker += seg.bytes.length;
    count(this.meters.toBroker, seg.type, seg.bytes.length, seg.first);
  }

  private flushBatch(): void {
    const c = this.conn;
    if (!c || c.batch.length === 0) return;
    const out = c.batch.length === 1 ? c.batch[0] : Buffer.concat(c.batch);
    c.batch = [];
    if (!c.stream.destroyed) c.stream.write(out);
  }

  // ---- the broker connection ----

  private openConnection(): void {
    this.connections++;
    let stream: Duplex;
    try {
      stream = this.transport.open();
    } catch (e) {
      this.failures++;
      this.warn(`cannot connect to the broker: ${(e as Error).message}`);
      return;
    }
    const c = new BrokerConnection(stream);
    this.conn = c;
    const ready = () => {
      if (c.ready || this.conn !== c) return;
      c.ready = true;
      this.note(`connected to the broker (${this.transport.kind})`);
      for (const seg of c.pending.splice(0)) this.sendNow(c, seg);
      this.flushBatch();
    };
    if (stream instanceof TLSSocket) stream.once("secureConnect", ready);
    else if ((stream as { connecting?: boolean }).connecting) stream.once("connect", ready);
    else queueMicrotask(ready);
    stream.on("data", (chunk: Buffer) => this.fromBroker(c, chunk));
    stream.on("error", (e: Error) => { c.error ??= e; });
    stream.on("close", () => this.connectionClosed(c));
  }

  /** Closes the current connection on our side (the board started over): what it sent still goes out. */
  private closeConnection(): void {
    const c = this.conn;
    if (!c) return;
    this.conn = undefined;
    this.endDownRecord(c);
    c.stream.end();
    setTimeout(() => c.stream.destroy(), CLOSE_GRACE_MS).unref();
  }

  private connectionClosed(c: BrokerConnection): void {
    // Bytes that never reached the broker (the connection failed or was replaced while opening).
    for (const seg of c.pending.splice(0)) this.dropped(seg.bytes.length, seg.type, seg.first);
    if (this.conn !== c) return;
    this.conn = undefined;
    this.endDownRecord(c);
    if (this.ended) return;
    const why = c.error ? `: ${c.error.message.split("\n")[0]}` : "";
    if (!c.ready) {
      this.failures++;
      this.warn(`cannot connect to the broker${why}; dropping the board's bytes until its next CONNECT`);
    } else if (c.lastType === PacketType.DISCONNECT && !c.error) {
      this.note("the board ended its session (DISCONNECT); the broker closed the connection");
    } else {
      this.closedByBroker++;
      this.warn(`the broker closed the connection${why}; dropping the board's bytes until its next CONNECT`);
    }
    this.closeNoted = true;
    this.discardRun = 0;
  }

  // ---- broker -> board ----

  private fromBroker(c: BrokerConnection, chunk: Buffer): void {
    if (this.conn !== c || this.ended) {
      this.fromOld += chunk.length;
      return;
    }
    c.framer.split(chunk, 0, (s, e, type, first, last) => {
      count(this.meters.toBoard, type, e - s, first);
      if (this.transcribing) this.recordDown(c, chunk.subarray(s, e), type, first, last);
    });
    this.toBoard += chunk.length;
    const more = this.downPacer ? this.downPacer.push(chunk) : this.serial.write(chunk);
    if (!more) c.stream.pause();
  }

  // ---- transcript and log ----

  private get transcribing(): boolean {
    return this.o.transcript !== undefined;
  }

  private recordUp(bytes: Buffer, type: number, first: boolean, last: boolean): void {
    if (!this.transcribing) return;
    if (type < 0) {
      this.endUpRecord();
      this.transcribe({ dir: this.conn ? "board>broker" : "board>dropped", type: "unframed", length: bytes.length, bytes: bytes.subarray(0, TRANSCRIPT_BYTES) });
      return;
    }
    if (first) this.endUpRecord();
    const r = (this.upRecord ??= newRecord(type));
    addToRecord(r, bytes, this.conn !== undefined);
    if (!last) return;
    this.emitRecord(r, "board>broker", false);
    this.upRecord = undefined;
  }

  private recordDown(c: BrokerConnection, bytes: Buffer, type: number, first: boolean, last: boolean): void {
    if (type < 0) {
      this.endDownRecord(c);
      this.transcribe({ dir: "broker>board", type: "unframed", length: bytes.length, bytes: bytes.subarray(0, TRANSCRIPT_BYTES) });
      return;
    }
    if (first) this.endDownRecord(c);
    const r = (c.record ??= newRecord(type));
    addToRecord(r, bytes, true);
    if (!last) return;
    this.emitRecord(r, "broker>board", false);
    c.record = undefined;
  }

  private endUpRecord(): void {
    if (this.upRecord) this.emitRecord(this.upRecord, "board>broker", true);
    this.upRecord = undefined;
  }

  private endDownRecord(c: BrokerConnection): void {
    if (c.record) this.emitRecord(c.record, "broker>board", true);
    c.record = undefined;
  }

  private emitRecord(r: PacketRecord, dir: TranscriptDirection, cut: boolean): void {
    const bytes = Buffer.concat(r.parts);
    const name = typeName(r.type);
    if (dir === "board>broker" && r.forwarded === 0) {
      this.transcribe({ dir: "board>dropped", type: name, length: r.length, bytes, text: cut ? "incomplete" : undefined });
    } else if (dir === "board>broker" && r.forwarded < r.length) {
      this.transcribe({ dir, type: name, length: r.length, bytes, text: `${r.length - r.forwarded} bytes dropped after the broker closed` });
    } else {
      this.transcribe({ dir, type: name, length: r.length, bytes, text: cut ? "incomplete" : undefined });
    }
  }

  private transcribe(e: Omit<TranscriptEntry, "ms">): void {
    const t = this.o.transcript;
    if (t === undefined) return;
    const entry: TranscriptEntry = { ms: performance.now() - this.started, ...e };
    if (typeof t === "function") t(entry);
    else t.write(`${formatTranscriptEntry(entry)}\n`);
  }

  private note(text: string): void {
    this.log(`bridge: ${text}`);
    this.transcribe({ dir: "note", text });
  }

  private warn(text: string): void {
    this.log(`bridge: warning: ${text}`);
    this.transcribe({ dir: "note", text: `warning: ${text}` });
  }
}

/** One transcript line: seconds, direction, packet type, length, hex of the first bytes. */
export function formatTranscriptEntry(e: TranscriptEntry): string {
  const t = (e.ms / 1000).toFixed(3).padStart(9);
  if (e.dir === "note") return `${t} -- ${e.text ?? ""}`;
  const hex = e.bytes ? e.bytes.toString("hex").replace(/(..)(?!$)/g, "$1 ") : "";
  const more = e.bytes && e.length !== undefined && e.length > e.bytes.length ? ` ...(+${e.length - e.bytes.length})` : "";
  const note = e.text ? ` [${e.text}]` : "";
  return `${t} ${e.dir.padEnd(13)} ${(e.type ?? "").padEnd(11)} ${String(e.length ?? 0).padStart(6)} B${note}  ${hex}${more}`;
}
