// The record of every exchange. Some entries arrive a byte at a time (echo, the LF after a
// command's CR, bytes thrown away while busy); those are merged while they have the same key,
// so one command line is one entry. Any other entry closes the open one first, which keeps the
// record in causal order.
import { escapeBytes } from "./text.ts";
import type { TranscriptEntry } from "./types.ts";

interface Open {
  dir: TranscriptEntry["dir"];
  key: string;
  t: number;
  parts: Buffer[];
  socket: number | undefined;
}

export class Transcript {
  private open: Open | undefined;

  constructor(private readonly clock: () => number, private readonly sink: ((e: TranscriptEntry) => void) | undefined) {}

  /** One exchange; with a key it stays open for more bytes with the same dir and key. */
  add(dir: TranscriptEntry["dir"], bytes: Uint8Array, key?: string, socket?: number): void {
    if (this.sink === undefined) return;
    const o = this.open;
    if (key !== undefined && o !== undefined && o.key === key && o.dir === dir && o.socket === socket) {
      o.parts.push(Buffer.from(bytes));
      return;
    }
    this.flush();
    const entry: Open = { dir, key: key ?? "", t: this.clock(), parts: [Buffer.from(bytes)], socket };
    if (key === undefined) this.emit(entry);
    else this.open = entry;
  }

  event(text: string): void {
    if (this.sink === undefined) return;
    this.flush();
    this.sink({ t: round(this.clock()), dir: "event", bytes: 0, text });
  }

  flush(): void {
    const o = this.open;
    this.open = undefined;
    if (o !== undefined) this.emit(o);
  }

  private emit(o: Open): void {
    const bytes = o.parts.length === 1 ? o.parts[0]! : Buffer.concat(o.parts);
    const entry: TranscriptEntry = { t: round(o.t), dir: o.dir, bytes: bytes.length, text: escapeBytes(bytes) };
    if (o.socket !== undefined) entry.socket = o.socket;
    this.sink!(entry);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
