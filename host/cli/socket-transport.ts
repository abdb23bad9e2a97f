// The socket of mote pub/sub's --unix, -A and --tls-version: a Unix domain socket or a TCP one
// bound to a local address, with TLS on top for mqtts:// (the TLS options of --cafile, --cert,
// --key and --insecure, limited to one version when asked).
import net from "node:net";
import tls from "node:tls";
import type { TlsOptions } from "../transports/tls.ts";
import { TlsTransport } from "../transports/tls.ts";
import type { Transport } from "../transports/transport.ts";
import { WireCount } from "../transports/wire-count.ts";

export interface SocketOptions {
  unix?: string;
  bindAddress?: string;
  tlsVersion?: tls.SecureVersion;
}

export class SocketTransport implements Transport {
  readonly kind: string;
  private readonly wire = new WireCount();
  private readonly host: string;
  private readonly port: number;
  private readonly secure: tls.ConnectionOptions | undefined;

  constructor(url: string, private readonly o: SocketOptions, t: TlsOptions) {
    const u = new URL(url);
    this.host = u.hostname.replace(/^\[(.*)\]$/, "$1");
    this.port = Number(u.port) || (u.protocol === "mqtts:" ? 8883 : 1883);
    // As libmosquitto: the version asked for is the lowest one spoken (tlsv1.1 also speaks 1.2 and 1.3).
    const version = o.tlsVersion ? { minVersion: o.tlsVersion } : {};
    // TlsTransport reads the certificate files once; its options are the ones a TLS socket takes.
    this.secure = u.protocol === "mqtts:" ? { ...new TlsTransport(this.host, this.port, t).tlsOptions(), ...version } : undefined;
    this.kind = `${o.unix ? "unix" : "tcp"}${this.secure ? "+tls" : ""}`;
  }

  open(): net.Socket {
    const raw = this.o.unix !== undefined
      ? net.connect({ path: this.o.unix })
      : net.connect({ host: this.host, port: this.port, localAddress: this.o.bindAddress });
    if (this.o.unix === undefined) raw.setNoDelay(true);
    this.wire.track(raw);
    if (!this.secure) return raw;
    const s = tls.connect({ ...this.secure, socket: raw, host: this.host });
    raw.on("error", (e) => s.destroy(e));
    return s;
  }

  wireBytes() {
    return this.wire.totals();
  }
}
