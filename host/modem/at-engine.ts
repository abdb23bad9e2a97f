// The AT engine: one command in flight, a timeout per command, and URC dispatch on every line,
// also in the middle of a command's reply and between a prompt and its data. It knows nothing
// of states or sockets: it writes commands, feeds what the modem says through the tokenizer,
// and settles each command with a result value: its final reply, or why it failed. It never
// throws for a modem's answer: the driver decides what a failure means. Commands issued while
// one is in flight wait. A reply is bounded: more info lines or more read bytes than the command
// may produce fail it ("overflow") at once, so a babbling modem is never buffered nor taken for
// socket data.
import { INFO_LINES_MAX, REPLY_QUOTE_CHARS } from "./budget.ts";
import type { Dialect, UrcKind } from "./dialect.ts";
import { Tokenizer, type Token } from "./tokenizer.ts";

/** One command and what ends it. */
export interface Exchange {
  /** Without CR (the engine adds it). */
  readonly cmd: string;
  readonly timeoutMs: number;
  /** Final replies that mean success, and failure. */
  readonly ok: readonly RegExp[];
  readonly fail: readonly RegExp[];
  /** Written after the prompt; the exchange then waits for `ok` (SEND OK). */
  readonly payload?: Buffer;
  /** Succeeds at the prompt (ESP transparent AT+CIPSEND). */
  readonly untilPrompt?: boolean;
  /** After the final reply, also wait for a line matching this. */
  readonly then?: RegExp;
  /** On success, the tokenizer switches to passthrough at once (bytes after it in the same chunk are data). */
  readonly passthrough?: boolean;
  /** Info lines the reply may have (default INFO_LINES_MAX); one more fails the command. */
  readonly maxLines?: number;
  /** Raw bytes read replies may announce in all: what a read command asked for (default 0). */
  readonly maxDataBytes?: number;
}

export interface Reply {
  /** The line that ended it ("OK", "SEND OK", "CONNECT"; ">" for untilPrompt). */
  final: string;
  /** Lines in between that were neither URCs nor echo. */
  lines: string[];
  /** The `then` line, matched. */
  then?: RegExpExecArray;
  /** A read reply's header and raw bytes. */
  header?: string;
  data: Buffer[];
  dataBytes: number;
}

/**
 * Why a command failed: an error reply ("error", `reply` is the line), no reply in time
 * ("timeout"), a reply longer than the command can produce ("overflow", `reply` is the line or
 * read header past the bound; the rest of the reply may still come, so the stream is out of
 * step), or abortAll() ("aborted": the caller knows why).
 */
export type AtFailureKind = "error" | "timeout" | "overflow" | "aborted";

export interface AtFailure {
  readonly failure: AtFailureKind;
  readonly cmd: string;
  readonly reply: string;
  /** The data of a send went out before it failed. */
  readonly payloadWritten: boolean;
  /** One line saying what happened, without the "modem: " prefix. */
  readonly message: string;
}

/** How a command settled. */
export type AtResult = { readonly ok: Reply } | AtFailure;

export interface EngineHooks {
  /** Bytes for the serial port. */
  write(bytes: Buffer): void;
  /** A line the dialect's URC table knows. */
  urc(kind: UrcKind, line: string): void;
  /** Socket data the modem pushed (`+IPD,n:`, passthrough). A view: copy it to keep it past the call. */
  data(bytes: Buffer): void;
  /** A line with bytes no modem prints (noise, wrong baud rate). */
  garbage(line: string): void;
  /** A printable line nobody waited for. */
  unexpected(line: string): void;
}

interface Pending {
  readonly ex: Exchange;
  phase: "prompt" | "final" | "then";
  readonly reply: Reply;
  /** Raw bytes the read headers so far announced. */
  announced: number;
  payloadWritten: boolean;
  timer: NodeJS.Timeout | undefined;
  settled(r: AtResult): void;
}

