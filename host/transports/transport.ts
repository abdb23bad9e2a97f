// A transport opens a byte stream to the broker. The firmware neither knows nor cares which:
// TCP, TLS, WebSocket, an in-process pipe, or (later) a serial modem.
import type { Duplex } from "node:stream";

export interface Transport {
  /** A name for messages and reports: "tcp", "tls", "ws", "wss", ... */
  readonly kind: string;
  /** Opens a new connection; the stream emits "connect" when it is ready when it is not ready at once. */
  open(): Duplex;
  /** Bytes that crossed the wire in each direction, including the transport's own framing (TLS records, WebSocket frames), when known. */
  wireBytes(): { sent: number; received: number } | undefined;
  /** Releases what outlives one connection (a modem's serial port). The device calls it when it ends. */
  close?(): Promise<void> | void;
}
