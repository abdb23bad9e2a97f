// The AT engine both dialects share: a byte-level tokenizer with a line mode (commands end with
// CR; a LF after it is part of the terminator), a raw-N mode (the bytes after a `>` prompt) and a
// transparent mode (everything is data until `+++` alone between guard times). A dialect is a
// table of commands; the engine runs one at a time, after the per-command latency. Input while a
// command runs gets the dialect's busy reply (ESP-AT `busy p...`) or waits its turn (BG96).
//
// A reboot bumps the epoch: timers die, pending waits reject with Superseded, so no handler of
// the old life says anything after the banner.
import { ascii } from "./text.ts";
import type { Transcript } from "./transcript.ts";

const CR = 0x0d;
const LF = 0x0a;
const PLUS = 0x2b;
const LINE_BYTES_MAX = 1024;
/** A guard time is kept when the silence lasted this share of it (real timers have slack). */
const GUARD_SLACK = 0.9;

export interface Command {
  /** Matched against the whole line, without the CR. */
  match: RegExp;
  run(m: RegExpExecArray): void | Promise<void>;
}

export interface TransparentSession {
  /** A packet goes out when it has this many bytes, or after gapMs without input. */
  packetBytes: number;
  gapMs: number;
  /** Silence needed before and after `+++`. */
  guardMs: number;
  onPacket(bytes: Buffer): void;
  /** `+++` was recognised; the engine is back in command mode. */
  onEscape(): void;
}

export interface EngineHost {
  clock(): number;
  write(bytes: Uint8Array): void;
  /** Output bytes not on the line yet. */
  outputPending(): number;
  transcript: Transcript;
  latencyMs: number;
  /** ESP-AT answers input during a command with this; undefined: the input waits (BG96). */
  busyReply: string | undefined;
  onCommand(): void;
  /** An ERROR or +CME ERROR went out. */
  onError(): void;
  /** A prompt or a read reply is at its worst moment for a URC. */
  onMoment(at: "prompt" | "read"): void;
}

class Superseded extends Error {
  constructor() {
    super("the modem rebooted");
  }
}

interface DataWait {
  need: number;
  parts: Buffer[];
  got: number;
  resolve(bytes: Buffer): void;
}

interface Transparent {
  session: TransparentSession;
  packet: number[];
  lastByteAt: number;
  pluses: number;
  gapTimer: NodeJS.Timeout | undefined;
  escapeTimer: NodeJS.Timeout | undefined;
}

export class AtEngine {
  echo = true;
  table: readonly Command[] = [];
  private mode: "command" | "data" | "transparent" | "down" = "command";
  private busy = false;
  private line: number[] = [];
  private afterCR = false;
  private deferred: Buffer[] = [];
  private data: DataWait | undefined;
  private transparent: Transparent | undefined;
  private epoch = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly cancels = new Set<() => void>();

  constructor(private readonly host: EngineHost) {}

  get inTransparentMode(): boolean {
    return this.mode === "transparent";
  }

  // ---- output ----

  /** Raw bytes to the host, as one transcript entry. */
  say(bytes: Uint8Array | string): void {
    const b = typeof bytes === "string" ? ascii(bytes) : bytes;
    this.host.transcript.add("out", b);
    this.host.write(b);
  }

  /** Each text as a line of its own: CR LF text CR LF. */
  reply(...lines: string[]): void {
    for (const l of lines) if (l === "ERROR" || l.startsWith("+CME ERROR")) this.host.onError();
    this.say(lines.map((l) => `\r\n${l}\r\n`).join(""));
  }

  /** A prompt, then the worst moment for a URC. */
  prompt(text: string): void {
    this.say(text);
    this.host.onMoment("prompt");
  }

  /** Between the data of a read reply and its OK. */
  readMoment(): void {
    this.host.onMoment("read");
  }

  // ---- waiting, bound to this life of the modem ----

