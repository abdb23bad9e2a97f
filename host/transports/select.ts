// Picks the transport a broker URL asks for.
import type { BrokerUrl } from "../url.ts";
import type { Transport } from "./transport.ts";
import { TcpTransport } from "./tcp.ts";
import { TlsTransport, type TlsOptions } from "./tls.ts";
import { WebSocketTransport } from "./websocket.ts";

export function transportFor(url: BrokerUrl, tls: TlsOptions = {}): Transport {
  switch (url.scheme) {
    case "mqtt": return new TcpTransport(url.host, url.port);
    case "mqtts": return new TlsTransport(url.host, url.port, tls);
    case "ws":
    case "wss": {
      const host = url.host.includes(":") ? `[${url.host}]` : url.host;
      return new WebSocketTransport(`${url.scheme}://${host}:${url.port}${url.path}`, url.scheme === "wss", tls);
    }
  }
}
