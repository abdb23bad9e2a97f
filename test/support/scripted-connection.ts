// The client's end of a zero-latency connection to a scripted broker (test/support/harness.ts):
// host/link.ts drives it as it drives a socket, and the test plays the broker. What the client
// writes waits, unread, until the test takes it; what the broker sends reaches the Link at once.
// Unlike the fault matrix's VirtualConnection there is no latency, so one test step is one
// exchange and the suites keep their exact timings.
import { EventEmitter } from "node:events";
import type { Connection } from "../../host/link.ts";
import type { VirtualClock } from "../../host/virtual-clock.ts";

export class ScriptedConnection extends EventEmitter implements Connection {
  /** Open at once: the Link starts it on its next turn (a 0 ms timer), as it does any ready stream. */
  readonly connecting = false;
  destroyed = false;
  /** Virtual ms of the client's half-close (end()), its destroy(), and the broker's close. */
  endedAt?: number;
  destroyedAt?: number;
  brokerClosedAt?: number;
  private unread: Buffer[] = [];

  /** `onEnd` runs when the client half-closes: the broker's answer to its FIN. */
  constructor(private readonly clock: VirtualClock, private readonly onEnd: (c: ScriptedConnection) => void) {
    super();
  }

  write(bytes: Buffer): boolean {
    if (this.destroyed || this.endedAt !== undefined) throw new Error("the Link wrote to a connection it had closed");
    this.unread.push(Buffer.from(bytes));
    return true;
  }

  end(): void {
    if (this.destroyed || this.endedAt !== undefined) return;
    this.endedAt = this.clock.now();
    this.onEnd(this);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.destroyedAt = this.clock.now();
    // A socket says "close" after destroy(), never inside it.
    this.clock.setTimer(() => this.emit("close"), 0);
  }

  /** Client -> broker bytes the test has not taken yet (taking them empties the queue). */
  take(): Buffer {
    const out = Buffer.concat(this.unread);
    this.unread = [];
    return out;
  }

  /** Broker -> client bytes, handed to the Link now. */
  deliver(bytes: Buffer): void {
    if (this.destroyed) throw new Error("the broker wrote to a connection that is closed");
    this.emit("data", bytes);
  }

  /** The broker closes the connection: the client hears "close" now. */
  brokerClose(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.brokerClosedAt = this.clock.now();
    this.emit("close");
  }
}
