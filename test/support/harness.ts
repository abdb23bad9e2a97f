// A firmware instance driven by the real host loop (host/link.ts) on a virtual clock, over a
// zero-latency connection to a scripted broker: tests write the broker's bytes and read the
// client's. No sockets, no real time, and no second copy of the loop: what feeds the firmware,
// drains TX, arms the deadline, closes a connection that is over and reconnects is the Link.
import { Firmware } from "../../host/firmware.ts";
import { configure, type ConnectOptions } from "../../host/commands.ts";
import type { FirmwareEvent } from "../../host/events.ts";
import { SessionState } from "../../host/abi.ts";
import { Link } from "../../host/link.ts";
import { VirtualClock } from "../../host/virtual-clock.ts";
import { ScriptedConnection } from "./scripted-connection.ts";

export const hex = (s: string) => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ""), "hex");

/** CONNACK success: 3.1.1, or 5.0 with the given raw property bytes (hex). */
export function connackBytes(version: 4 | 5, sessionPresent = false, propsHex = ""): Buffer {
  const props = hex(propsHex);
  if (version === 4) return Buffer.from([0x20, 2, sessionPresent ? 1 : 0, 0]);
  return Buffer.concat([Buffer.from([0x20, 3 + props.length, sessionPresent ? 1 : 0, 0, props.length]), props]);
}

/** How long open() waits for the Link's next connection (a reconnect backoff is at most RECONNECT_MAX_MS). */
const OPEN_WAIT_MAX_MS = 24 * 3600_000;

export class Harness {
  readonly fw: Firmware;
  readonly clock = new VirtualClock();
  readonly link: Link;
  /** Every event the Link polled, in order. */
  events: FirmwareEvent[] = [];
  /** Every connection the Link opened, oldest first. */
  readonly connections: ScriptedConnection[] = [];
  /**
   * What the broker does when the client half-closes: close its side at once (the default, as
   * a broker does), or keep it open, so that the Link destroys it after CLOSE_GRACE_MS.
   */
  brokerClosesOnEnd = true;
  private started = false;
  /** The connection open() last returned the CONNECT of. */
  private taken: ScriptedConnection | undefined;

  constructor(profile = "default") {
    this.fw = new Firmware(profile);
    this.link = new Link(this.fw, {
      clock: this.clock,
      open: () => this.newConnection(),
      onEvent: (ev) => this.events.push(ev),
    });
  }

  /** Virtual milliseconds. */
  get now(): number {
    return this.clock.now();
  }

  /** The newest connection (open, closing or closed). */
  get connection(): ScriptedConnection | undefined {
    return this.connections.at(-1);
  }

  configure(o: ConnectOptions): this {
    const rc = configure(this.fw, o);
    if (rc !== 0) throw new Error(`configure failed: status ${-rc}`);
    return this;
  }

  /**
   * Lets the Link open its next connection and returns the CONNECT it sent: the first call
   * starts the Link; after a close the Link opens a new connection by itself at ReconnectDue,
   * and open() runs the virtual clock until then if it has not come yet.
   */
  open(): Buffer {
    if (!this.started) {
      this.started = true;
      this.link.start();
    }
    const fresh = () => this.connection !== undefined && this.connection !== this.taken && !this.connection.destroyed;
    if (!this.clock.runUntil(fresh, OPEN_WAIT_MAX_MS)) throw new Error("open(): the Link opened no new connection (is a reconnect due?)");
    this.clock.advance(0); // the Link starts a ready connection on its next turn
    const c = this.connection!;
    const state = this.fw.exports.sessionState();
    if (state !== SessionState.Connecting) throw new Error(`open(): the firmware is ${SessionState[state]}, not Connecting`);
    this.taken = c;
    for (const old of this.connections) if (old !== c) old.take(); // a new broker never sees an old connection's bytes
    return c.take();
  }

  /** Broker -> client bytes on the current connection; returns the events they caused. */
  send(bytes: Buffer | string): FirmwareEvent[] {
    const c = this.connection;
    if (!c) throw new Error("send(): no connection yet (call open())");
    const from = this.events.length;
    c.deliver(typeof bytes === "string" ? hex(bytes) : bytes);
    return this.events.slice(from);
  }

  /**
   * Client -> broker bytes produced so far, on every connection, oldest first. Runs one pass of
   * the host loop first, as a host does after a command.
   */
  transmit(): Buffer {
    this.link.service();
    return Buffer.concat(this.connections.map((c) => c.take()));
  }

  /** One pass of the host loop (events, then TX), as after a command; returns the events it polled. */
  service(): FirmwareEvent[] {
    const from = this.events.length;
    this.link.service();
    return this.events.slice(from);
  }

  /** Advances the virtual clock by ms, firing the Link's timers on the way; returns the events. */
  advance(ms: number): FirmwareEvent[] {
    const from = this.events.length;
    this.link.service();
    this.clock.advance(ms);
    return this.events.slice(from);
  }

  /**
   * Advances the virtual clock until an event of that name is polled (the clock stops there),
   * at most limitMs; returns the events. Throws when it does not come.
   */
  until(name: string, limitMs: number): FirmwareEvent[] {
    const from = this.events.length;
    this.link.service();
    const seen = () => this.events.slice(from).some((e) => e.name === name);
    if (!this.clock.runUntil(seen, limitMs)) {
      throw new Error(`no ${name} within ${limitMs} ms: ${JSON.stringify(this.events.slice(from).map((e) => e.name))}`);
    }
    return this.events.slice(from);
  }

  /** The broker closes the current connection; returns the events the close caused. */
  close(): FirmwareEvent[] {
    const c = this.connection;
    if (!c || c.destroyed) throw new Error("close(): no open connection");
    const from = this.events.length;
    c.brokerClose();
    return this.events.slice(from);
  }

  /** configure + open + CONNACK success: a connected client. */
  static connected(o: ConnectOptions = {}, profile = "default", connackPropsHex = ""): Harness {
    const h = new Harness(profile).configure({ clientId: "test", ...o });
    h.open();
    const ev = h.send(connackBytes(o.version ?? 4, false, connackPropsHex));
    if (ev[0]?.name !== "Connected") throw new Error(`not connected: ${JSON.stringify(ev)}`);
    return h;
  }

  private newConnection(): ScriptedConnection {
    const c = new ScriptedConnection(this.clock, (ended) => {
      if (this.brokerClosesOnEnd) this.clock.setTimer(() => ended.brokerClose(), 0);
    });
    this.connections.push(c);
    return c;
  }
}
