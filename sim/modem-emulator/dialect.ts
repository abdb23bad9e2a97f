// What every dialect has: sockets by id, the network stall switch, and the hooks the emulator
// calls (reboot, remote close, bearer loss, worst-moment URCs, output drained). A dialect adds its
// command table and its words for the same events.
import type { AtEngine, Command } from "./at-engine.ts";
import { ModemSocket, type OpenResult } from "./modem-socket.ts";
import type { Prng } from "../../host/prng.ts";
import type { Transcript } from "./transcript.ts";
import type { SocketStats } from "./types.ts";

/** Push-mode data goes out while fewer output bytes than this wait for the line. */
export const PUSH_WINDOW_BYTES = 256;

export interface DialectEnv {
  engine: AtEngine;
  transcript: Transcript;
  prng: Prng;
  recvBufferBytes: number;
  sendBufferBytes: number;
  connectTimeoutMs: number;
  rttMs: number;
  bootMs: number;
  bearerDelayMs: number;
  guardTimeMs: number;
  /** Modem output not yet on the line. */
  outputPending(): number;
  /** A worst-moment URC is armed: keep data notices for it. */
  holding(): boolean;
  /** Reset the modem; clearLine loses what is still in the UART (a power glitch). */
  reboot(clearLine: boolean): void;
  countSendFail(): void;
}

export type Moment = "prompt" | "read" | "now";

export abstract class Dialect {
  readonly sockets = new Map<number, ModemSocket>();
  /** TCP bytes received and written, over every socket so far. */
  netIn = 0;
  netOut = 0;
  abstract readonly table: readonly Command[];
  /** The reply to input during a command; undefined: the input waits. */
  abstract readonly busyReply: string | undefined;
  private stalled = false;

  constructor(protected readonly env: DialectEnv) {}

  protected get e(): AtEngine {
    return this.env.engine;
  }

  /** Printed when the modem comes back from a reset. */
  abstract banner(): void;
  /** A URC now, the worst moment; false when there is nothing true to say yet. */
  abstract urc(at: Moment): boolean;
  /** The armed URC gave up waiting for its moment: say the notices it kept. */
  abstract releaseHeld(): void;
  abstract bearerLoss(): void;
  /** The line has room: push-mode and transparent data may go out. */
  abstract pump(): void;
  /** Power-on state (sockets are already gone). */
  protected abstract powerOn(): void;
  protected abstract onSocketData(sock: ModemSocket, bytes: number): void;
  protected abstract onSocketClose(sock: ModemSocket): void;

  reboot(): void {
    for (const sock of this.sockets.values()) sock.close();
    this.sockets.clear();
    this.powerOn();
  }

  remoteClose(id?: number): void {
    for (const sock of this.sockets.values()) {
      if (id === undefined || sock.id === id) sock.closeByPeer();
    }
  }

  stall(on: boolean): void {
    this.stalled = on;
    for (const sock of this.sockets.values()) sock.setStalled(on);
  }

  socketStats(): SocketStats[] {
    return [...this.sockets.values()].map((s) => ({
      id: s.id, host: s.host, port: s.port, state: s.state,
      sent: s.sent, acked: s.acked, received: s.received, buffered: s.buffered,
    }));
  }

  /** Open a TCP connection as socket `id` (it is in `sockets` while it connects). */
  protected async connect(id: number, host: string, port: number): Promise<OpenResult> {
    const sock = new ModemSocket(id, host, port, this.env, {
      onData: (n) => { if (this.sockets.get(id) === sock) this.onSocketData(sock, n); },
      onClose: () => {
        if (this.sockets.get(id) !== sock) return;
        this.env.transcript.event(`socket ${id}: closed by the peer`);
        this.onSocketClose(sock);
      },
      onWire: (dir, bytes) => {
        if (dir === "net-in") this.netIn += bytes.length;
        else this.netOut += bytes.length;
        this.env.transcript.add(dir, bytes, undefined, id);
      },
    });
    sock.setStalled(this.stalled);
    this.sockets.get(id)?.close();
    this.sockets.set(id, sock);
    this.env.transcript.event(`socket ${id}: connecting to ${host}:${port}`);
    const result = await this.e.guard(sock.open(this.env.connectTimeoutMs));
    this.env.transcript.event(`socket ${id}: ${result === "ok" ? "connected" : result}`);
    if (result !== "ok" && this.sockets.get(id) === sock) this.sockets.delete(id);
    return result;
  }

  /** Sockets in id order. */
  protected ordered(): ModemSocket[] {
    return [...this.sockets.values()].sort((a, b) => a.id - b.id);
  }
}
