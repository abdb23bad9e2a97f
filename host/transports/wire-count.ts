// Bytes on the wire of every socket a transport opened: those of closed sockets, plus the live
// counts of the open ones, so a budget can be read while connected.
import type { Socket } from "node:net";

export class WireCount {
  private sent = 0;
  private received = 0;
  private readonly live = new Set<Socket>();

  /** Counts this socket from now until it closes. */
  track(s: Socket): void {
    this.live.add(s);
    s.once("close", () => {
      if (!this.live.delete(s)) return;
      this.sent += s.bytesWritten;
      this.received += s.bytesRead;
    });
  }

  totals(): { sent: number; received: number } {
    let sent = this.sent, received = this.received;
    for (const s of this.live) {
      sent += s.bytesWritten;
      received += s.bytesRead;
    }
    return { sent, received };
  }
}
