// The byte-level tokenizer of everything a modem says. It never does I/O and never looks at a
// clock: bytes go in with push(), tokens come out of next(), one at a time, so the consumer can
// switch modes between two tokens of the same chunk (after a prompt, the rest of the chunk may
// be passthrough data; after a read header, the next n bytes are data).
//
// Line mode: lines end at LF; trailing CRs are dropped; empty lines are skipped. A `>` at the
// start of a line is a prompt at once, without waiting for CR LF (ESP sends `> ` or `>`).
// Raw-N mode: exactly N bytes, byte-exact for all 256 values (no CR/LF translation, no stop at
// 0x1A or NUL). Headers announced by the dialect's raw rules switch to raw-N by themselves:
// `+IPD,5:` (ends at ':'), `+CIPRECVDATA:5,` (ends at ','), `+QIRD: 5` CR LF (ends at the line).
// Passthrough mode (transparent sockets): every byte is data until the consumer says otherwise.
import { LINE_BYTES_MAX, RAW_BYTES_MAX } from "./budget.ts";

/** A header after which `length` raw bytes follow. Data, taken from a dialect. */
export interface RawRule {
  /** The header starts with this text (cheap test before the pattern). */
  readonly prefix: string;
  /** The byte that ends the header: ":" or "," (data follows at once) or "\n" (data follows CR LF). */
  readonly end: ":" | "," | "\n";
  /** Matches the whole header (without the end byte, without CR LF); group 1 is the byte count. */
  readonly pattern: RegExp;
  /** Passed through in the header token: "push" (socket data pushed by the modem) or "read" (a read reply). */
  readonly tag: "push" | "read";
}

export type Token =
  /** A line without its CR LF, bytes as latin1 (one char per byte). */
  | { readonly kind: "line"; readonly text: string }
  /** `>`: the modem waits for the data of a send command. */
  | { readonly kind: "prompt" }
  /** A raw header; `length` data bytes follow (in one or more data tokens). */
  | { readonly kind: "header"; readonly text: string; readonly length: number; readonly tag: RawRule["tag"] }
  /** Raw bytes: a view into the pushed chunk (copy it to keep it). `last` ends a raw-N run. */
  | { readonly kind: "data"; readonly bytes: Buffer; readonly last: boolean };

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const SP = 0x20;
const COLON = 0x3a;
const COMMA = 0x2c;
const EMPTY = Buffer.alloc(0);

export class Tokenizer {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private readonly line = Buffer.alloc(LINE_BYTES_MAX);
  private lineLen = 0;
  /** The current line holds something other than CR. */
  private lineText = false;
  private raw = 0;
  private pass = false;
  private afterPrompt = false;
  private readonly queue: Token[] = [];

  constructor(private readonly rules: readonly RawRule[] = []) {}

  /** Appends received bytes. Unconsumed bytes of earlier chunks are kept. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.buf = this.pos >= this.buf.length ? b : Buffer.concat([this.buf.subarray(this.pos), b]);
    this.pos = 0;
  }

  /** The next token, or undefined when more bytes are needed. */
  next(): Token | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    const buf = this.buf;
    for (;;) {
      const avail = buf.length - this.pos;
      if (avail === 0) return undefined;
      if (this.pass || this.raw > 0) {
        const take = this.pass ? avail : Math.min(this.raw, avail);
        const bytes = buf.subarray(this.pos, this.pos + take);
        this.pos += take;
        if (this.pass) return { kind: "data", bytes, last: false };
        this.raw -= take;
        return { kind: "data", bytes, last: this.raw === 0 };
      }
      const b = buf[this.pos++];
      if (this.afterPrompt) {
        this.afterPrompt = false;
        if (b === SP) continue;
      }
      if (b === GT && !this.lineText) {
        this.lineLen = 0;
        this.afterPrompt = true;
        return { kind: "prompt" };
      }
      if (b === LF) {
        const t = this.endLine();
        if (t) return t;
        continue;
      }
      if (this.lineLen === LINE_BYTES_MAX) {
        const t = this.endLine();
        this.line[this.lineLen++] = b;
        this.lineText = b !== CR;
        if (t) return t;
        continue;
      }
      this.line[this.lineLen++] = b;
      if (b !== CR) this.lineText = true;
      if ((b === COLON || b === COMMA) && this.lineText) {
        const h = this.header(b === COLON ? ":" : ",", this.lineLen - 1);
        if (h) return h;
      }
    }
  }

  /** The next `n` bytes are raw data, whatever they are (a consumer that knows better than the rules). */
  expectRaw(n: number): void {
    this.raw = n;
  }

  /** Passthrough on: every byte is data. Off: back to line mode (at a line start). */
  passthrough(on: boolean): void {
    this.pass = on;
    this.raw = 0;
    this.lineLen = 0;
    this.lineText = false;
    this.afterPrompt = false;
  }

  get inPassthrough(): boolean {
    return this.pass;
  }

  /** Raw bytes still expected in the current raw-N run. */
  get rawRemaining(): number {
    return this.raw;
  }

  /** Forgets everything buffered and goes back to line mode (after a resynchronisation). */
  reset(): void {
    this.buf = EMPTY;
    this.pos = 0;
    this.queue.length = 0;
    this.passthrough(false);
  }

  private endLine(): Token | undefined {
    let end = this.lineLen;
    while (end > 0 && this.line[end - 1] === CR) end--;
    const text = this.line.toString("latin1", 0, end);
    this.lineLen = 0;
    this.lineText = false;
    if (end === 0) return undefined;
    const h = this.header("\n", end, text);
    if (h) return h;
    // An echo ends in CR alone ("AT\r" before "\r\nOK"): split what CRs separate.
    if (text.includes("\r")) {
      for (const part of text.split("\r")) if (part.length > 0) this.queue.push({ kind: "line", text: part });
      return this.queue.shift();
    }
    return { kind: "line", text };
  }

  /** A header token when the first `len` bytes of the line are a raw header ending in `end`. */
  private header(end: RawRule["end"], len: number, known?: string): Token | undefined {
    for (const r of this.rules) {
      if (r.end !== end || len < r.prefix.length || this.line[0] !== r.prefix.charCodeAt(0)) continue;
      const text = known ?? this.line.toString("latin1", 0, len);
      if (!text.startsWith(r.prefix)) continue;
      const m = r.pattern.exec(text);
      if (!m) continue;
      const length = Number(m[1]);
      if (!(length >= 0 && length <= RAW_BYTES_MAX)) continue;
      this.lineLen = 0;
      this.lineText = false;
      this.raw = length;
      return { kind: "header", text, length, tag: r.tag };
    }
    return undefined;
  }
}
