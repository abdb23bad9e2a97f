// Where the fleet's sensors connect: the embedded broker (aedes, in this process; sensors reach
// it through in-process pipes, without sockets or file descriptors, and it also listens on a
// free loopback port for modem groups, whose emulated modems open real TCP sockets), or an
// external broker given by URL.
import { createServer, type Server } from "node:net";
import type { Duplex } from "node:stream";
import { Aedes } from "aedes";
import { duplexPair } from "./inproc.ts";
import { parseBrokerUrl, type BrokerUrl } from "../host/url.ts";
import { transportFor } from "../host/transports/select.ts";
import type { TlsOptions } from "../host/transports/tls.ts";
import { redactUrl } from "./credentials.ts";

export interface FleetBroker {
  /** For the report: "embedded aedes (in process)" or the URL, its password redacted. */
  readonly name: string;
  /** Connections are in-process pipes (nothing can be lost between the broker and a client). */
  readonly inProcess: boolean;
  /** Opens one connection for a sensor or the observer. */
  open(): Duplex;
  /** Host and port a modem dials (plain TCP). */
  readonly tcp: { host: string; port: number };
  close(): Promise<void>;
}

export async function embeddedBroker(): Promise<FleetBroker> {
  // No limit on deliveries in flight (aedes's default is 100, the rest waiting in its emitter's
  // queue). That queue drains by recursion: each queued message that matches no subscription
  // completes synchronously and starts the next inside the same call, so a backlog left when the
  // observer unsubscribed (a very short interval and drain) overflowed the stack. Without the queue
  // each connection still waits for its publish to be delivered before aedes reads its next
  // packet, so what is in flight stays bounded by the number of connections, in order per
  // connection.
  const aedes = await Aedes.createBroker({ concurrency: 0 });
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    name: "embedded aedes (in process)",
    inProcess: true,
    tcp: { host: "127.0.0.1", port },
    open() {
      const [device, brokerSide] = duplexPair();
      aedes.handle(brokerSide);
      return device;
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

export function externalBroker(url: string, tls: TlsOptions = {}): FleetBroker {
  const u: BrokerUrl = parseBrokerUrl(url);
  const transport = transportFor(u, tls);
  return {
    name: redactUrl(url),
    inProcess: false,
    tcp: { host: u.host, port: u.port },
    open: () => transport.open(),
    async close() {},
  };
}
