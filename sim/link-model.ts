// The impaired link between a simulated sensor and its broker: a Duplex that stands in for the
// transport and delays what crosses it, each way, by the group's LinkModel. It keeps a socket's
// lifecycle (connecting, "connect", "error", "close") so host/link.ts drives it like a socket.
import { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import { Faults } from "./faults.ts";
import { Lane, type Cargo } from "./link-lane.ts";
import type { LinkModel } from "./link-spec.ts";

export { DIRECT, describeLink, isDirect, parseLinkSpec, type LinkModel, type Outage } from "./link-spec.ts";
export { LINK_DOWN_CODE, LINK_DOWN_MESSAGE, OutageSchedule } from "./outage.ts";
export { RETRANSMIT_TIMEOUT_MS } from "./faults.ts";

/** A TCP handshake costs one round trip before the first byte can be sent. */
const HANDSHAKE_ROUND_TRIPS = 1;

/** Outages are not shaping: the schedule cuts transports, the wrapper only delays them. */
function shapes(m: LinkModel): boolean {
  return m.latencyMs > 0 || m.jitterMs > 0 || m.loss > 0 || m.bandwidthBps > 0;
}

class ShapedLink extends Duplex {
  connecting: boolean;
  private readonly up: Lane;
  private readonly down: Lane;
  private finished: ((err?: Error | null) => void) | undefined;

  constructor(private readonly inner: Duplex, private readonly m: LinkModel, random: () => number) {
    // The wrapper closes when news of the inner transport's close arrives, not on its own.
    super({ allowHalfOpen: inner.allowHalfOpen, autoDestroy: false });
    const faults = new Faults(random);
    this.up = new Lane(m, faults, (c) => this.toInner(c));
    this.down = new Lane(m, faults, (c) => this.toReader(c));
    // TLS sockets are usable after "secureConnect", TCP sockets after "connect".
    const opened = inner instanceof TLSSocket ? "secureConnect" : "connect";
    this.connecting = inner instanceof TLSSocket || (inner as { connecting?: boolean }).connecting === true;
    if (this.connecting) inner.once(opened, () => this.down.signal("connect", 2 * HANDSHAKE_ROUND_TRIPS * m.latencyMs));
    inner.on("data", (chunk: Buffer) => this.down.send(chunk));
    inner.on("end", () => this.down.signal("end", m.latencyMs));
    inner.on("error", (e: Error) => this.down.signal(e, m.latencyMs));
    inner.on("close", () => this.down.signal("close", m.latencyMs));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.up.send(chunk);
    cb();
  }

  /** The FIN follows the queued bytes; the writable side finishes once it has reached the inner transport. */
  override _final(cb: (err?: Error | null) => void): void {
    this.finished = cb;
    this.up.signal("end", this.m.latencyMs);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.connecting = false;
    this.up.close();
    this.down.close();
    this.inner.destroy();
    cb(err);
  }

  private toInner(c: Cargo): void {
    const open = !this.inner.destroyed && !this.inner.writableEnded;
    if (Buffer.isBuffer(c)) {
      if (open) this.inner.write(c);
    } else if (c === "end") {
      if (open) this.inner.end();
      this.finished?.();
    }
  }

  private toReader(c: Cargo): void {
    if (Buffer.isBuffer(c)) this.push(c);
    else if (c === "end") this.push(null);
    else if (c === "connect") {
      this.connecting = false;
      this.emit("connect");
    } else if (c === "close") this.destroy();
    else this.destroy(c);
  }
}

/**
 * Wraps a transport: what is written to the returned Duplex reaches `inner` after the model's delays, and
 * what `inner` emits reaches the reader after them too.
 */
export function shapeLink(inner: Duplex, model: LinkModel, random: () => number): Duplex {
  return shapes(model) ? new ShapedLink(inner, model, random) : inner;
}
