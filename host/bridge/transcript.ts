// The raw bridge's transcript: one entry per packet each way (and per run of unframed or dropped
// bytes), plus notes, as entries or as text lines. A packet's bytes arrive in pieces; a record
// collects them until the packet ends or is cut (a connection closed under it).
import type { Writable } from "node:stream";
import { PacketType } from "../abi.ts";

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

/** Where transcript entries go: text lines to a stream, or entries to a function. */
export type TranscriptSink = Writable | ((entry: TranscriptEntry) => void);

/** Bytes of each packet kept for the transcript. */
export const TRANSCRIPT_BYTES = 64;

export const typeName = (t: number): string => (t < 0 ? "unframed" : PacketType[t] ?? `TYPE${t}`);

/** Accumulates one packet's bytes for a transcript entry. */
interface PacketRecord { type: number; length: number; forwarded: number; parts: Buffer[]; kept: number }

/** Holds the record of the packet being read in one direction of one connection. */
export interface RecordSlot { record?: PacketRecord }

function addToRecord(r: PacketRecord, bytes: Buffer, forwarded: boolean): void {
  r.length += bytes.length;
  if (forwarded) r.forwarded += bytes.length;
  if (r.kept < TRANSCRIPT_BYTES) {
    const part = Buffer.from(bytes.subarray(0, TRANSCRIPT_BYTES - r.kept));
    r.parts.push(part);
    r.kept += part.length;
  }
}

export class BridgeTranscript {
  /** The board's packet being read. */
  private readonly up: RecordSlot = {};

  constructor(private readonly sink: TranscriptSink | undefined, private readonly started: number) {}

  get on(): boolean {
    return this.sink !== undefined;
  }

  /** A piece of a board packet; `forwarded` when a broker connection takes it. */
  board(bytes: Buffer, type: number, first: boolean, last: boolean, forwarded: boolean): void {
    if (!this.on) return;
    if (type < 0) {
      this.endBoard();
      this.write({ dir: forwarded ? "board>broker" : "board>dropped", type: "unframed", length: bytes.length, bytes: bytes.subarray(0, TRANSCRIPT_BYTES) });
      return;
    }
    this.piece(this.up, "board>broker", bytes, type, first, last, forwarded);
  }

  /** The board's packet was cut (a new CONNECT starts over). */
  endBoard(): void {
    this.end(this.up, "board>broker");
  }

  /** A piece of a broker packet on the connection whose slot this is. */
  broker(slot: RecordSlot, bytes: Buffer, type: number, first: boolean, last: boolean): void {
    if (!this.on) return;
    if (type < 0) {
      this.endBroker(slot);
      this.write({ dir: "broker>board", type: "unframed", length: bytes.length, bytes: bytes.subarray(0, TRANSCRIPT_BYTES) });
      return;
    }
    this.piece(slot, "broker>board", bytes, type, first, last, true);
  }

  /** The connection closed under its broker packet. */
  endBroker(slot: RecordSlot): void {
    this.end(slot, "broker>board");
  }

  write(e: Omit<TranscriptEntry, "ms">): void {
    const t = this.sink;
    if (t === undefined) return;
    const entry: TranscriptEntry = { ms: performance.now() - this.started, ...e };
    if (typeof t === "function") t(entry);
    else t.write(`${formatTranscriptEntry(entry)}\n`);
  }

  private piece(slot: RecordSlot, dir: TranscriptDirection, bytes: Buffer, type: number, first: boolean, last: boolean, forwarded: boolean): void {
    if (first) this.end(slot, dir);
    const r = (slot.record ??= { type, length: 0, forwarded: 0, parts: [], kept: 0 });
    addToRecord(r, bytes, forwarded);
    if (!last) return;
    this.emit(r, dir, false);
    slot.record = undefined;
  }

  private end(slot: RecordSlot, dir: TranscriptDirection): void {
    if (slot.record) this.emit(slot.record, dir, true);
    slot.record = undefined;
  }

  private emit(r: PacketRecord, dir: TranscriptDirection, cut: boolean): void {
    const bytes = Buffer.concat(r.parts);
    const name = typeName(r.type);
    if (dir === "board>broker" && r.forwarded === 0) {
      this.write({ dir: "board>dropped", type: name, length: r.length, bytes, text: cut ? "incomplete" : undefined });
    } else if (dir === "board>broker" && r.forwarded < r.length) {
      this.write({ dir, type: name, length: r.length, bytes, text: `${r.length - r.forwarded} bytes dropped after the broker closed` });
    } else {
      this.write({ dir, type: name, length: r.length, bytes, text: cut ? "incomplete" : undefined });
    }
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
