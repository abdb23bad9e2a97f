// Binds one firmware instance to a byte transport (any Duplex: a TCP socket, a TLS socket, an
// in-process stream pair) and to the clock, following the host loop written down in
// firmware/index.ts: feed received bytes, poll events, drain TX, sleep until the next deadline.
// It reconnects when the firmware says so (ReconnectDue) and ends the transport when the
// firmware says the connection is over. It copies bytes only at the transport boundary.
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import { EventType } from "./abi.ts";
import type { Firmware } from "./firmware.ts";
import { readEvent, type FirmwareEvent } from "./events.ts";

/** Events after which the firmware expects the transport to be closed. */
const CONNECTION_OVER = new Set([EventType.ProtocolViolation, EventType.Timeout, EventType.ServerDisconnect, EventType.ConnectRefused]);

export interface LinkOptions {
  /** Opens a new transport (called at start and on every ReconnectDue). */
  open: () => Duplex;
  /** Milliseconds as u32 (wraps); defaults to a monotonic clock. */
  now?: () => number;
  /** Every firmware event, as a plain object (copied out of the event record). */
  onEvent?: (ev: FirmwareEvent) => void;
  /** Bytes written to the transport (for byte accounting). */
  onTransmit?: (bytes: Buffer) => void;
  /** Bytes received from the transport (for byte accounting). */
  onReceive?: (bytes: Buffer) => void;
  /** The transport failed (refused, unreachable, TLS handshake, ...). */
  onTransportError?: (err: Error) => void;
  /** A transport closed (before or after MQTT was connected). */
  onTransportClosed?: () => void;
}

const monotonic = () => Math.floor(performance.now()) >>> 0;

export class Link {
  private transport: Duplex | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private ended = false;
  private readonly now: () => number;

  constructor(readonly fw: Firmware, private readonly o: LinkOptions) {
    this.now = o.now ?? monotonic;
  }

  start(): void {
    this.connect();
  }

  /** Runs one pass of the host loop: events until none, TX until empty, then re-arms the timer. */
  service(): void {
    const fw = this.fw;
    for (let guard = 0; guard < 1_000_000; guard++) {
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

  /** Ends the session: DISCONNECT (when connected), then the transport closes and stays closed. */
  end(reason = 0): void {
    this.ended = true;
    this.flush(); // make room in TX for the DISCONNECT
    this.fw.exports.disconnect(reason);
    this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.transport?.end();
  }

  /** True while a transport is open (or opening). */
  get open(): boolean {
    return this.transport !== undefined;
  }

  /** Drops the transport without DISCONNECT (tests of abnormal loss; the firmware reconnects). */
  drop(): void {
    this.transport?.destroy();
  }

  private connect(): void {
    if (this.ended) return;
    const t = this.o.open();
    this.transport = t;
    let opened = false;
    const onOpen = () => {
      if (opened || t !== this.transport) return;
      opened = true;
      this.fw.exports.transportOpened(this.now());
      this.service();
    };
    // TLS sockets announce "secureConnect", TCP sockets "connect"; other streams are usable at once.
    if (t instanceof TLSSocket) t.once("secureConnect", onOpen);
    else if ((t as { connecting?: boolean }).connecting) t.once("connect", onOpen);
    else queueMicrotask(onOpen);
    t.on("data", (chunk: Buffer) => {
      if (t !== this.transport) return;
      this.o.onReceive?.(chunk);
      this.received(chunk);
    });
    t.on("error", (e: Error) => {
      if (t === this.transport) this.o.onTransportError?.(e);
      t.destroy();
    });
    t.on("close", () => {
      if (t !== this.transport) return;
      this.transport = undefined;
      this.fw.exports.transportClosed(this.now());
      this.o.onTransportClosed?.();
      this.service();
    });
  }

  private received(chunk: Buffer): void {
    for (let off = 0; off < chunk.length; ) {
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
      this.transport?.end();
    }
    this.o.onEvent?.(ev);
  }

  private flush(): void {
    const out = this.fw.transmit(this.now());
    if (out.length > 0) this.write(out);
  }

  private write(bytes: Buffer): void {
    this.o.onTransmit?.(bytes);
    if (this.transport && !this.transport.destroyed) this.transport.write(bytes);
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
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    const due = now + d;
    if (this.timer !== undefined && this.timerDue <= due) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fw.exports.handleTimeout(this.now());
      this.service();
    }, d);
  }
}
