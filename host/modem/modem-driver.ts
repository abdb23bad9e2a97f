// The modem driver: one serial line, one AT engine, one dialect, one TCP socket at a time.
// The state machine is data and pure functions in driver/states.ts (read it first); this file is
// the loop that runs it: it asks nextWork() what to do, runs that work (driver/steps.ts) while
// awaiting the engine and timers, and applies the result: the next state on success, recover()
// on a Fault. URCs and line events never act themselves: they set a flag or raise a fault
// (a value) and wake the loop, so one command is in flight and every decision has one place.
import { AtEngine } from "./at-engine.ts";
import { checkParams, type Dialect, type UrcKind } from "./dialect.ts";
import { LineCounters, type ModemStats } from "./driver/byte-counts.ts";
import { PassthroughEnd } from "./driver/passthrough.ts";
import { stillPending } from "./driver/replies.ts";
import { ModemSocketHandle, type SocketSink } from "./driver/socket-handle.ts";
import {
  fault, garbageFault, nextWork, recover, STATE_AFTER, STATE_DURING, URC_EFFECTS,
  type DriverState, type DriverView, type Fault, type Work,
} from "./driver/states.ts";
import * as steps from "./driver/steps.ts";
import { sleep } from "./driver/steps.ts";
import { DEFAULT_TIMING, type ModemDriverOptions, type Timing } from "./driver/options.ts";
import type { LineEvent, SerialDevice, SerialLink } from "./serial/serial-link.ts";
import { serialPortDevice } from "./serial/serial-port-device.ts";

// What users of the driver import from here.
export type { DriverState } from "./driver/states.ts";
export type { ByteCounts, ModemStats } from "./driver/byte-counts.ts";
export { ModemSocketHandle, type SocketSink } from "./driver/socket-handle.ts";
export { DEFAULT_TIMING, type ModemDriverOptions, type Timing } from "./driver/options.ts";

/** Lines nobody waited for that are kept for diagnostics. */
const UNEXPECTED_KEPT = 20;

export class ModemDriver {
  state: DriverState = "PORT_CLOSED";
  readonly dialect: Dialect;
  readonly timing: Timing;
  /** Lines nobody waited for (the last few), for diagnostics. */
  readonly unexpected: string[] = [];
  /** Every state change, for tests and logs. */
  onState: ((s: DriverState) => void) | undefined;
  /** Every byte on the serial line as it is written ("tx") or read ("rx"): an AT trace. */
  onTrace: ((dir: "tx" | "rx", bytes: Buffer) => void) | undefined;
  private readonly engine: AtEngine;
  private readonly device: SerialDevice;
  private readonly ctx: steps.StepContext;
  private link: SerialLink | undefined;
  private readonly socks: ModemSocketHandle[] = [];
  private busy = false;
  private again = false;
  /** A fault from outside the loop (URC, line event), waiting for the loop to act on it. */
  private raised: Fault | undefined;
  private bearerLost = false;
  private probeDue = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private preferRead = false;
  private lastWrite = 0;
  private readonly passthroughEnd: PassthroughEnd;
  private readonly counts = new LineCounters();

  constructor(readonly o: ModemDriverOptions) {
    this.dialect = o.dialect;
    this.timing = { ...DEFAULT_TIMING, ...o.timing };
    if (o.transparent && !o.dialect.transparent) throw new Error(`modem: the ${o.dialect.name} dialect has no transparent mode`);
    checkParams(o.params ?? {});
    this.device = o.device ?? serialPortDevice(o.path, o.baudRate);
    const msPerByte = 10_000 / o.baudRate;
    this.passthroughEnd = new PassthroughEnd(o.dialect.transparent?.closedMarker, o.dialect.transparent?.escapeReply);
    this.engine = new AtEngine(o.dialect, {
      write: (b) => this.write(b),
      urc: (kind, line) => this.onUrc(kind, line),
      data: (b) => this.onPushed(b),
      garbage: (line) => this.onGarbage(line),
      unexpected: (line) => this.remember(line),
    }, msPerByte);
    this.ctx = {
      engine: this.engine, dialect: this.dialect, timing: this.timing, params: o.params ?? {}, transparent: o.transparent === true,
      path: this.device.path, baudRate: o.baudRate, msPerByte, passthroughEnd: this.passthroughEnd, modemSocket: false,
      state: () => this.state,
      raised: () => this.raised !== undefined,
      lastWrite: () => this.lastWrite,
      drain: () => new Promise((resolve) => (this.link ? this.link.drain(resolve) : resolve())),
    };
  }

  /** Opens a socket to host:port; events go to `sink`. Waits behind a socket that is still closing. */
  openSocket(host: string, port: number, sink: SocketSink): ModemSocketHandle {
    checkParams({ host, port });
    const s = new ModemSocketHandle(() => this.wake(), sink, host, port);
    this.socks.push(s);
    this.wake();
    return s;
  }

