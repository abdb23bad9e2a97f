// TLS (node:tls) over a TCP socket we create ourselves, so the bytes on the wire (records and
// handshake included) can be told apart from the MQTT bytes inside. Certificate verification
// is on unless the caller explicitly asks for insecure.
import net from "node:net";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import type { Transport } from "./transport.ts";
import { MoteError } from "../errors.ts";
import { WireCount } from "./wire-count.ts";

export interface TlsOptions {
  /** CA certificate file(s) to trust (PEM); default: Node's bundled roots. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  servername?: string;
  /** Skips certificate verification. Only when asked for explicitly. */
  insecure?: boolean;
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new MoteError(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "io");
  }
}

export class TlsTransport implements Transport {
  readonly kind: string = "tls";
  private readonly wire = new WireCount();
  private readonly secure: tls.ConnectionOptions;

  constructor(private readonly host: string, private readonly port: number, o: TlsOptions = {}) {
    // Files are read once, here, so a missing file is an error at once and not at every reconnect.
    this.secure = {
      ca: o.caFile ? read(o.caFile, "CA file") : undefined,
      cert: o.certFile ? read(o.certFile, "certificate file") : undefined,
      key: o.keyFile ? read(o.keyFile, "key file") : undefined,
      servername: o.servername ?? (net.isIP(host) ? undefined : host),
      rejectUnauthorized: !o.insecure,
    };
  }

  /** The TLS socket's connection options (the WebSocket transport reuses them). */
  tlsOptions(): tls.ConnectionOptions {
    return this.secure;
  }

  open(): tls.TLSSocket {
    const raw = net.connect({ host: this.host, port: this.port });
    raw.setNoDelay(true);
    this.wire.track(raw);
    const s = tls.connect({ ...this.secure, socket: raw, host: this.host });
    raw.on("error", (e) => s.destroy(e));
    return s;
  }

  wireBytes() {
    return this.wire.totals();
  }
}
