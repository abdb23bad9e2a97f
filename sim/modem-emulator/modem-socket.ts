// One TCP socket of the modem, over a real node:net connection to the host and port the AT
// command named. It models the modem's two buffers:
// - receive: at most recvBufferBytes wait for the host to read them; beyond that the socket is
//   paused, so TCP flow control pushes back on the peer as it would over the air;
// - send: bytes count as unacknowledged until node has handed them to the kernel and rttMs have
//   passed; a stalled network (injected) holds them, and a send that would exceed
//   sendBufferBytes fails.
import net from "node:net";
import { ChunkQueue } from "../../host/chunk-queue.ts";

export type OpenResult = "ok" | "refused" | "dns" | "timeout";
export type SendResult = "ok" | "full" | "closed";

export interface SocketHooks {
  /** `bytes` more bytes wait in the receive buffer. */
  onData(bytes: number): void;
  /** The peer closed the connection or it broke (not called after close()). */
  onClose(): void;
  /** Bytes on the wire, for the transcript. */
  onWire(dir: "net-in" | "net-out", bytes: Buffer): void;
}

export class ModemSocket {
  state: "connecting" | "open" | "closed" = "connecting";
  sent = 0;
  acked = 0;
  received = 0;
  private socket: net.Socket | undefined;
  /** The modem's receive buffer, at most recvBufferBytes. */
  private readonly buffer = new ChunkQueue();
  /** Bytes node has read that do not fit the modem buffer yet (the socket is paused). */
  private readonly overflow = new ChunkQueue();
  private readonly held: Buffer[] = [];
  private stalled = false;
  private unannounced = 0;
  private readonly ackWaiters: { target: number; resolve: () => void }[] = [];

  constructor(
    readonly id: number,
    readonly host: string,
    readonly port: number,
    private readonly limits: { recvBufferBytes: number; sendBufferBytes: number; rttMs: number },
    private readonly hooks: SocketHooks,
  ) {}

  /** Bytes waiting in the modem for the host to read. */
  get buffered(): number {
    return this.buffer.length;
  }

  get unacked(): number {
    return this.sent - this.acked;
  }

  open(timeoutMs: number): Promise<OpenResult> {
    return new Promise((resolve) => {
      const s = net.connect({ host: this.host, port: this.port });
      this.socket = s;
      s.setNoDelay(true);
      const timer = setTimeout(() => finish("timeout"), timeoutMs);
      const finish = (result: OpenResult) => {
        clearTimeout(timer);
        s.off("connect", onConnect);
        s.off("error", onError);
        if (result === "ok") {
          this.state = "open";
          this.attach(s);
        } else {
          this.state = "closed";
          s.destroy();
        }
        resolve(result);
      };
      const onConnect = () => finish("ok");
      const onError = (err: NodeJS.ErrnoException) =>
        finish(err.code === "ENOTFOUND" || err.code === "EAI_AGAIN" ? "dns" : "refused");
      s.once("connect", onConnect);
      s.once("error", onError);
    });
  }

  send(bytes: Buffer, ignoreLimit = false): SendResult {
    if (this.state !== "open") return "closed";
    if (!ignoreLimit && this.unacked + bytes.length > this.limits.sendBufferBytes) return "full";
    this.sent += bytes.length;
    if (this.stalled) this.held.push(bytes);
    else this.transmit(bytes);
    return "ok";
  }

  /** Resolves when the peer has acknowledged what was sent so far (at once when stalled or gone). */
  acknowledged(): Promise<void> {
    const target = this.sent;
    if (this.socket === undefined || this.stalled || this.acked >= target) return Promise.resolve();
    return new Promise((resolve) => this.ackWaiters.push({ target, resolve }));
  }

  /** Take up to `max` bytes from the receive buffer. */
  read(max: number): Buffer {
    const data = this.buffer.take(max);
    this.fill();
    return data;
  }

  setStalled(stalled: boolean): void {
    this.stalled = stalled;
    if (!stalled) for (const bytes of this.held.splice(0)) this.transmit(bytes);
  }

  /** Close from our side (AT+CIPCLOSE, reboot): no onClose. */
  close(): void {
    this.state = "closed";
    this.socket?.destroy();
    this.socket = undefined;
  }

  /** The peer closes (injected): like a FIN from the broker. */
  closeByPeer(): void {
    if (this.state !== "open") return;
    this.socket?.destroy();
    this.peerClosed();
  }

  private attach(s: net.Socket): void {
    s.on("data", (chunk: Buffer) => {
      this.hooks.onWire("net-in", chunk);
      this.overflow.push(chunk);
      this.fill();
    });
    s.on("error", () => {});
    s.on("close", () => {
      if (this.socket === s) this.peerClosed();
    });
  }

  private peerClosed(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.socket = undefined;
    setImmediate(() => this.hooks.onClose()); // after the notice of the last data
  }

  /** Move bytes from node's chunks into the modem buffer while there is room. */
  private fill(): void {
    const room = this.limits.recvBufferBytes - this.buffer.length;
    const moved = room > 0 && this.overflow.length > 0 ? this.overflow.take(room) : undefined;
    if (moved !== undefined) {
      this.buffer.push(moved);
      this.received += moved.length;
      this.announce(moved.length);
    }
    if (this.overflow.length > 0) this.socket?.pause();
    else this.socket?.resume();
  }

  /**
   * Tell the dialect on the next turn, so a notice about bytes that a read made room for comes
   * after that read's reply, not in the middle of it.
   */
  private announce(bytes: number): void {
    if (this.unannounced === 0) setImmediate(() => {
      const n = this.unannounced;
      this.unannounced = 0;
      if (n > 0 && this.buffered > 0) this.hooks.onData(n);
    });
    this.unannounced += bytes;
  }

  private ack(bytes: number): void {
    this.acked += bytes;
    for (const w of this.ackWaiters.filter((x) => x.target <= this.acked)) {
      this.ackWaiters.splice(this.ackWaiters.indexOf(w), 1);
      w.resolve();
    }
  }

  private transmit(bytes: Buffer): void {
    const s = this.socket;
    if (s === undefined) return;
    this.hooks.onWire("net-out", bytes);
    s.write(bytes, (err) => {
      if (err) return;
      // node has handed the bytes to the kernel; the peer's ACK comes one round trip later.
      if (this.limits.rttMs > 0) setTimeout(() => this.ack(bytes.length), this.limits.rttMs);
      else this.ack(bytes.length);
    });
  }
}
