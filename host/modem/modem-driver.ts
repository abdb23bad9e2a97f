// The modem driver: one serial port, one AT engine, one dialect, one TCP socket at a time.
//
//   PORT_CLOSED -> SYNC (AT until OK, then the dialect's sync steps: ATE0, AT+CMEE=2)
//     -> CONFIG -> BEARER_UP -> READY (bearer up, no socket)
//     -> SOCK_OPENING -> ONLINE (IDLE <-> TX: cmd, prompt, n bytes, ack;
//                                IDLE <-> RX: read cmd, header with n, n bytes, OK)
//     -> SOCK_CLOSING -> READY
//   any state -> SYNC on garbage, a command timeout or a reboot banner;
//             -> BEARER_UP on bearer loss; -> PORT_CLOSED when a write fails or the port closes.
//
// The driver only moves forward when a socket is wanted (open() was called): an idle transport
// costs no serial traffic. All work runs in one loop (pump), one step at a time, so one command
// is in flight; URCs and port events only set flags (or a fault) and wake the loop.
import { SerialPort } from "serialport";
import { AtEngine, AtError, type Exchange, type Reply } from "./at-engine.ts";
import { MoteError } from "../errors.ts";
import { checkParams, fill, type Dialect, type DialectParams, type Step, type UrcKind } from "./dialect.ts";

export type DriverState = "PORT_CLOSED" | "SYNC" | "CONFIG" | "BEARER_UP" | "READY" | "SOCK_OPENING" | "ONLINE" | "SOCK_CLOSING";
const RANK: Record<DriverState, number> = { PORT_CLOSED: 0, SYNC: 1, CONFIG: 2, BEARER_UP: 3, READY: 4, SOCK_OPENING: 5, ONLINE: 6, SOCK_CLOSING: 7 };

export interface Timing {
  /** `AT` attempts before sync gives up. */
  syncAttempts: number;
  /** How long each sync `AT` (and the idle probe) waits for OK. */
  syncReplyMs: number;
  /** Probe with `AT` after this much idle time while a socket is open (pull mode): an unplugged port only fails on a write. 0: never. */
  idleProbeMs: number;
  /** Silence before and after the transparent-mode escape (default: the dialect's, 1 s). */
  guardMs?: number;
  /** First delay before a refused send is tried again (busy, buffer full); grows linearly. */
  retryDelayMs: number;
  /** Multiplies the dialect's command timeouts (a slow network, or fast tests). */
  timeoutScale: number;
}

export const DEFAULT_TIMING: Timing = { syncAttempts: 10, syncReplyMs: 500, idleProbeMs: 10_000, retryDelayMs: 200, timeoutScale: 1 };

export interface ModemDriverOptions {
  path: string;
  baudRate: number;
  dialect: Dialect;
  /** APN, Wi-Fi SSID and password: whatever the dialect's steps need. */
  params?: DialectParams;
  /** Transparent mode instead of pull mode (where the dialect has one). */
  transparent?: boolean;
  /** Largest read (default: the dialect's limit). */
  readMax?: number;
  timing?: Partial<Timing>;
}

/** Where a socket's events go (ModemSocket). */
export interface SocketSink {
  opened(): void;
  data(bytes: Buffer): void;
  /** The socket is over; `err` says why unless it was our own close. */
  closed(err: Error | undefined): void;
  /** Bytes the caller can take now: pull mode reads at most this. */
  space(): number;
}

export interface ByteCounts {
  /** Socket payload (MQTT bytes). */
  payload: number;
  /** Everything else on the serial line: commands, replies, prompts, headers, URCs. */
  overhead: number;
  /** Bytes on the serial line. */
  serial: number;
  /** Time these bytes take on the line at the baud rate (8N1: 10 bits a byte), in ms. */
  wireMs: number;
}

export interface ModemStats {
  sent: ByteCounts;
  received: ByteCounts;
}

/** A failure and the state it sends the driver back to. */
export class ModemError extends MoteError {
  constructor(message: string, readonly next: DriverState, readonly retryable = false) {
    super(message, "modem");
    this.name = "ModemError";
  }
}

