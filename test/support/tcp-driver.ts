// Drives one firmware instance over a real TCP socket on real time, following the host loop
// written down in firmware/index.ts: received bytes are fed until all are taken; events are
// polled one by one; TX is drained and written; pollDelayMs/handleTimeout run the timers.
// When the firmware reports that the connection is over (ProtocolViolation, Timeout,
// ServerDisconnect, ConnectRefused), what is left in TX is written and the socket is ended.
import net from "node:net";
import { Firmware } from "../../host/firmware.ts";
import { configure, type ConnectOptions } from "../../host/commands.ts";
import { readEvent, type FirmwareEvent } from "../../host/events.ts";
import { EventType, Option } from "../../host/abi.ts";

const CONNECTION_OVER = new Set([EventType.ProtocolViolation, EventType.Timeout, EventType.ServerDisconnect, EventType.ConnectRefused]);

export interface DriverOptions {
  port: number;
  connect: ConnectOptions;
  profile?: string;
  /** Runs once, right after the Connected event is polled; its return value is recorded. */
  onConnected?: (fw: Firmware) => number;
  /** Hard bound on the connection's life: the socket is destroyed after it. */
  lifetimeMs: number;
}

export interface DriverRecord {
  events: FirmwareEvent[];
  /** "client": we ended it after a connection-over event; "peer": the broker closed; "lifetime": the bound hit. */
  closedBy: "client" | "peer" | "lifetime" | "error";
  onConnectedResult?: number;
  socketErrors: string[];
}

export class TcpDriver {
  readonly fw: Firmware;
  readonly done: Promise<DriverRecord>;
  private readonly socket: net.Socket;
  private readonly t0 = performance.now();
  private readonly record: DriverRecord = { events: [], closedBy: "peer", socketErrors: [] };
  private ending = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly lifetime: NodeJS.Timeout;
  private commandRun = false;

  constructor(private readonly o: DriverOptions) {
    this.fw = new Firmware(o.profile ?? "default");
    const rcOption = this.fw.exports.setOption(Option.AutoReconnect, 0);
    if (rcOption !== 0) throw new Error(`setOption(AutoReconnect) failed: status ${-rcOption}`);
    const rc = configure(this.fw, o.connect);
    if (rc !== 0) throw new Error(`configure failed: status ${-rc}`);
    this.socket = net.connect({ host: "127.0.0.1", port: o.port });
    this.socket.setNoDelay(true);
    this.done = new Promise((resolve) => this.socket.on("close", () => resolve(this.closed())));
    this.socket.on("connect", () => this.opened());
    this.socket.on("data", (chunk: Buffer) => this.received(chunk));
    this.socket.on("error", (e) => { this.record.socketErrors.push(e.message); });
    this.lifetime = setTimeout(() => this.stop("lifetime"), o.lifetimeMs);
  }

  private now(): number {
    return Math.floor(performance.now() - this.t0) >>> 0;
  }

  /** Ends the connection from the host side (test teardown). */
  stop(why: DriverRecord["closedBy"] = "lifetime"): void {
    if (!this.socket.destroyed) {
      if (!this.ending) this.record.closedBy = why;
      this.ending = true;
      this.socket.destroy();
    }
  }

  private opened(): void {
    const rc = this.fw.exports.transportOpened(this.now());
    if (rc !== 0) {
      this.record.socketErrors.push(`transportOpened failed: status ${-rc}`);
      this.stop("error");
      return;
    }
    this.service();
  }

  private received(chunk: Buffer): void {
    let off = 0;
    for (let guard = 0; guard < 100_000 && off < chunk.length && !this.ending; guard++) {
      off += this.fw.feed(chunk, off);
      this.service();
    }
  }

  /** Polls events and drains TX until both are empty; then arms the timer. */
  private service(): void {
    const now = this.now();
    for (let guard = 0; guard < 10_000; guard++) {
      const type = this.fw.exports.pollEvent(now) as EventType;
      if (type !== EventType.None) this.onEvent(readEvent(this.fw, type));
      const tx = this.fw.transmit(now);
      if (tx.length > 0 && !this.socket.destroyed) this.socket.write(tx);
      if (type === EventType.None && tx.length === 0) break;
    }
    if (this.ending) {
      clearTimeout(this.timer);
      if (!this.socket.destroyed) this.socket.end();
      return;
    }
    this.arm();
  }

  private onEvent(ev: FirmwareEvent): void {
    this.record.events.push(ev);
    if (ev.type === EventType.Connected && this.o.onConnected && !this.commandRun) {
      this.commandRun = true;
      this.record.onConnectedResult = this.o.onConnected(this.fw);
    }
    if (CONNECTION_OVER.has(ev.type) && !this.ending) {
      this.ending = true;
      this.record.closedBy = "client";
    }
  }

  private arm(): void {
    clearTimeout(this.timer);
    const d = this.fw.exports.pollDelayMs(this.now());
    if (d < 0) return;
    this.timer = setTimeout(() => {
      this.fw.exports.handleTimeout(this.now());
      this.service();
    }, d);
  }

  private closed(): DriverRecord {
    clearTimeout(this.timer);
    clearTimeout(this.lifetime);
    const now = this.now();
    this.fw.exports.transportClosed(now);
    for (let guard = 0; guard < 1000; guard++) {
      const type = this.fw.exports.pollEvent(now) as EventType;
      if (type === EventType.None) break;
      this.record.events.push(readEvent(this.fw, type));
    }
    return this.record;
  }
}