const failure = (cmd: string, kind: AtFailureKind, reply: string, payloadWritten: boolean, message: string): AtFailure =>
  ({ failure: kind, cmd, reply, payloadWritten, message });
const GARBAGE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]/;
const matches = (res: readonly RegExp[], text: string) => res.some((r) => r.test(text));
const quote = (text: string) => JSON.stringify(text.length > REPLY_QUOTE_CHARS ? `${text.slice(0, REPLY_QUOTE_CHARS)}...` : text);

export class AtEngine {
  readonly tokenizer: Tokenizer;
  private current: Pending | undefined;
  private readonly waiting: Array<{ start: () => void; abort: () => void }> = [];
  /** Where the bytes after a raw header go. */
  private rawSink: "push" | "read" | "drop" = "drop";
  /** Raw bytes that had nowhere to go (a read reply after its command timed out). */
  droppedBytes = 0;
  /**
   * Data bytes the modem may still wait for: a send failed after its command went out and before
   * its data did. Until it gets them, the modem takes every AT for data.
   */
  private owed = 0;

  constructor(private readonly dialect: Dialect, private readonly hooks: EngineHooks, private readonly msPerByte = 0) {
    this.tokenizer = new Tokenizer(dialect.rawRules);
  }

  /** Feeds bytes from the modem; every complete token is handled before this returns. */
  feed(chunk: Buffer): void {
    this.tokenizer.push(chunk);
    for (let t = this.tokenizer.next(); t !== undefined; t = this.tokenizer.next()) this.token(t);
  }

  /** Runs one command (after those already waiting); never rejects. */
  run(ex: Exchange): Promise<AtResult> {
    return new Promise<AtResult>((settled) => {
      const p: Pending = {
        ex, settled,
        phase: ex.payload !== undefined || ex.untilPrompt ? "prompt" : "final",
        reply: { final: "", lines: [], data: [], dataBytes: 0 },
        announced: 0,
        payloadWritten: false,
        timer: undefined,
      };
      const start = () => {
        this.current = p;
        const ms = Math.ceil(ex.timeoutMs + (ex.cmd.length + 1 + (ex.payload?.length ?? 0)) * this.msPerByte);
        p.timer = setTimeout(() => this.fail(p, "timeout", "", `no reply to ${ex.cmd} within ${ms} ms`), ms);
        this.hooks.write(Buffer.from(`${ex.cmd}\r`, "latin1"));
      };
      if (this.current) this.waiting.push({ start, abort: () => settled(failure(ex.cmd, "aborted", "", false, "aborted")) });
      else start();
    });
  }

  /** True while a command waits for its reply. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Settles the command in flight and every waiting one as "aborted" (the port closed, the modem rebooted). */
  abortAll(): void {
    const waiting = this.waiting.splice(0);
    if (this.current) this.fail(this.current, "aborted", "", "aborted");
    for (const w of waiting) w.abort();
  }

  /** Bytes written as they are (data in transparent mode, the `+++` escape). */
  writeRaw(bytes: Buffer): void {
    this.hooks.write(bytes);
  }

  passthrough(on: boolean): void {
    this.tokenizer.passthrough(on);
    this.rawSink = "drop";
  }

  /**
   * Completes a data phase the modem may still be in (see `owed`) with zeros: the socket is given
   * up anyway, and no broker takes 0x00 for MQTT. True when bytes were written.
   */
  payOwed(): boolean {
    const n = this.owed;
    this.owed = 0;
    if (n > 0) this.hooks.write(Buffer.alloc(n));
    return n > 0;
  }

  /** Forgets buffered input (resynchronisation). The command in flight, if any, stays. */
  reset(): void {
    this.tokenizer.reset();
    this.rawSink = "drop";
  }

