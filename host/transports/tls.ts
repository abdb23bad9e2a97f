// TLS (node:tls) over a TCP socket we create ourselves, so the bytes on the wire (records and
// handshake included) can be told apart from the MQTT bytes inside. Certificate verification
// is on unless the caller explicitly asks for insecure.
import net from "node:net";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import type { Transport } from "./transport.ts";
import { MoteError } from "../errors.ts";
import { WireCount } from "./wire-count.ts";

/** A file path, or a function giving the path for the next connection (a short-lived certificate). */
export type PathSource = string | (() => string | Promise<string>);

export interface TlsOptions {
  /**
   * CA certificate file(s) to trust (PEM); default: Node's bundled roots. Paths given as strings
   * are read once, when the transport is made; when any of the three is a function, all three
   * are resolved and read again before every connection (certificates that rotate).
   */
  caFile?: PathSource;
  certFile?: PathSource;
  keyFile?: PathSource;
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
  private secure: tls.ConnectionOptions;
  /** Re-reads the key material before each connection; undefined when every path is fixed. */
  readonly prepare: (() => Promise<void>) | undefined;

  constructor(private readonly host: string, private readonly port: number, o: TlsOptions = {}) {
    const base = { servername: o.servername ?? (net.isIP(host) ? undefined : host), rejectUnauthorized: !o.insecure };
    const files = [o.caFile, o.certFile, o.keyFile];
    if (files.some((f) => typeof f === "function")) {
      this.secure = base;
      this.prepare = async () => {
        const [ca, cert, key] = await Promise.all(files.map((f) => (typeof f === "function" ? f() : f)));
        this.secure = { ...base, ca: ca ? read(ca, "CA file") : undefined, cert: cert ? read(cert, "certificate file") : undefined,
          key: key ? read(key, "key file") : undefined };
      };
      return;
    }
    // Fixed files are read once, here, so a missing file is an error at once and not at every reconnect.
    const fixed = files as (string | undefined)[];
    this.secure = { ...base, ca: fixed[0] ? read(fixed[0], "CA file") : undefined, cert: fixed[1] ? read(fixed[1], "certificate file") : undefined,
      key: fixed[2] ? read(fixed[2], "key file") : undefined };
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
