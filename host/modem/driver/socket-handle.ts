// One TCP connection through the modem, from open() to closed(): the caller's side of it (a
// queue of writes, end, abort, "I have room again") and the flags the state machine reads.
import { MoteError } from "../../errors.ts";
import type { SocketView } from "./states.ts";

/** Where a socket's events go (ModemSocket). */
export interface SocketSink {
  opened(): void;
  data(bytes: Buffer): void;
  /** The socket is over; `err` says why unless it was our own close. */
  closed(err: Error | undefined): void;
  /** Bytes the caller can take now: pull mode reads at most this. */
  space(): number;
}

export interface TxItem {
  readonly buf: Buffer;
  off: number;
  readonly cb: (err?: Error | null) => void;
}

export class ModemSocketHandle implements SocketView {
  phase: SocketView["phase"] = "waiting";
  readonly txq: TxItem[] = [];
  rxPending = false;
  /** Data notices so far: a notice during a read keeps rxPending. */
  notices = 0;
  ending = false;
  aborted = false;
  remoteClosed = false;
  retries = 0;
  readonly endCbs: Array<() => void> = [];

  constructor(private readonly wake: () => void, readonly sink: SocketSink, readonly host: string, readonly port: number) {}

  get queued(): number {
    return this.txq.length;
  }

  /** Queues bytes; `cb` runs when the modem has acknowledged all of them. */
  write(buf: Buffer, cb: (err?: Error | null) => void): void {
    if (this.phase === "done") return cb(new MoteError("modem: the socket is closed", "modem"));
    if (buf.length === 0) return cb();
    this.txq.push({ buf, off: 0, cb });
    this.wake();
  }

  /** Closes after the queued bytes are sent; `cb` runs when the modem's socket is closed. */
  end(cb: () => void): void {
    if (this.phase === "done") return cb();
    this.ending = true;
    this.endCbs.push(cb);
    this.wake();
  }

  /** Drops queued bytes and closes at once. */
  abort(): void {
    if (this.phase === "done") return;
    this.aborted = true;
    this.txq.length = 0;
    this.wake();
  }

  /** The caller has room again: read what waits. */
  poke(): void {
    if (this.rxPending) this.wake();
  }

  /** The socket is over: callbacks run, the owner hears why (a modem error), once. */
  finish(message: string | undefined): void {
    if (this.phase === "done") return;
    this.phase = "done";
    this.txq.length = 0;
    for (const cb of this.endCbs.splice(0)) cb();
    this.sink.closed(message === undefined ? undefined : new MoteError(message, "modem"));
  }
}