interface TxItem {
  readonly buf: Buffer;
  off: number;
  readonly cb: (err?: Error | null) => void;
}

/** One TCP connection through the modem, from open() to closed(). */
export class ModemSocketHandle {
  state: "waiting" | "opening" | "online" | "done" = "waiting";
  readonly txq: TxItem[] = [];
  rxPending = false;
  /** Data notices so far: a notice during a read keeps rxPending. */
  notices = 0;
  ending = false;
  aborted = false;
  remoteClosed = false;
  /** Faults survived before the socket opened (a reboot banner, a bearer loss). */
  retries = 0;
  readonly endCbs: Array<() => void> = [];

  constructor(private readonly driver: ModemDriver, readonly sink: SocketSink, readonly host: string, readonly port: number) {}

  /** Queues bytes; `cb` runs when the modem has acknowledged all of them. */
  write(buf: Buffer, cb: (err?: Error | null) => void): void {
    if (this.state === "done") return cb(new Error("modem: the socket is closed"));
    if (buf.length === 0) return cb();
    this.txq.push({ buf, off: 0, cb });
    this.driver.wake();
  }

  /** Closes after the queued bytes are sent; `cb` runs when the modem's socket is closed. */
  end(cb: () => void): void {
    if (this.state === "done") return cb();
    this.ending = true;
    this.endCbs.push(cb);
    this.driver.wake();
  }

  /** Drops queued bytes and closes at once. */
  abort(): void {
    if (this.state === "done") return;
    this.aborted = true;
    this.txq.length = 0;
    this.driver.wake();
  }

