// The host loop, once: binds one firmware instance to a connection and a clock, following the
// loop written down in firmware/index.ts: feed received bytes, poll events, drain TX, sleep until
// the next deadline. It reconnects when the firmware says so (ReconnectDue) and closes the
// connection when the firmware says it is over. Time comes from an injected Clock, so the same
// loop runs on real timers (a socket, a serial line) and on virtual time (tests, simulations).
//
// Every wait is bounded: once a connection is over (our DISCONNECT, a CONNACK or PINGRESP
// timeout, a server DISCONNECT, a protocol violation, a refusal) what TX holds is flushed, the
// connection is half-closed, and it is destroyed CLOSE_GRACE_MS later whatever the peer does.
import { EventType, SessionState } from "./abi.ts";
import { realClock, type Clock, type TimerHandle } from "./clock.ts";
import type { Firmware } from "./firmware.ts";
import { MoteError } from "./errors.ts";
import { readEvent, type FirmwareEvent } from "./events.ts";

/** Events after which the firmware expects the connection to be closed. */
const CONNECTION_OVER = new Set([EventType.ProtocolViolation, EventType.Timeout, EventType.ServerDisconnect, EventType.ConnectRefused]);

/**
 * How long a half-closed connection may wait for the peer's close before it is destroyed: long
 * enough for a DISCONNECT to leave over any link the host drives, short enough that nobody waits
 * on a peer that keeps its side open.
 */
export const CLOSE_GRACE_MS = 500;

/** How long a connection may take to open (TCP handshake, TLS handshake) before it is given up: an unreachable host must not hang. */
export const OPEN_TIMEOUT_MS = 10_000;

/** Passes of one service() call before it yields: a bound, not a budget (one pass = one event or one TX drain). */
const SERVICE_PASSES_MAX = 1_000_000;

/**
 * One connection as the loop sees it. A net.Socket, a TLS socket, a WebSocket stream, a serial
 * line and an in-process pipe all fit; so does a test's scripted peer.
 */
export interface Connection {
  write(bytes: Buffer): unknown;
  /** Half-close after what was written. */
  end(): unknown;
  /** Close now. */
  destroy(): unknown;
  readonly destroyed?: boolean;
  /** True while opening: the loop waits for "connect" ("secureConnect" when `encrypted`). */
  readonly connecting?: boolean;
  readonly encrypted?: boolean;
  on(event: "data", fn: (bytes: Buffer) => void): unknown;
  on(event: "error", fn: (e: Error) => void): unknown;
  on(event: "close", fn: () => void): unknown;
  once(event: "connect" | "secureConnect", fn: () => void): unknown;
}

export interface ClosedInfo {
  /** The connection carried our CONNECT and closed before any answer (no CONNACK, no timeout). */
  beforeConnack: boolean;
}

export interface LinkOptions {
  /** Opens a new connection (called at start and on every ReconnectDue). */
  open: () => Connection;
  /**
   * Runs before every connection opens (fresh credentials): the open waits for it, at most
   * openTimeoutMs. A rejection is reported as a transport error and counts as a failed open:
   * the firmware schedules its next attempt.
   */
  prepare?: () => Promise<void>;
  /** Time and timers (default: real time). */
  clock?: Clock;
  /** Bound on opening a connection (default OPEN_TIMEOUT_MS); past it, an ETIMEDOUT error and a close. */
  openTimeoutMs?: number;
  /** Every firmware event, as a plain object (copied out of the event record). */
  onEvent?: (ev: FirmwareEvent) => void;
  /** Bytes written to the connection (for byte accounting). */
  onTransmit?: (bytes: Buffer) => void;
  /** Bytes received from the connection (for byte accounting). */
  onReceive?: (bytes: Buffer) => void;
  /** The connection failed (refused, unreachable, TLS handshake, ...). */
  onTransportError?: (err: Error) => void;
  /** A connection closed (before or after MQTT was connected). */
  onTransportClosed?: (info: ClosedInfo) => void;
}