  /** Resolves like p, or rejects with Superseded when the modem reboots first. */
  guard<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cancel = () => reject(new Superseded());
      this.cancels.add(cancel);
      p.then(
        (v) => { this.cancels.delete(cancel); resolve(v); },
        (e: unknown) => { this.cancels.delete(cancel); reject(e); },
      );
    });
  }

  sleep(ms: number): Promise<void> {
    return this.guard(new Promise<void>((resolve) => this.later(ms, resolve)));
  }

  /** A timer that dies with this life of the modem. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** Inside a command: take the next n bytes as data. */
  expectData(n: number): Promise<Buffer> {
    const p = new Promise<Buffer>((resolve) => {
      this.data = { need: n, parts: [], got: 0, resolve };
      this.mode = "data";
    });
    this.replayDeferred();
    return this.guard(p);
  }

  enterTransparent(session: TransparentSession): void {
    this.mode = "transparent";
    this.transparent = {
      session, packet: [], lastByteAt: this.host.clock(), pluses: 0, gapTimer: undefined, escapeTimer: undefined,
    };
  }

  /** Back to command mode (the connection dropped); unsent input is dropped. */
  leaveTransparent(): void {
    const tr = this.transparent;
    if (tr === undefined) return;
    clearTimeout(tr.gapTimer);
    clearTimeout(tr.escapeTimer);
    this.transparent = undefined;
    this.mode = "command";
  }

  // ---- input ----

  feed(bytes: Buffer): void {
    for (let i = 0; i < bytes.length; i++) {
      switch (this.mode) {
        case "down":
          this.host.transcript.add("in", bytes.subarray(i), "down");
          return;
        case "data": {
          if (this.terminatorLf(bytes[i]!)) break;
          const next = this.feedData(bytes, i);
          if (this.mode !== "data" && next < bytes.length) {
            // The command that took the data speaks first; what follows waits a turn.
            const rest = bytes.subarray(next);
            const epoch = this.epoch;
            setImmediate(() => { if (epoch === this.epoch) this.feed(rest); });
            return;
          }
          i = next - 1;
          break;
        }
        case "transparent":
          this.feedTransparent(bytes[i]!);
          break;
        case "command":
          if (this.busy && this.host.busyReply === undefined && !(this.afterCR && bytes[i] === LF)) {
            this.deferred.push(bytes.subarray(i));
            return;
          }
          this.feedCommand(bytes[i]!);
          break;
      }
    }
  }

  /** Power cycle: forget everything, come back after bootMs and call banner. */
  reboot(bootMs: number, banner: () => void): void {
    this.halt();
    this.later(bootMs, () => {
      this.mode = "command";
      banner();
    });
  }

  /** Power off: every timer and pending wait of this life ends; input is ignored. */
  halt(): void {
    this.epoch++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const cancel of [...this.cancels]) cancel();
    this.cancels.clear();
    this.leaveTransparent();
    this.mode = "down";
    this.busy = false;
    this.line = [];
    this.afterCR = false;
    this.deferred = [];
    this.data = undefined;
    this.echo = true;
  }

  private feedCommand(b: number): void {
    const wasCR = this.afterCR;
    this.afterCR = b === CR;
    if (b === LF && wasCR) {
      this.host.transcript.add("in", Uint8Array.of(b), "line");
      return;
    }
    if (this.busy) {
      this.host.transcript.add("in", Uint8Array.of(b), "busy");
      if (b === CR) this.reply(this.host.busyReply!);
      return;
    }
    if (this.echo) {
      this.host.transcript.add("out", Uint8Array.of(b), "echo");
      this.host.write(Uint8Array.of(b));
    }
    if (b !== CR) {
      if (b !== LF && this.line.length < LINE_BYTES_MAX) this.line.push(b);
      return;
    }
    const raw = Buffer.from(this.line);
    this.line = [];
    this.host.transcript.add("in", Buffer.concat([raw, Uint8Array.of(CR)]), "line");
    const text = raw.toString("latin1").trim();
    if (text.length > 0) this.dispatch(text);
  }

  private dispatch(text: string): void {
    this.busy = true;
    const epoch = this.epoch;
    this.later(this.host.latencyMs, () => {
      void this.run(text).then(() => {
        if (epoch !== this.epoch) return;
        this.busy = false;
        this.replayDeferred();
      });
    });
  }

  private async run(text: string): Promise<void> {
    this.host.onCommand();
    const epoch = this.epoch;
    for (const command of this.table) {
      const m = command.match.exec(text);
      if (m === null) continue;
      try {
        await command.run(m);
      } catch (err) {
        if (err instanceof Superseded || epoch !== this.epoch) return;
        this.host.transcript.event(`command failed: ${String(err)}`);
        this.reply("ERROR");
      }
      return;
    }
    this.reply("ERROR");
  }

  private replayDeferred(): void {
    if (this.deferred.length === 0) return;
    const input = Buffer.concat(this.deferred);
    this.deferred = [];
    this.feed(input);
  }

  /**
   * The LF of "AT+CIPSEND=n\r\n" may arrive after the command went into data mode (the input is
   * paced too). While the prompt has not even reached the host, a first LF cannot be data.
   */
  private terminatorLf(b: number): boolean {
    if (!(b === LF && this.afterCR && this.data!.got === 0 && this.host.outputPending() > 0)) return false;
    this.afterCR = false;
    this.host.transcript.add("in", Uint8Array.of(b), "line");
    return true;
  }

  /** Returns the index after the bytes it took. */
  private feedData(bytes: Buffer, i: number): number {
    const d = this.data!;
    const take = Math.min(d.need - d.got, bytes.length - i);
    d.parts.push(Buffer.from(bytes.subarray(i, i + take)));
    d.got += take;
    if (d.got === d.need) {
      const block = Buffer.concat(d.parts);
      this.data = undefined;
      this.mode = "command";
      this.afterCR = false;
      this.host.transcript.add("in", block);
      d.resolve(block);
    }
    return i + take;
  }

  private feedTransparent(b: number): void {
    const tr = this.transparent!;
    const now = this.host.clock();
    const quiet = now - tr.lastByteAt >= tr.session.guardMs * GUARD_SLACK;
    tr.lastByteAt = now;
    clearTimeout(tr.escapeTimer);
    if (b === PLUS && tr.pluses < 3 && (tr.pluses > 0 || (quiet && tr.packet.length === 0))) {
      tr.pluses++;
      tr.escapeTimer = tr.pluses === 3
        ? setTimeout(() => this.escape(), tr.session.guardMs * GUARD_SLACK)
        : setTimeout(() => this.abandonEscape(), tr.session.guardMs);
      return;
    }
    for (; tr.pluses > 0; tr.pluses--) tr.packet.push(PLUS);
    tr.packet.push(b);
    clearTimeout(tr.gapTimer);
    if (tr.packet.length >= tr.session.packetBytes) this.flushPacket();
    else tr.gapTimer = setTimeout(() => this.flushPacket(), tr.session.gapMs);
  }

  private flushPacket(): void {
    const tr = this.transparent;
    if (tr === undefined || tr.packet.length === 0) return;
    clearTimeout(tr.gapTimer);
    const bytes = Buffer.from(tr.packet);
    tr.packet = [];
    this.host.transcript.add("in", bytes);
    tr.session.onPacket(bytes);
  }

  /** One or two `+` and then silence: they were data after all. */
  private abandonEscape(): void {
    const tr = this.transparent;
    if (tr === undefined) return;
    for (; tr.pluses > 0; tr.pluses--) tr.packet.push(PLUS);
    this.flushPacket();
  }

  private escape(): void {
    const tr = this.transparent;
    if (tr === undefined) return;
    this.host.transcript.add("in", ascii("+++"));
    this.leaveTransparent();
    tr.session.onEscape();
  }
}
