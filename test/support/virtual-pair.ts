// A connection pair on virtual time, in the manner of quinn-proto's simulated pair: the client
// end is what host/link.ts drives (a Connection), the broker end is a test's peer. Bytes cross
// after a fixed latency on the VirtualClock, so a run repeats exactly. Each end can be cut in
// the ways networks and brokers fail: closed, half-closed, or silently dead in one direction.
import { EventEmitter } from "node:events";
import type { Connection } from "../../host/link.ts";
import type { VirtualClock } from "../../host/virtual-clock.ts";

/** One-way delay of every byte (virtual ms). */
export const PAIR_LATENCY_MS = 1;

/** What happened to one connection, in virtual ms (undefined: never). */
export interface ConnectionLog {
  index: number;
  openedAt: number;
  /** The client half-closed (end()). */
  clientEndAt?: number;
  /** The client destroyed its end. */
  clientDestroyAt?: number;
  /** The broker closed its end. */
  brokerCloseAt?: number;
}

/** The broker's end: bytes from the client arrive at onData; write/close act on the client. */
export interface BrokerEnd {
  readonly log: ConnectionLog;
  onData?: (bytes: Buffer) => void;
  /** The client half-closed (its FIN arrived). */
  onClientEnd?: () => void;
  write(bytes: Buffer): void;
  /** Closes the connection from the broker's side (the client sees "close"). */
  close(): void;
  /** True once either side closed it. */
  readonly closed: boolean;
}

/** The client's end of one connection. */
export class VirtualConnection extends EventEmitter implements Connection {
  connecting = true;
  destroyed = false;
  readonly broker: BrokerEnd;
  /** Bytes the network drops from now on, per direction (a path gone dead without a close). */
  blackholeUp = false;
  blackholeDown = false;

  constructor(private readonly clock: VirtualClock, index: number, refuse: boolean) {
    super();
    const log: ConnectionLog = { index, openedAt: clock.now() };
    const self = this;
    this.broker = {
      log,
      write: (bytes) => this.toClient(Buffer.from(bytes)),
      close: () => {
        if (self.destroyed) return;
        log.brokerCloseAt ??= clock.now();
        this.after(() => this.gone());
      },
      get closed() {
        return self.destroyed || log.brokerCloseAt !== undefined;
      },
    };
    this.after(() => {
      if (refuse) {
        this.emit("error", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
        this.gone();
        return;
      }
      this.connecting = false;
      this.emit("connect");
    });
  }

  write(bytes: Buffer): boolean {
    const log = this.broker.log;
    if (this.destroyed || log.clientEndAt !== undefined || log.brokerCloseAt !== undefined) return false;
    const copy = Buffer.from(bytes);
    if (!this.blackholeUp) this.after(() => this.broker.onData?.(copy));
    return true;
  }

  end(): void {
    const log = this.broker.log;
    if (this.destroyed || log.clientEndAt !== undefined) return;
    log.clientEndAt = this.clock.now();
    if (!this.blackholeUp) this.after(() => this.broker.onClientEnd?.());
  }

  destroy(): void {
    if (this.destroyed) return;
    this.broker.log.clientDestroyAt = this.clock.now();
    this.gone();
  }

  private toClient(bytes: Buffer): void {
    if (this.blackholeDown || this.broker.closed) return;
    this.after(() => {
      if (!this.destroyed) this.emit("data", bytes);
    });
  }

  /** The connection is closed: the client hears "close" once. */
  private gone(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.clock.setTimer(() => this.emit("close"), 0);
  }

  private after(fn: () => void): void {
    this.clock.setTimer(fn, PAIR_LATENCY_MS);
  }
}