/**
 * A clock that arms a timer it gave out again (sim/fleet-clock.ts, the one scheduler of a fleet's
 * sensors): the loop's deadline then allocates nothing per arming. Other clocks get a new timer.
 */
interface RearmingClock extends Clock {
  rearm(handle: TimerHandle | undefined, fn: () => void, ms: number): TimerHandle;
}

export class Link {
  private conn: Connection | undefined;
  /** The current connection is over for us: half-closed, waiting out the grace. */
  private closing = false;
  private grace: TimerHandle | undefined;
  /** Bounds the opening of the current connection. */
  private openTimer: TimerHandle | undefined;
  private timer: TimerHandle | undefined;
  private timerDue = 0;
  /** The deadline's last handle, kept after it fired or was cleared for a RearmingClock to arm again. */
  private spare: TimerHandle | undefined;
  private ended = false;
  /** Connection attempts begun (a preparation that settles after a newer one began is ignored). */
  private attempts = 0;
  private readonly clock: Clock;

  constructor(readonly fw: Firmware, private readonly o: LinkOptions) {
    this.clock = o.clock ?? realClock;
  }

  start(): void {
    this.connect();
  }

  /** Runs one pass of the host loop: events until none, TX until empty, then re-arms the timer. */
  service(): void {
    const fw = this.fw;
    for (let pass = 0; pass < SERVICE_PASSES_MAX; pass++) {
      const t = fw.exports.pollEvent(this.now()) as EventType;
      if (t !== EventType.None) {
        this.event(t);
        continue;
      }
      const out = fw.transmit(this.now());
      if (out.length === 0) break;
      this.write(out);
    }
    this.arm();
  }

  /** Ends the session: DISCONNECT (when connected), then the connection closes and stays closed. */
  end(reason = 0): void {
    this.ended = true;
    this.flush(); // make room in TX for the DISCONNECT
    this.fw.exports.disconnect(reason);
    this.flush();
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.closeConnection();
  }

  /** True while a connection is open, opening or closing (not while it is being prepared: end() then just stops). */
  get open(): boolean {
    return this.conn !== undefined;
  }

  /** Drops the connection without DISCONNECT, as a broken link would (the firmware reconnects). */
  drop(): void {
    const c = this.conn;
    if (!c) return;
    c.destroy();
    // A socket says "close" right after destroy(); a stream that never does is closed here.
    this.clock.setTimer(() => this.closed(c, false), 0);
  }

  private now(): number {
    return this.clock.now() >>> 0;
  }