  /** The caller has room again: read what waits. */
  poke(): void {
    if (this.rxPending) this.driver.wake();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Guard times must not be cut short: a timer may fire a little before its time on performance.now(). */
async function sleepUntil(deadline: number): Promise<void> {
  for (let left = deadline - performance.now(); left > 0; left = deadline - performance.now()) await sleep(Math.ceil(left));
}

export class ModemDriver {
  state: DriverState = "PORT_CLOSED";
  readonly dialect: Dialect;
  readonly timing: Timing;
  /** Lines nobody waited for (kept short: the last 20), for diagnostics. */
  readonly unexpected: string[] = [];
  /** Every state change, for tests and logs. */
  onState: ((s: DriverState) => void) | undefined;
  /** Every byte on the serial line as it is written ("tx") or read ("rx"): an AT trace. */
  onTrace: ((dir: "tx" | "rx", bytes: Buffer) => void) | undefined;
  private readonly engine: AtEngine;
  private port: SerialPort | undefined;
  private readonly socks: ModemSocketHandle[] = [];
  private busy = false;
  private again = false;
  private fault: ModemError | undefined;
  private bearerLost = false;
  /** The modem may still hold a socket (after a fault): close it before the next open. */
  private modemSocket = false;
  private probeDue = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private preferRead = false;
  private lastWrite = 0;
  /** The last bytes of the passthrough stream (a marker may span two chunks). */
  private streamTail = Buffer.alloc(0);
  private escapeWaiter: (() => void) | undefined;
  private readonly counts = { serialSent: 0, serialReceived: 0, payloadSent: 0, payloadReceived: 0 };
  private readonly msPerByte: number;

  constructor(readonly o: ModemDriverOptions) {
    this.dialect = o.dialect;
    this.timing = { ...DEFAULT_TIMING, ...o.timing };
    if (o.transparent && !o.dialect.transparent) throw new Error(`modem: the ${o.dialect.name} dialect has no transparent mode`);
    checkParams(o.params ?? {});
    this.msPerByte = 10_000 / o.baudRate;
    this.engine = new AtEngine(o.dialect, {
      write: (b) => this.write(b),
      urc: (kind, line) => this.onUrc(kind, line),
      data: (b) => this.onPushed(b),
      garbage: (line) => this.onGarbage(line),
      unexpected: (line) => {
        this.unexpected.push(line);
        if (this.unexpected.length > 20) this.unexpected.shift();
      },
    }, this.msPerByte);
  }

  /** Opens a socket to host:port; events go to `sink`. Waits behind a socket that is still closing. */
  openSocket(host: string, port: number, sink: SocketSink): ModemSocketHandle {
    checkParams({ host, port });
    const s = new ModemSocketHandle(this, sink, host, port);
    this.socks.push(s);
    this.wake();
    return s;
  }

  /** Serial bytes each way, AT framing included. */
  wireBytes(): { sent: number; received: number } {
    return { sent: this.counts.serialSent, received: this.counts.serialReceived };
  }

  stats(): ModemStats {
    const c = this.counts;
    const dir = (payload: number, serial: number): ByteCounts => ({ payload, overhead: serial - payload, serial, wireMs: (serial * 10_000) / this.o.baudRate });
    return { sent: dir(c.payloadSent, c.serialSent), received: dir(c.payloadReceived, c.serialReceived) };
  }

  /** Closes every socket (politely, within `graceMs`), then the serial port. */
  async close(graceMs = 3000): Promise<void> {
    for (const s of this.socks) s.abort();
    const deadline = Date.now() + graceMs;
    while ((this.busy || this.socks.length > 0) && Date.now() < deadline) await sleep(20);
    this.raise(new ModemError("modem: the transport was closed", "PORT_CLOSED"));
    while (this.busy && Date.now() < deadline + 1000) await sleep(20);
    this.closePort();
  }

  /** Runs the loop soon (it is a no-op while it runs: the loop looks again). */
  wake(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    clearTimeout(this.probeTimer);
    void this.loop();
  }

  // ---- the loop ----

  private async loop(): Promise<void> {
    try {
      for (;;) {
        this.again = false;
        let progressed: boolean;
        try {
          progressed = await this.step();
        } catch (e) {
          this.recover(e);
          progressed = true;
        }
        if (!progressed && !this.again) break;
      }
    } finally {
      this.busy = false;
      this.armProbe();
    }
  }

  /** One thing to do; false when there is nothing. */
  private async step(): Promise<boolean> {
    if (this.fault) throw this.fault;
    const s = this.socks[0];
    if (s && s.aborted && s.state === "waiting") {
      this.finish(s, undefined);
      return true;
    }
    switch (this.state) {
      case "PORT_CLOSED":
        if (!s) return false;
        await this.openPort();
        this.setState("SYNC");
        return true;
      case "SYNC":
        if (!s) return false;
        await this.sync();
        this.setState("CONFIG");
        return true;
      case "CONFIG": {
        if (!s) return false;
        const c = this.dialect.configure;
        await this.steps(this.o.transparent ? c.transparent ?? c.pull : c.pull);
        this.setState("BEARER_UP");
        return true;
      }
      case "BEARER_UP":
        if (!s) return false;
        if (this.bearerLost) await this.steps(this.dialect.bearerReset);
        this.bearerLost = false;
        await this.steps(this.dialect.bearerUp);
        this.setState("READY");
        return true;
      case "READY":
        if (!s) return false;
        if (this.modemSocket) {
          this.setState("SOCK_CLOSING");
          await this.runClose();
          this.setState("READY");
          return true;
        }
        await this.openOn(s);
        return true;
      case "ONLINE":
        return s ? this.online(s) : false;
      default:
        return false; // SOCK_OPENING / SOCK_CLOSING last only as long as their step
    }
  }

  private async online(s: ModemSocketHandle): Promise<boolean> {
    if (s.aborted || (s.ending && s.txq.length === 0)) {
      await this.closeOn(s, undefined);
      return true;
    }
    const transparent = this.engine.tokenizer.inPassthrough;
    const space = transparent ? 0 : Math.min(s.sink.space(), this.o.readMax ?? Infinity, this.dialect.read.maxBytes);
    const canRead = s.rxPending && space > 0;
    if (s.remoteClosed && !canRead) {
      if (s.rxPending) return false; // data still waits for room: wait for poke()
      await this.closeOn(s, new Error("modem: socket closed by the server"));
      return true;
    }
    if (canRead && (this.preferRead || s.txq.length === 0)) {
      this.preferRead = false;
      await this.read(s, space);
      return true;
    }
    if (s.txq.length > 0) {
      this.preferRead = true;
      if (transparent) await this.sendTransparent(s);
      else await this.send(s);
      return true;
    }
    if (this.probeDue) {
      this.probeDue = false;
      await this.probe();
      return true;
    }
    return false;
  }

  /** Moves to the state the error asks for and fails the socket being served. */
  private recover(e: unknown): void {
    let err = e instanceof ModemError ? e : e instanceof AtError ? this.atFailure(e) : new ModemError(`modem: ${(e as Error).message.replace(/^modem: /, "")}`, "SYNC");
    if (err === this.fault) this.fault = undefined;
    const was = this.state;
    const s = this.socks[0];
    // A send that fails because the server has just closed: say what happened.
    if (s?.remoteClosed && err.next === "READY") err = new ModemError("modem: socket closed by the server", "READY");
    if (err.next === "BEARER_UP") this.bearerLost = true;
    if (err.next === "PORT_CLOSED") this.closePort();
    if (RANK[err.next] < RANK[was]) this.setState(err.next);
    if (this.engine.tokenizer.inPassthrough) this.engine.passthrough(false);
    if (!s) return;
    // A reboot or bearer loss before the socket opened: start over, a few times.
    if (err.retryable && s.state === "waiting" && s.retries++ < 3) return;
    this.finish(s, err);
    // The modem may still hold it: READY closes it before the next open.
    if (RANK[this.state] >= RANK.SOCK_OPENING) this.setState("READY");
  }

  private atFailure(e: AtError): ModemError {
    if (e.failure !== "error") return new ModemError(`modem: ${e.message}`, "SYNC"); // a timeout or an overflow: the reply's end is unknown
    return new ModemError(`modem: ${e.cmd} failed (${e.reply})`, this.state);
  }

  /** A fault from outside the loop (URC, port event): fail the command in flight and wake the loop. */
  private raise(err: ModemError): void {
    this.fault = err;
    this.engine.abortAll(err);
    this.wake();
  }

  private setState(s: DriverState): void {
    if (this.state === s) return;
    this.state = s;
    this.onState?.(s);
  }

  private finish(s: ModemSocketHandle, err: Error | undefined): void {
    const i = this.socks.indexOf(s);
    if (i >= 0) this.socks.splice(i, 1);
    if (s.state === "done") return;
    s.state = "done";
    s.txq.length = 0;
    for (const cb of s.endCbs.splice(0)) cb();
    s.sink.closed(err);
  }

  // ---- steps ----

  private async openPort(): Promise<void> {
    const { path, baudRate } = this.o;
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.on("data", (chunk: Buffer) => {
      if (port !== this.port) return;
      this.counts.serialReceived += chunk.length;
      this.onTrace?.("rx", chunk);
      this.engine.feed(chunk);
    });
    port.on("error", (e: Error) => {
      if (port === this.port) this.raise(new ModemError(`modem: serial port ${path} failed: ${e.message}`, "PORT_CLOSED"));
    });
    port.on("close", (e?: { disconnected?: boolean }) => {
      if (port === this.port) this.raise(new ModemError(`modem: serial port ${path} closed${e?.disconnected ? " (unplugged?)" : ""}`, "PORT_CLOSED"));
    });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve()))).catch((e: Error) => {
      throw new ModemError(`modem: cannot open serial port ${path}: ${e.message}`, "PORT_CLOSED");
    });
    this.port = port;
    this.engine.reset();
  }

  private closePort(): void {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close(() => {});
  }

  private write(bytes: Buffer): void {
    const port = this.port;
    if (!port) return;
    this.counts.serialSent += bytes.length;
    this.lastWrite = performance.now();
    this.onTrace?.("tx", bytes);
    port.write(bytes, (e) => {
      if (e && port === this.port) this.raise(new ModemError(`modem: write to ${this.o.path} failed: ${e.message} (unplugged?)`, "PORT_CLOSED"));
    });
  }

  private async sync(): Promise<void> {
    const { syncAttempts, syncReplyMs } = this.timing;
    if (this.engine.payOwed()) await sleep(Math.min(100, syncReplyMs)); // its SEND OK / FAIL comes first
    this.engine.reset();
    let attempt = 0;
    for (;; attempt++) {
      if (attempt >= syncAttempts) throw new ModemError(`modem: no reply to AT on ${this.o.path} at ${this.o.baudRate} baud`, "SYNC");
      // A modem left in transparent mode takes AT for data: escape, once.
      if (attempt === 2 && this.dialect.transparent) await this.escape();
      try {
        await this.run({ cmd: "AT", timeoutMs: syncReplyMs, ok: this.dialect.ok, fail: this.dialect.fail });
        break;
      } catch (e) {
        if (!(e instanceof AtError)) throw e;
        if (e.failure !== "timeout") await sleep(Math.min(100, syncReplyMs)); // noise before our AT: try again
      }
    }
    // A late OK to an earlier attempt must not answer the next command: let it arrive first.
    if (attempt > 0) await sleep(Math.min(200, syncReplyMs));
    await this.steps(this.dialect.sync);
  }

  private async steps(list: readonly Step[], extra: DialectParams = {}): Promise<Reply | undefined> {
    let last: Reply | undefined;
    for (const st of list) {
      const params = { ...this.o.params, password: this.o.params?.password ?? "", ...extra };
      if (st.needs && params[st.needs] === undefined) continue;
      try {
        last = await this.exchange(st, params);
      } catch (e) {
        if (st.optional && e instanceof AtError && e.failure === "error") continue;
        throw e;
      }
      if (st.doneIf && last.lines.some((l) => st.doneIf!.test(l))) break;
    }
    return last;
  }

  /** One command; "busy" replies (the modem is still at something else) are tried again a few times. */
  private async run(ex: Exchange): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.engine.run(ex);
      } catch (e) {
        const busy = e instanceof AtError && e.failure === "error" && !e.payloadWritten && this.dialect.busy?.test(e.reply);
        if (!busy || attempt >= 5) throw e;
        await sleep(this.timing.retryDelayMs * (attempt + 1));
        if (this.fault) throw this.fault;
      }
    }
  }

  private exchange(st: Step, params: DialectParams, more: Partial<Exchange> = {}): Promise<Reply> {
    return this.run({
      cmd: fill(st.cmd, params),
      timeoutMs: st.timeoutMs * this.timing.timeoutScale,
      ok: st.ok ?? this.dialect.ok,
      fail: st.fail ?? this.dialect.fail,
      then: st.then,
      ...more,
    });
  }

  private async openOn(s: ModemSocketHandle): Promise<void> {
    const d = this.dialect;
    const transparent = this.o.transparent === true;
    const st = transparent ? d.open.transparent ?? d.open.pull : d.open.pull;
    const params = { ...this.o.params, host: s.host, port: s.port };
    this.setState("SOCK_OPENING");
    s.state = "opening";
    s.rxPending = false;
    this.modemSocket = true;
    this.streamTail = Buffer.alloc(0);
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await this.exchange(st, params, { passthrough: transparent && !d.transparent?.start });
        if (st.thenOk !== undefined && reply.then?.[1] !== st.thenOk) {
          throw new AtError(`${st.cmd} failed`, "error", fill(st.cmd, params), reply.then?.[0] ?? "", false);
        }
        break;
      } catch (e) {
        if (!(e instanceof AtError) || e.failure !== "error") throw e;
        if (attempt === 0 && d.alreadyOpen?.test(e.reply)) {
          await this.runClose();
          continue;
        }
        if (d.closeAfterFailedOpen) await this.runClose();
        this.modemSocket = false;
        throw new ModemError(`modem: cannot open a TCP connection to ${s.host}:${s.port} (${e.reply})`, "READY");
      }
    }
    if (transparent && d.transparent?.start) await this.exchange(d.transparent.start, params, { untilPrompt: true, passthrough: true });
    this.setState("ONLINE");
    s.state = "online";
    if (!s.aborted) s.sink.opened(); // else online() closes it at once
  }

  private async runClose(): Promise<void> {
    await this.steps([this.dialect.close]);
    this.modemSocket = false;
  }

  private async closeOn(s: ModemSocketHandle, err: Error | undefined): Promise<void> {
    this.setState("SOCK_CLOSING");
    const serverClosed = err !== undefined;
    if (this.engine.tokenizer.inPassthrough) await this.escape();
    if (!serverClosed || this.dialect.closeAfterRemoteClose) await this.runClose();
    this.modemSocket = false;
    this.setState("READY");
    this.finish(s, err);
  }

  private async send(s: ModemSocketHandle): Promise<void> {
    const d = this.dialect.send;
    const item = s.txq[0];
    const n = Math.min(item.buf.length - item.off, d.maxBytes);
    const payload = item.buf.subarray(item.off, item.off + n);
    const cmd = fill(d.cmd, { n });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.run({ cmd, payload, ok: d.ok, fail: d.fail, timeoutMs: d.timeoutMs * this.timing.timeoutScale });
        break;
      } catch (e) {
        if (!(e instanceof AtError) || e.failure !== "error") throw e;
        // Refused before the data went out, or "buffer full": nothing was taken, try again.
        const again = !e.payloadWritten || d.retry.some((r) => r.test(e.reply));
        if (!again || attempt >= 5) throw new ModemError(`modem: send failed (${e.reply})`, "READY");
        await sleep(this.timing.retryDelayMs * (attempt + 1));
        if (this.fault || s.aborted) return;
      }
    }
    this.counts.payloadSent += n;
    item.off += n;
    if (item.off === item.buf.length) {
      s.txq.shift();
      item.cb();
    }
  }

  private async sendTransparent(s: ModemSocketHandle): Promise<void> {
    const items = s.txq.splice(0);
    for (const item of items) {
      const bytes = item.buf.subarray(item.off);
      this.write(bytes);
      this.counts.payloadSent += bytes.length;
    }
    await this.drain();
    for (const item of items) item.cb();
  }

  private drain(): Promise<void> {
    const port = this.port;
    return new Promise((resolve) => (port ? port.drain(() => resolve()) : resolve()));
  }

  private async read(s: ModemSocketHandle, want: number): Promise<void> {
    const d = this.dialect.read;
    const seen = s.notices;
    let data: Buffer[] = [];
    let got = 0;
    try {
      const r = await this.run({
        cmd: fill(d.cmd, { n: want }), maxDataBytes: want,
        ok: this.dialect.ok,
        fail: this.dialect.fail,
        timeoutMs: d.timeoutMs * this.timing.timeoutScale + want * this.msPerByte,
      });
      data = r.data;
      got = r.dataBytes;
    } catch (e) {
      if (!(e instanceof AtError) || e.failure !== "error") throw e;
      if (!d.errorMeansEmpty) throw new ModemError(`modem: read failed (${e.reply})`, "READY");
    }
    // A short read emptied the modem's buffer, unless a notice came meanwhile.
    if (got < want && s.notices === seen) s.rxPending = false;
    for (const b of data) {
      this.counts.payloadReceived += b.length;
      if (s.state !== "done") s.sink.data(b);
    }
  }

  private async probe(): Promise<void> {
    try {
      await this.run({ cmd: "AT", timeoutMs: this.timing.syncReplyMs, ok: this.dialect.ok, fail: this.dialect.fail });
    } catch (e) {
      if (e instanceof AtError && e.failure === "timeout") throw new ModemError(`modem: no reply to AT on ${this.o.path} (idle probe)`, "SYNC");
      if (!(e instanceof AtError) || e.failure === "overflow") throw e; // an ERROR reply still says the modem is there
    }
  }

  /** Leaves transparent mode: silence, the escape alone, silence. */
  private async escape(): Promise<void> {
    const t = this.dialect.transparent!;
    const guard = this.timing.guardMs ?? t.guardMs;
    await sleepUntil(this.lastWrite + guard);
    const replied = t.escapeReply && this.engine.tokenizer.inPassthrough ? new Promise<void>((r) => (this.escapeWaiter = r)) : undefined;
    this.engine.writeRaw(Buffer.from(t.escape, "latin1"));
    await sleepUntil(this.lastWrite + guard);
    if (replied) await Promise.race([replied, sleep(guard)]); // the modem may answer only after its own guard time
    this.escapeWaiter = undefined;
    if (this.engine.tokenizer.inPassthrough) this.engine.passthrough(false);
  }

  private armProbe(): void {
    clearTimeout(this.probeTimer);
    const ms = this.timing.idleProbeMs;
    if (ms <= 0 || this.state !== "ONLINE" || this.engine.tokenizer.inPassthrough) return;
    this.probeTimer = setTimeout(() => {
      this.probeDue = true;
      this.wake();
    }, ms);
    this.probeTimer.unref();
  }

  // ---- what the modem says by itself ----

  private onUrc(kind: UrcKind, line: string): void {
    const s = this.socks[0];
    switch (kind) {
      case "data":
        if (s && s.state !== "waiting") {
          s.rxPending = true;
          s.notices++;
          this.wake();
        }
        return;
      case "closed":
        if (s && s.state === "online" && this.state === "ONLINE") {
          s.remoteClosed = true;
          this.wake();
        }
        return;
      case "bearer-lost":
        if (RANK[this.state] > RANK.BEARER_UP) this.raise(new ModemError(`modem: bearer lost (${line})`, "BEARER_UP", true));
        else this.bearerLost = true;
        return;
      case "reboot":
        if (RANK[this.state] > RANK.SYNC) this.raise(new ModemError(`modem: the modem restarted (${line})`, "SYNC", true));
        return;
      case "info":
        return;
    }
  }

  /** Socket data the modem pushed (push mode, passthrough). */
  private onPushed(bytes: Buffer): void {
    const s = this.socks[0];
    const t = this.dialect.transparent;
    if (t && this.engine.tokenizer.inPassthrough) {
      // The passthrough stream ends with a marker when the server closes (NO CARRIER) or when
      // the modem takes our escape (OK): strip it, and go back to command mode at once.
      const closed = this.marker(bytes, t.closedMarker);
      const escaped = this.escapeWaiter ? this.marker(bytes, t.escapeReply) : -1;
      const end = closed >= 0 ? closed : escaped;
      if (end >= 0) {
        this.deliver(s, bytes.subarray(0, end));
        this.engine.passthrough(false);
        if (closed >= 0 && s) s.remoteClosed = true;
        if (escaped >= 0) this.escapeWaiter?.();
        this.wake();
        return;
      }
      this.streamTail = Buffer.from(Buffer.concat([this.streamTail, bytes]).subarray(-16));
    }
    this.deliver(s, bytes);
  }

  /** Where `marker` starts in `bytes` when the stream ends with it (it may have begun in the previous chunk), else -1. */
  private marker(bytes: Buffer, marker: string | undefined): number {
    if (!marker) return -1;
    const seen = Buffer.concat([this.streamTail, bytes]);
    if (seen.length < marker.length || seen.toString("latin1", seen.length - marker.length) !== marker) return -1;
    return Math.max(0, bytes.length - marker.length);
  }

  private deliver(s: ModemSocketHandle | undefined, bytes: Buffer): void {
    if (!s || s.state === "done" || bytes.length === 0) return;
    this.counts.payloadReceived += bytes.length;
    s.sink.data(Buffer.from(bytes));
  }

  private onGarbage(line: string): void {
    this.unexpected.push(line);
    if (RANK[this.state] <= RANK.SYNC) return; // noise while syncing is what sync is for
    const shown = JSON.stringify(line.length > 24 ? `${line.slice(0, 24)}...` : line);
    this.raise(new ModemError(`modem: unreadable reply from the modem ${shown}; resynchronising`, "SYNC", true));
  }
}
