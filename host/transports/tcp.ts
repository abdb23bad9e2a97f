// Plain TCP (node:net). Nagle is off: MQTT packets are small and latency matters more.
import net from "node:net";
import type { Transport } from "./transport.ts";
import { WireCount } from "./wire-count.ts";

export class TcpTransport implements Transport {
  readonly kind = "tcp";
  private readonly wire = new WireCount();

  constructor(private readonly host: string, private readonly port: number) {}

  open(): net.Socket {
    const s = net.connect({ host: this.host, port: this.port });
    s.setNoDelay(true);
    this.wire.track(s);
    return s;
  }

  wireBytes() {
    return this.wire.totals();
  }
}
