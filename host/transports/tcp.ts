// Plain TCP (node:net). Nagle is off: MQTT packets are small and latency matters more.
import net from "node:net";
import type { Transport } from "./transport.ts";

export class TcpTransport implements Transport {
  readonly kind = "tcp";
  private sent = 0;
  private received = 0;

  constructor(private readonly host: string, private readonly port: number) {}

  open(): net.Socket {
    const s = net.connect({ host: this.host, port: this.port });
    s.setNoDelay(true);
    s.on("close", () => {
      this.sent += s.bytesWritten;
      this.received += s.bytesRead;
    });
    return s;
  }

  wireBytes() {
    return { sent: this.sent, received: this.received };
  }
}