  /** Serial bytes each way, AT framing included. */
  wireBytes(): { sent: number; received: number } {
    return { sent: this.counts.serialSent, received: this.counts.serialReceived };
  }

  stats(): ModemStats {
    return this.counts.stats(this.o.baudRate);
  }

  /** Closes every socket (politely, within `graceMs`), then the serial line. */
  async close(graceMs = 3000): Promise<void> {
    for (const s of this.socks) s.abort();
    const deadline = Date.now() + graceMs;
    while ((this.busy || this.socks.length > 0) && Date.now() < deadline) await sleep(20);
    this.raise(fault("modem: the transport was closed", "PORT_CLOSED"));
    while (this.busy && Date.now() < deadline + 1000) await sleep(20);
    this.closeLink();
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
        const pending = this.takeRaised();
        if (pending) {
          this.recover(pending);
          continue;
        }
        const work = nextWork(this.view());
        if (work.do === "idle") {
          if (this.again) continue;
          break;
        }
        await this.step(work);
      }
    } finally {
      // In the same turn as the last look at `again`: a wake() in between would be lost. Only a
      // programmer error gets here by an exception, and the loop must still start again.
      this.busy = false;
      this.armProbe();
    }
  }

  /** Runs one piece of work in its state and applies the outcome: the next state, or recover(). */
  private async step(work: Work): Promise<void> {
    const during = STATE_DURING[work.do];
    if (during) this.setState(during);
    const failed = await this.perform(work);
    // A fault raised meanwhile says what really happened (the command was only aborted by it).
    const f = this.takeRaised() ?? failed;
    if (f) this.recover(f);
    else if (STATE_AFTER[work.do]) this.setState(STATE_AFTER[work.do]!);
  }

  private view(): DriverView {
    const s = this.socks[0];
    const passthrough = this.engine.tokenizer.inPassthrough;
    const readRoom = s && !passthrough ? Math.min(s.sink.space(), this.o.readMax ?? Infinity, this.dialect.read.maxBytes) : 0;
    return {
      state: this.state, socket: s, bearerLost: this.bearerLost, modemSocket: this.ctx.modemSocket,
      passthrough, preferRead: this.preferRead, probeDue: this.probeDue, readRoom,
    };
  }

  /** Runs one piece of work; a Fault when it failed. */
  private async perform(work: Work): Promise<Fault | undefined> {
    const ctx = this.ctx;
    const s = this.socks[0]!;
    switch (work.do) {
      case "idle": return undefined;
      case "drop-waiting": return this.finish(s, undefined);
      case "open-port": return this.openLink();
      case "sync": return steps.sync(ctx);
      case "configure": {
        const c = this.dialect.configure;
        return steps.runSteps(ctx, ctx.transparent ? c.transparent ?? c.pull : c.pull);
      }
      case "bring-bearer-up": {
        const reset = work.reset ? await steps.runSteps(ctx, this.dialect.bearerReset) : undefined;
        if (reset) return reset;
        this.bearerLost = false;
        return steps.runSteps(ctx, this.dialect.bearerUp);
      }
      case "close-stale": return steps.closeModemSocket(ctx);
      case "open-socket": {
        s.phase = "opening";
        s.rxPending = false;
        const f = await steps.openSocket(ctx, s.host, s.port);
        if (f) return f;
        this.setState("ONLINE");
        s.phase = "online";
        if (!s.aborted) s.sink.opened(); // else the next work closes it at once
        return undefined;
      }
      case "close-socket": {
        if (this.engine.tokenizer.inPassthrough) await steps.escape(ctx);
        const f = !work.byServer || this.dialect.closeAfterRemoteClose ? await steps.closeModemSocket(ctx) : undefined;
        if (f) return f;
        ctx.modemSocket = false;
        this.setState("READY");
        return this.finish(s, work.byServer ? "modem: socket closed by the server" : undefined);
      }
      case "read": return this.read(s, work.bytes);
      case "send": return this.send(s);
      case "send-transparent": {
        this.preferRead = true;
        const items = s.txq.splice(0);
        const chunks = items.map((item) => item.buf.subarray(item.off));
        for (const c of chunks) this.counts.payloadSent += c.length;
        await steps.sendTransparent(ctx, chunks);
        for (const item of items) item.cb();
        return undefined;
      }
      case "probe":
        this.probeDue = false;
        return steps.probe(ctx);
    }
  }

  private async read(s: ModemSocketHandle, want: number): Promise<Fault | undefined> {
    this.preferRead = false;
    const seen = s.notices;
    const out = await steps.read(this.ctx, want);
    if (out.then === "fail") return out.fault;
    if (!stillPending(want, out.bytes, s.notices !== seen)) s.rxPending = false;
    for (const b of out.data) {
      this.counts.payloadReceived += b.length;
      if (s.phase !== "done") s.sink.data(b);
    }
    return undefined;
  }

  private async send(s: ModemSocketHandle): Promise<Fault | undefined> {
    this.preferRead = true;
    const item = s.txq[0]!;
    const n = Math.min(item.buf.length - item.off, this.dialect.send.maxBytes);
    const out = await steps.send(this.ctx, item.buf.subarray(item.off, item.off + n), () => s.aborted);
    if (!("sent" in out)) return out;
    this.counts.payloadSent += out.sent;
    item.off += out.sent;
    if (item.off === item.buf.length) {
      s.txq.shift();
      item.cb();
    }
    return undefined;
  }

  /** Applies recover(): the state, the flags, the line, and the socket being served. */
  private recover(f: Fault): void {
    const s = this.socks[0];
    const r = recover(this.state, f, s);
    if (r.bearerLost) this.bearerLost = true;
    if (r.closePort) this.closeLink();
    this.setState(r.state);
    if (this.engine.tokenizer.inPassthrough) this.engine.passthrough(false);
    if (!s) return;
    if (r.socket === "retry") s.retries++;
    else this.finish(s, r.message);
  }

  private takeRaised(): Fault | undefined {
    const f = this.raised;
    this.raised = undefined;
    return f;
  }

  /** A fault from outside the loop (URC, line event): settle the command in flight and wake the loop. */
  private raise(f: Fault): void {
    this.raised = f;
    this.engine.abortAll();
    this.wake();
  }

  private setState(s: DriverState): void {
    if (this.state === s) return;
    this.state = s;
    this.onState?.(s);
  }

  private finish(s: ModemSocketHandle, message: string | undefined): undefined {
    const i = this.socks.indexOf(s);
    if (i >= 0) this.socks.splice(i, 1);
    s.finish(message);
    return undefined;
  }

  private remember(line: string): void {
    this.unexpected.push(line);
    if (this.unexpected.length > UNEXPECTED_KEPT) this.unexpected.shift();
  }

  // ---- the line ----

  private async openLink(): Promise<Fault | undefined> {
    const path = this.device.path;
    const opened = await this.device.open((e) => this.onLine(e));
    if ("failure" in opened) return fault(`modem: cannot open serial port ${path}: ${opened.failure}`, "PORT_CLOSED");
    this.link = opened;
    this.engine.reset();
    return undefined;
  }

  private onLine(e: LineEvent): void {
    const path = this.device.path;
    switch (e.kind) {
      case "data":
        this.counts.serialReceived += e.bytes.length;
        this.onTrace?.("rx", e.bytes);
        return this.engine.feed(e.bytes);
      case "error": return this.raise(fault(`modem: serial port ${path} failed: ${e.reason}`, "PORT_CLOSED"));
      case "closed": return this.raise(fault(`modem: serial port ${path} closed${e.unplugged ? " (unplugged?)" : ""}`, "PORT_CLOSED"));
    }
  }

  private closeLink(): void {
    const link = this.link;
    this.link = undefined;
    link?.close();
  }

  private write(bytes: Buffer): void {
    const link = this.link;
    if (!link) return;
    this.counts.serialSent += bytes.length;
    this.lastWrite = performance.now();
    this.onTrace?.("tx", bytes);
    link.write(bytes, (failure) => {
      if (failure !== undefined && link === this.link) this.raise(fault(`modem: write to ${this.device.path} failed: ${failure} (unplugged?)`, "PORT_CLOSED"));
    });
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
    const effect = URC_EFFECTS[kind](this.state, s?.phase, line);
    switch (effect.then) {
      case "nothing": return;
      case "data-waiting":
        s!.rxPending = true;
        s!.notices++;
        return this.wake();
      case "remote-closed":
        s!.remoteClosed = true;
        return this.wake();
      case "bearer-down":
        this.bearerLost = true;
        return;
      case "fault": return this.raise(effect.fault);
    }
  }

  /** Socket data the modem pushed (push mode, passthrough). */
  private onPushed(bytes: Buffer): void {
    const s = this.socks[0];
    const { data, end } = this.engine.tokenizer.inPassthrough ? this.passthroughEnd.take(bytes) : { data: bytes, end: undefined };
    if (s && s.phase !== "done" && data.length > 0) {
      this.counts.payloadReceived += data.length;
      s.sink.data(Buffer.from(data));
    }
    if (end === undefined) return;
    // The stream is over: back to command mode at once, so the next bytes are read as replies.
    this.engine.passthrough(false);
    if (end === "closed" && s) s.remoteClosed = true;
    this.wake();
  }

  private onGarbage(line: string): void {
    this.remember(line);
    const f = garbageFault(this.state, line);
    if (f) this.raise(f);
  }
}