  private connect(): void {
    if (this.ended) return;
    if (!this.o.prepare) return this.openConnection();
    const attempt = ++this.attempts;
    const openMs = this.o.openTimeoutMs ?? OPEN_TIMEOUT_MS;
    let timer: TimerHandle | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = this.clock.setTimer(() => reject(new MoteError(`credentials: not ready within ${openMs} ms`, "credentials")), openMs);
    });
    Promise.race([this.o.prepare(), bound]).then(
      () => this.prepared(attempt, timer),
      (e: Error) => {
        if (!this.prepared(attempt, timer, false)) return;
        this.o.onTransportError?.(e);
        // A failed preparation is a failed open: the firmware schedules the next attempt.
        this.fw.exports.transportClosed(this.now());
        this.o.onTransportClosed?.({ beforeConnack: false });
        this.service();
      });
  }

  /** The preparation of `attempt` settled: opens the connection (or, with open false, says whether it still counts). */
  private prepared(attempt: number, timer: TimerHandle | undefined, open = true): boolean {
    this.clock.clearTimer(timer);
    if (attempt !== this.attempts || this.ended) return false;
    if (open) this.openConnection();
    return true;
  }

  private openConnection(): void {
    const c = this.o.open();
    this.conn = c;
    this.closing = false;
    let opened = false;
    const onOpen = () => {
      if (opened || c !== this.conn || this.closing) return;
      opened = true;
      this.clock.clearTimer(this.openTimer);
      this.fw.exports.transportOpened(this.now());
      this.service();
    };
    // TLS announces "secureConnect" after its handshake ("connect" comes before it); TCP
    // announces "connect"; other streams are usable at once.
    if (c.encrypted) c.once("secureConnect", onOpen);
    else if (c.connecting) c.once("connect", onOpen);
    else this.clock.setTimer(onOpen, 0);
    const openMs = this.o.openTimeoutMs ?? OPEN_TIMEOUT_MS;
    this.openTimer = this.clock.setTimer(() => {
      if (opened || c !== this.conn) return;
      this.o.onTransportError?.(Object.assign(new Error(`no connection within ${openMs} ms`), { code: "ETIMEDOUT" }));
      this.closed(c, true);
    }, openMs);
    c.on("data", (chunk: Buffer) => {
      if (c !== this.conn || this.closing) return; // nothing a peer says after the end counts
      this.o.onReceive?.(chunk);
      this.received(chunk);
    });
    c.on("error", (e: Error) => {
      if (c === this.conn && !this.closing) this.o.onTransportError?.(e);
      c.destroy();
    });
    c.on("close", () => this.closed(c, false));
  }

  /** Half-closes the current connection and destroys it after the grace, whatever the peer does. */
  private closeConnection(): void {
    const c = this.conn;
    if (!c || this.closing) return;
    this.closing = true;
    c.end();
    this.grace = this.clock.setTimer(() => this.closed(c, true), CLOSE_GRACE_MS);
  }

  /** The connection is gone (the peer closed it, it failed, or the grace ran out): tell the firmware. */
  private closed(c: Connection, destroy: boolean): void {
    if (c !== this.conn) return;
    if (destroy && !c.destroyed) c.destroy();
    this.clock.clearTimer(this.grace);
    this.clock.clearTimer(this.openTimer);
    this.grace = undefined;
    this.conn = undefined;
    this.closing = false;
    const beforeConnack = this.fw.exports.sessionState() === SessionState.Connecting;
    this.fw.exports.transportClosed(this.now());
    this.o.onTransportClosed?.({ beforeConnack });
    this.service();
  }

  private received(chunk: Buffer): void {
    for (let off = 0; off < chunk.length && !this.closing; ) {
      const n = this.fw.feed(chunk, off);
      off += n;
      this.service();
      if (n === 0 && this.fw.exports.rxReserve() === 0) break; // the firmware rejected the stream and reported it
    }
  }

  private event(t: EventType): void {
    const ev = readEvent(this.fw, t);
    if (t === EventType.ReconnectDue) this.connect();
    if (CONNECTION_OVER.has(t)) {
      this.flush();
      this.closeConnection();
    }
    this.o.onEvent?.(ev);
  }

  private flush(): void {
    const out = this.fw.transmit(this.now());
    if (out.length > 0) this.write(out);
  }

  private write(bytes: Buffer): void {
    const c = this.conn;
    if (!c || c.destroyed || this.closing) return;
    this.o.onTransmit?.(bytes);
    c.write(bytes);
  }

  /**
   * Sleeps until the firmware's next deadline. A timer already due no later is kept: re-arming
   * on every pass costs more than the pass (a timer that fires early finds nothing due, and the
   * pass after it arms the real deadline).
   */
  private arm(): void {
    const now = this.now();
    const d = this.fw.exports.pollDelayMs(now);
    if (d < 0 || this.ended) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
      return;
    }
    const due = now + d;
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.clock.clearTimer(this.timer);
    this.timerDue = due;
    const c = this.clock as Partial<RearmingClock>;
    this.timer = c.rearm ? (this.spare = c.rearm(this.spare, this.deadline, d)) : this.clock.setTimer(this.deadline, d);
  }

  /** The firmware's deadline came (one function per link: arming it allocates no closure). */
  private readonly deadline = (): void => {
    this.timer = undefined;
    this.fw.exports.handleTimeout(this.now());
    this.service();
  };
}
