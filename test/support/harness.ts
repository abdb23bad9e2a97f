// A firmware instance on a virtual clock with a scripted broker: tests write the broker's
// bytes and read the client's. No sockets, no real time.
import { Firmware } from "../../host/firmware.ts";
import { configure, type ConnectOptions } from "../../host/commands.ts";
import { drainEvents, type FirmwareEvent } from "../../host/events.ts";

export const hex = (s: string) => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ""), "hex");

/** CONNACK success: 3.1.1, or 5.0 with the given raw property bytes (hex). */
export function connackBytes(version: 4 | 5, sessionPresent = false, propsHex = ""): Buffer {
  const props = hex(propsHex);
  if (version === 4) return Buffer.from([0x20, 2, sessionPresent ? 1 : 0, 0]);
  return Buffer.concat([Buffer.from([0x20, 3 + props.length, sessionPresent ? 1 : 0, 0, props.length]), props]);
}

export class Harness {
  readonly fw: Firmware;
  now = 0;
  events: FirmwareEvent[] = [];

  constructor(profile = "default") {
    this.fw = new Firmware(profile);
  }

  configure(o: ConnectOptions): this {
    const rc = configure(this.fw, o);
    if (rc !== 0) throw new Error(`configure failed: status ${-rc}`);
    return this;
  }

  /** Opens the transport; returns the CONNECT bytes. */
  open(): Buffer {
    const rc = this.fw.exports.transportOpened(this.now);
    if (rc !== 0) throw new Error(`transportOpened failed: status ${-rc}`);
    return this.fw.transmit(this.now);
  }

  /** Broker -> client bytes; returns the events they caused. */
  send(bytes: Buffer | string): FirmwareEvent[] {
    const b = typeof bytes === "string" ? hex(bytes) : bytes;
    let off = 0;
    const got: FirmwareEvent[] = [];
    for (let guard = 0; guard < 1_000_000; guard++) {
      off += this.fw.feed(b, off);
      got.push(...drainEvents(this.fw, this.now));
      if (off >= b.length) break;
      // RX was full: what the client sends now is collected by the next transmit().
      this.pendingTx.push(this.fw.transmit(this.now));
    }
    this.events.push(...got);
    return got;
  }

  private pendingTx: Buffer[] = [];

  /** Client -> broker bytes produced so far. */
  transmit(): Buffer {
    const out = Buffer.concat([...this.pendingTx, this.fw.transmit(this.now)]);
    this.pendingTx = [];
    return out;
  }

  /** Advances the virtual clock by ms, firing timers on the way; returns the events. */
  advance(ms: number): FirmwareEvent[] {
    const target = this.now + ms;
    const got: FirmwareEvent[] = [];
    for (let guard = 0; guard < 100000; guard++) {
      const d = this.fw.exports.pollDelayMs(this.now >>> 0);
      if (d < 0 || this.now + d > target) break;
      this.now += d;
      this.fw.exports.handleTimeout(this.now >>> 0);
      got.push(...drainEvents(this.fw, this.now));
      if (d === 0 && got.length === 0) this.now += 1; // a due timer that cannot act now must not spin
    }
    this.now = target;
    got.push(...drainEvents(this.fw, this.now));
    this.events.push(...got);
    return got;
  }

  /** configure + open + CONNACK success: a connected client. */
  static connected(o: ConnectOptions = {}, profile = "default", connackPropsHex = ""): Harness {
    const h = new Harness(profile).configure({ clientId: "test", ...o });
    h.open();
    const ev = h.send(connackBytes(o.version ?? 4, false, connackPropsHex));
    if (ev[0]?.name !== "Connected") throw new Error(`not connected: ${JSON.stringify(ev)}`);
    return h;
  }
}
