// A transport opens a byte stream to the broker. The firmware neither knows nor cares which:
// TCP, TLS, WebSocket, an in-process pipe, or (later) a serial modem.
import type { Duplex } from "node:stream";
import type { Connection } from "../link.ts";

/** What the host loop needs of a transport: a Connection per open(). Every Transport is one. */
export interface LinkTransport {
  /** A name for messages and reports: "tcp", "tls", "ws", "wss", ... */
  readonly kind: string;
  /** Opens a new connection; it emits "connect" when it is ready, when it is not ready at once. */
  open(): Connection;
  /** Bytes that crossed the wire in each direction, including the transport's own framing (TLS records, WebSocket frames), when known. */
  wireBytes(): { sent: number; received: number } | undefined;
  /** Runs before every connection opens (key material that rotates); the open waits for it. */
  readonly prepare?: () => Promise<void>;
  /** Releases what outlives one connection (a modem's serial port). The device calls it when it ends. */
  close?(): Promise<void> | void;
}

/** A transport whose connections are Node streams (the bridge pipes them). */
export interface Transport extends LinkTransport {
  open(): Duplex;
}
