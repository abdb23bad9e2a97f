// One firmware instance on the real host loop (host/link.ts) over a real TCP socket on real
// time, for the conformance suite: no reconnect, a command run once right after Connected, every
// event recorded. When the firmware reports that the connection is over, the Link flushes TX,
// half-closes and destroys the socket after its grace; `lifetimeMs` bounds the whole run.
import { Firmware } from "../../host/firmware.ts";
import { configure, type ConnectOptions } from "../../host/commands.ts";
import type { FirmwareEvent } from "../../host/events.ts";
import { EventType, Option } from "../../host/abi.ts";
import { Link } from "../../host/link.ts";
import { TcpTransport } from "../../host/transports/tcp.ts";

export interface DriverOptions {
  port: number;
  connect: ConnectOptions;
  profile?: string;
  /** Runs once, right after the Connected event is polled; its return value is recorded. */
  onConnected?: (fw: Firmware) => number;
  /** Hard bound on the connection's life: the socket is destroyed after it. */
  lifetimeMs: number;
}

export interface DriverRecord {
  events: FirmwareEvent[];
  onConnectedResult?: number;
  socketErrors: string[];
}

export class TcpDriver {
  readonly fw: Firmware;
  readonly done: Promise<DriverRecord>;
  private readonly link: Link;
  private readonly record: DriverRecord = { events: [], socketErrors: [] };
  private readonly lifetime: NodeJS.Timeout;

  constructor(o: DriverOptions) {
    this.fw = new Firmware(o.profile ?? "default");
    const rcOption = this.fw.exports.setOption(Option.AutoReconnect, 0);
    if (rcOption !== 0) throw new Error(`setOption(AutoReconnect) failed: status ${-rcOption}`);
    const rc = configure(this.fw, o.connect);
    if (rc !== 0) throw new Error(`configure failed: status ${-rc}`);
    const transport = new TcpTransport("127.0.0.1", o.port);
    let finished!: (r: DriverRecord) => void;
    this.done = new Promise((resolve) => { finished = resolve; });
    let commandRun = false;
    this.link = new Link(this.fw, {
      open: () => transport.open(),
      onEvent: (ev) => {
        this.record.events.push(ev);
        if (ev.type === EventType.Connected && o.onConnected && !commandRun) {
          commandRun = true;
          this.record.onConnectedResult = o.onConnected(this.fw);
        }
      },
      onTransportError: (e) => this.record.socketErrors.push(e.message),
      onTransportClosed: () => {
        clearTimeout(this.lifetime);
        finished(this.record); // events polled after the close are recorded before anyone awaits this
      },
    });
    this.lifetime = setTimeout(() => this.stop(), o.lifetimeMs);
    this.link.start();
  }

  /** Drops the connection from the host side (test teardown). */
  stop(): void {
    this.link.drop();
  }
}
