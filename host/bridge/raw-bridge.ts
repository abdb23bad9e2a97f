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
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import { PacketType } from "../abi.ts";
import { Framer } from "../mqtt-framer.ts";
import { PacketMeter } from "../packet-meter.ts";
import { Pacer } from "../pacer.ts";
import type { Transport } from "../transports/transport.ts";
import { SerialTransport, type SerialLine } from "../transports/serial.ts";
import { connectSignature } from "./connect-signature.ts";
import { BridgeTranscript, typeName, type RecordSlot } from "./transcript.ts";
import type { Bridge, BridgeOptions, BridgeStats } from "./types.ts";

/** A connection the board left is closed after its last bytes went out, or after this long. */
const CLOSE_GRACE_MS = 2000;
/** Pacing: release bytes at most every this many milliseconds. */
const PACE_TICK_MS = 10;
/** A paced queue above this many bytes pauses its source. */
const PACE_HIGH_BYTES = 64 * 1024;

function count(meter: PacketMeter, type: number, bytes: number, first: boolean): void {
  const name = typeName(type);
  meter.bytes.set(name, (meter.bytes.get(name) ?? 0) + bytes);
  if (first) meter.packets.set(name, (meter.packets.get(name) ?? 0) + 1);
}

interface Segment { bytes: Buffer; type: number; first: boolean }

class BrokerConnection implements RecordSlot {
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
  record?: RecordSlot["record"];

  constructor(readonly stream: Duplex) {}
}

export class RawBridge implements Bridge {
  readonly meters = { toBroker: new PacketMeter(), toBoard: new PacketMeter(), dropped: new PacketMeter() };
  readonly closed: Promise<Error | undefined>;
  readonly opened: Promise<void>;
  private resolveClosed!: (e: Error | undefined) => void;
  private readonly serialTransport: SerialTransport;
  private readonly serial: SerialLine;
  private readonly baudRate: number;
  private readonly transcript: BridgeTranscript;
  private readonly log: (line: string) => void;
  private conn: BrokerConnection | undefined;
  /** Board -> broker framing; unknown until the first CONNECT. */
  private readonly framer = new Framer(false);
  /** Without a connection: bytes that may start a CONNECT. */
  private scan: number[] = [];
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

  constructor(o: BridgeOptions, private readonly transport: Transport) {
    this.baudRate = o.baudRate ?? 115200;
    this.log = o.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.transcript = new BridgeTranscript(o.transcript, performance.now());
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
    if (o.pace) {
      const paced = { bytesPerSecond: this.baudRate / 10, tickMinMs: PACE_TICK_MS, highWaterBytes: PACE_HIGH_BYTES };
      this.upPacer = new Pacer({ ...paced, sink: (b) => this.fromBoard(b), onDrain: () => this.serial.resume() });
      this.downPacer = new Pacer({ ...paced, sink: (b) => this.serial.write(b), onDrain: () => this.conn?.stream.resume() });
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
    this.upPacer?.close();
    this.downPacer?.close();
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
    this.transcript.endBoard();
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
      this.transcript.board(bytes, type, first, last, this.conn !== undefined);
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
    this.transcript.endBroker(c);
    c.stream.end();
    setTimeout(() => c.stream.destroy(), CLOSE_GRACE_MS).unref();
  }

  private connectionClosed(c: BrokerConnection): void {
    // Bytes that never reached the broker (the connection failed or was replaced while opening).
    for (const seg of c.pending.splice(0)) this.dropped(seg.bytes.length, seg.type, seg.first);
    if (this.conn !== c) return;
    this.conn = undefined;
    this.transcript.endBroker(c);
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
      this.transcript.broker(c, chunk.subarray(s, e), type, first, last);
    });
    this.toBoard += chunk.length;
    const more = this.downPacer ? this.downPacer.push(chunk) : this.serial.write(chunk);
    if (!more) c.stream.pause();
  }

  // ---- log ----

  private note(text: string): void {
    this.log(`bridge: ${text}`);
    this.transcript.write({ dir: "note", text });
  }

  private warn(text: string): void {
    this.log(`bridge: warning: ${text}`);
    this.transcript.write({ dir: "note", text: `warning: ${text}` });
  }
}