  private token(t: Token): void {
    switch (t.kind) {
      case "line": return this.line(t.text);
      case "prompt": return this.prompt();
      case "header": {
        const p = this.current;
        if (t.tag === "push") this.rawSink = "push";
        else this.rawSink = p && this.readHeader(p, t.text, t.length) ? "read" : "drop";
        return;
      }
      case "data": {
        if (this.tokenizer.inPassthrough || this.rawSink === "push") this.hooks.data(t.bytes);
        else if (this.rawSink === "read" && this.current) {
          this.current.reply.data.push(t.bytes);
          this.current.reply.dataBytes += t.bytes.length;
        } else this.droppedBytes += t.bytes.length;
        if (t.last) this.rawSink = "drop";
        return;
      }
    }
  }

  private line(text: string): void {
    // Noise is nobody's reply: taking it for an info line would hide a wrong baud rate or a glitch.
    if (GARBAGE.test(text)) return this.hooks.garbage(text);
    let urc: UrcKind | undefined;
    for (const u of this.dialect.urcs) {
      if (u.pattern.test(text)) {
        urc = u.kind;
        break;
      }
    }
    const p = this.current;
    const used = p !== undefined && this.offer(p, text, urc !== undefined);
    if (urc !== undefined) this.hooks.urc(urc, text);
    else if (!used) this.hooks.unexpected(text);
  }

  /** Gives a line to the command in flight; true when the line belonged to it. */
  private offer(p: Pending, text: string, isUrc: boolean): boolean {
    const ex = p.ex;
    if (text === ex.cmd) return true; // echo (before ATE0 takes effect)
    if (p.phase === "then") {
      const m = ex.then!.exec(text);
      if (!m) return false;
      p.reply.then = m;
      this.succeed(p);
      return true;
    }
    if (matches(ex.fail, text)) {
      this.fail(p, "error", text, `${ex.cmd} failed: ${text}`);
      return true;
    }
    if (p.phase === "final" && matches(ex.ok, text)) {
      p.reply.final = text;
      if (ex.then) p.phase = "then";
      else this.succeed(p);
      return true;
    }
    if (isUrc) return false;
    const max = ex.maxLines ?? INFO_LINES_MAX;
    if (p.reply.lines.length >= max) this.overflow(p, `more than ${max} info lines: ${quote(text)}`, text);
    else p.reply.lines.push(text);
    return true;
  }

  /** Counts a read header against the bytes the command asked for; false (and the command failed) when over. */
  private readHeader(p: Pending, text: string, length: number): boolean {
    const asked = p.ex.maxDataBytes ?? 0;
    p.announced += length;
    if (p.announced > asked) {
      this.overflow(p, `more bytes than asked: ${quote(text)} makes ${p.announced}, at most ${asked}`, text);
      return false;
    }
    p.reply.header = text;
    return true;
  }

  private overflow(p: Pending, what: string, reply: string): void {
    this.fail(p, "overflow", reply, `${p.ex.cmd} answered ${what}`);
  }

  private prompt(): void {
    const p = this.current;
    if (!p || p.phase !== "prompt") {
      if (!this.payOwed()) this.hooks.unexpected(">"); // the prompt of a send given up just before
      return;
    }
    if (p.ex.untilPrompt) {
      p.reply.final = ">";
      return this.succeed(p);
    }
    p.phase = "final";
    p.payloadWritten = true;
    this.hooks.write(p.ex.payload!);
  }

  private succeed(p: Pending): void {
    if (p.ex.passthrough) this.passthrough(true);
    this.settle(p);
    p.settled({ ok: p.reply });
  }

  private fail(p: Pending, kind: AtFailureKind, reply: string, message: string): void {
    // An error reply refused the command (no data phase); a timeout or an abort leaves it open.
    if (p.ex.payload && !p.payloadWritten && this.current === p && kind !== "error") this.owed = p.ex.payload.length;
    this.settle(p);
    p.settled(failure(p.ex.cmd, kind, reply, p.payloadWritten, message));
  }

  private settle(p: Pending): void {
    clearTimeout(p.timer);
    if (this.current !== p) return;
    this.current = undefined;
    if (this.rawSink === "read") this.rawSink = "drop";
    this.waiting.shift()?.start();
  }
}
