// MQTT over WebSocket (ws:// and wss://) with the `ws` package: binary frames, subprotocol
// "mqtt". Bytes on the wire include the HTTP upgrade and the frame headers.
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { createRequire } from "node:module";
import type * as Ws from "ws";
import type { Transport } from "./transport.ts";
import { WireCount } from "./wire-count.ts";
import { TlsTransport, type TlsOptions } from "./tls.ts";

// `ws` costs ~30 ms to load: it is required on the first WebSocket connection, so `mote pub` over
// TCP never pays for it (ws is CommonJS, so a synchronous require serves open()).
let ws: typeof Ws | undefined;
const loadWs = (): typeof Ws => (ws ??= createRequire(import.meta.url)("ws") as typeof Ws);

export class WebSocketTransport implements Transport {
  readonly kind: string;
  private readonly wire = new WireCount();
  private readonly tls: TlsTransport | undefined;
  readonly prepare: (() => Promise<void>) | undefined;

  constructor(private readonly url: string, secure: boolean, tlsOptions: TlsOptions = {}) {
    this.kind = secure ? "wss" : "ws";
    const u = new URL(url);
    this.tls = secure ? new TlsTransport(u.hostname, Number(u.port) || 443, tlsOptions) : undefined;
    this.prepare = this.tls?.prepare;
  }

  open(): Duplex {
    const { WebSocket, createWebSocketStream } = loadWs();
    const ws = new WebSocket(this.url, "mqtt", { ...(this.tls?.tlsOptions() ?? {}), perMessageDeflate: false });
    const stream = createWebSocketStream(ws);
    // The socket carries the HTTP upgrade too: it is counted from the request on.
    ws.once("upgrade", (res) => this.wire.track(res.socket as Socket));
    // The stream is usable at once: writes wait for the connection to open.
    return stream;
  }

  wireBytes() {
    return this.wire.totals();
  }
}
