// A scripted, hostile MQTT broker on 127.0.0.1 for CLI tests. It accepts connections one after
// another and runs the test's behaviour on each (async (conn, index) => ...): answer, stay
// silent, stop reading, trickle bytes, never close. It frames what each client sends into
// packets (packetLength, host/mqtt-framer.ts) and records, per connection: the CONNECT, every
// packet, when the client half-closed, when the socket closed, and when the client let go of
// its socket completely.
//
// The server is half-open (allowHalfOpen): a client's FIN never closes our side, as with a hung
// broker process; our side closes only when a behaviour says so or at close(). A client that
// half-closes and then closes its socket sends nothing we could read, so "released" is read
// from the kernel: the client's end of the connection without an owning socket (inode 0 in
// /proc/net/tcp) or gone. Every wait here is bounded, and close() destroys everything.
import { readFileSync } from "node:fs";
import net from "node:net";
import { packetLength } from "../../host/mqtt-framer.ts";

const TYPE_NAMES = ["reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
  "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"];
/** The packet type of a packet's first byte, in words. */
export const typeName = (packet: Buffer) => TYPE_NAMES[packet[0] >> 4];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => performance.now();

export class HostileConnection {
  readonly openedAt = now();
  /** The client's first packet (its CONNECT), once read. */
  connect: Buffer | undefined;
  /** Every packet the client sent, in order, as framed (the CONNECT included). */
  readonly packets: Buffer[] = [];
  /** The client half-closed (its FIN was read; not seen while we stop reading). */
  endedAt: number | undefined;
  /** Our socket closed (reset by the client, or closed by us). */
  closedAt: number | undefined;
  /** The client closed its socket completely: it holds nothing of this connection any more. */
  releasedAt: number | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private unread: Buffer[] = [];
  private readonly waiters = new Set<() => void>();
  private closedByUs = false;

  constructor(readonly socket: net.Socket, readonly index: number) {
    socket.setNoDelay(true);
    socket.on("data", (d: Buffer) => this.data(d));
    socket.on("end", () => { this.endedAt ??= now(); this.notify(); });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closedAt = now();
      if (!this.closedByUs) this.releasedAt ??= this.closedAt;
      this.notify();
    });
  }

  /** True until our socket closed. */
  get open(): boolean {
    return this.closedAt === undefined;
  }

  /** Writes bytes (ignored once the socket is closed). */
  write(bytes: Buffer): void {
    if (this.open && !this.socket.destroyed) this.socket.write(bytes);
  }

  /** The client's next packet; undefined when the wait ends first or the socket closed. */
  async nextPacket(timeoutMs: number): Promise<Buffer | undefined> {
    const deadline = now() + timeoutMs;
    while (this.unread.length === 0 && this.open && now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { this.waiters.delete(w); resolve(); }, Math.max(1, deadline - now()));
        const w = () => { clearTimeout(t); resolve(); };
        this.waiters.add(w);
      });
    }
    return this.unread.shift();
  }

  /**
   * Holds the connection open without consuming what the client sends (socket.pause()): Node
   * still buffers up to its high-water mark, and still notices the client's FIN, but nothing
   * is framed or answered, and the client's writes pile up in the kernel beyond that.
   */
  stopReading(): void {
    this.socket.pause();
  }

  /** Writes one byte of `bytes` every `everyMs` (then `filler` forever) while the socket is open. */
  async trickle(bytes: Buffer, everyMs: number, filler = 0x78): Promise<void> {
    for (let i = 0; this.open; i++) {
      this.write(Buffer.from([i < bytes.length ? bytes[i] : filler]));
      await sleep(everyMs);
    }
  }

  /** Never closes from our side: resolves only when the socket closed (the client reset it, or close()). */
  async untilClosed(): Promise<void> {
    while (this.open) await new Promise<void>((resolve) => { this.waiters.add(resolve); });
  }

  /** Closes our side: FIN, then the socket is destroyed after a short grace. */
  close(): void {
    this.closedByUs = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 200).unref();
  }

  destroy(): void {
    this.closedByUs = true;
    this.socket.destroy();
  }

  /** One line for failure messages: what the client sent and how the connection ended. */
  describe(): string {
    const at = (t: number | undefined) => (t === undefined ? "never" : `${Math.round(t - this.openedAt)} ms`);
    return `connection ${this.index}: ${this.packets.map(typeName).join(" ") || "nothing"}; ` +
      `half-closed ${at(this.endedAt)}, released ${at(this.releasedAt)}, closed ${at(this.closedAt)}`;
  }

  private data(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (let n = packetLength(this.buf); n > 0; n = packetLength(this.buf)) {
      const packet = Buffer.from(this.buf.subarray(0, n));
      this.buf = this.buf.subarray(n);
      this.connect ??= packet;
      this.packets.push(packet);
      this.unread.push(packet);
    }
    this.notify();
  }

  private notify(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }
}

export type Behaviour = (conn: HostileConnection, index: number) => Promise<void>;

export class HostileBroker {
  readonly connections: HostileConnection[] = [];
  /** Errors thrown by behaviours, as lines (a test may assert there are none). */
  readonly failures: string[] = [];
  private readonly poll: NodeJS.Timeout;

  private constructor(private readonly server: net.Server, readonly port: number, behaviour: Behaviour) {
    server.on("connection", (s) => {
      const conn = new HostileConnection(s, this.connections.length);
      this.connections.push(conn);
      behaviour(conn, conn.index).catch((e: Error) => this.failures.push(`connection ${conn.index}: ${e.message}`));
    });
    this.poll = setInterval(() => this.checkReleased(), 20);
    this.poll.unref();
  }

  /** Listens on a free port of 127.0.0.1 and runs `behaviour` on every connection. */
  static listen(behaviour: Behaviour): Promise<HostileBroker> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: true });
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(new HostileBroker(server, (server.address() as net.AddressInfo).port, behaviour)));
    });
  }

  /** Connection n once it was accepted and its CONNECT read; undefined when the wait ends first. */
  async connection(n: number, timeoutMs: number): Promise<HostileConnection | undefined> {
    const deadline = now() + timeoutMs;
    while (this.connections[n]?.connect === undefined && now() < deadline) await sleep(10);
    return this.connections[n]?.connect ? this.connections[n] : undefined;
  }

  /** Every connection, one line each. */
  describe(): string {
    return this.connections.map((c) => c.describe()).join("\n") || "no connection";
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    for (const c of this.connections) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Marks connections whose client end has no owning socket any more (Linux: /proc/net/tcp). */
  private checkReleased(): void {
    const waiting = this.connections.filter((c) => c.releasedAt === undefined && c.socket.remotePort !== undefined);
    if (waiting.length === 0) return;
    let table: string;
    try {
      table = readFileSync("/proc/net/tcp", "utf8");
    } catch {
      return; // no /proc: only a reset or a close seen on our socket counts
    }
    const owners = new Map<string, string>(); // "clientPort:brokerPort" (hex) -> inode of the client's end
    for (const line of table.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 10) owners.set(`${f[1].split(":")[1]}:${f[2].split(":")[1]}`, f[9]);
    }
    const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, "0");
    for (const c of waiting) {
      const inode = owners.get(`${hex(c.socket.remotePort!)}:${hex(this.port)}`);
      if (inode === undefined || inode === "0") c.releasedAt = now();
    }
  }
}

// ---- A well-behaved broker, for the connections a test does not make hostile ----

/** Clean session (3.1.1) / Clean Start (5.0): bit 1 of the CONNECT flags, after the protocol name and level. */
export function cleanStart(connect: Buffer): boolean {
  let i = 1;
  while (connect[i] & 0x80) i++; // Remaining Length
  const nameLength = connect.readUInt16BE(i + 1);
  return (connect[i + 3 + nameLength + 1] & 0x02) !== 0; // name, then Protocol Level, then Connect Flags
}

/** CONNACK accepting the connection. */
export const connack = (version: 4 | 5, sessionPresent = false) => Buffer.from([
  0x20, version === 5 ? 3 : 2, // CONNACK, Remaining Length
  sessionPresent ? 1 : 0,      // Connect Acknowledge Flags: Session Present
  0x00,                        // Return Code / Reason Code: accepted
  ...(version === 5 ? [0] : []), // 5.0: Property Length 0
]);

/** An acknowledgement with a packet identifier only: PUBACK 0x40, PUBREC 0x50, PUBCOMP 0x70 (reason Success is implied). */
export const ack = (first: number, id: number) => Buffer.from([first, 0x02, id >> 8, id & 0xff]);

/** DISCONNECT (5.0) with a reason code and optional properties. */
export const disconnect = (reason: number, properties = Buffer.alloc(0)) => Buffer.concat([
  Buffer.from([0xe0, 2 + properties.length, reason, properties.length]), // DISCONNECT, Remaining Length, Reason Code, Property Length
  properties,
]);

/** The packet identifier after a PUBLISH's topic (QoS > 0), or of an acknowledgement. */
export function packetId(packet: Buffer): number {
  let i = 1;
  while (packet[i] & 0x80) i++;
  if (packet[0] >> 4 !== 3) return packet.readUInt16BE(i + 1);
  return packet.readUInt16BE(i + 3 + packet.readUInt16BE(i + 1));
}

/**
 * Answers like a broker for the rest of the connection: CONNACK (Session Present when the CONNECT
 * kept its session), SUBACK granting what was asked, PUBACK / PUBREC / PUBCOMP, PINGRESP; closes
 * after the client's DISCONNECT. `onPacket` sees each packet first; returning false skips the answer.
 */
export async function serve(conn: HostileConnection, version: 4 | 5, onPacket: (p: Buffer) => boolean | void = () => {}): Promise<void> {
  const connect = conn.connect ?? await conn.nextPacket(5000);
  if (!connect) return;
  conn.write(connack(version, !cleanStart(connect)));
  while (conn.open) {
    const p = await conn.nextPacket(60_000);
    if (!p || onPacket(p) === false) continue;
    const type = p[0] >> 4;
    if (type === 3 && (p[0] & 0x06) !== 0) conn.write(ack((p[0] & 0x06) === 2 ? 0x40 : 0x50, packetId(p)));
    if (type === 6) conn.write(ack(0x70, packetId(p)));
    if (type === 8) conn.write(suback(p, version));
    if (type === 12) conn.write(Buffer.from([0xd0, 0x00])); // PINGRESP
    if (type === 14) conn.close();
  }
}

/** SUBACK granting the QoS each subscription of a SUBSCRIBE asked for. */
function suback(subscribe: Buffer, version: 4 | 5): Buffer {
  let i = 1;
  while (subscribe[i] & 0x80) i++;
  const id = subscribe.readUInt16BE(i + 1);
  i += 3;
  if (version === 5) {
    let props = 0, shift = 0;
    for (;;) { const b = subscribe[i++]; props += (b & 0x7f) << shift; shift += 7; if (!(b & 0x80)) break; }
    i += props;
  }
  const codes: number[] = [];
  while (i < subscribe.length) {
    i += 2 + subscribe.readUInt16BE(i); // Topic Filter
    codes.push(subscribe[i++] & 0x03);  // Subscription Options: Maximum QoS, granted as asked
  }
  const body = [id >> 8, id & 0xff, ...(version === 5 ? [0] : []), ...codes]; // Packet Identifier, 5.0 Property Length, codes
  return Buffer.from([0x90, body.length, ...body]);
}

/** The brokers one test file started: listen() in a test, closeAll() in afterEach. */
export class BrokerPool {
  private readonly open: HostileBroker[] = [];

  async listen(behaviour: Behaviour): Promise<HostileBroker> {
    const b = await HostileBroker.listen(behaviour);
    this.open.push(b);
    return b;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((b) => b.close()));
  }
}

/** mote's flags for a broker, and for an MQTT version. */
export const brokerArgs = (b: HostileBroker) => ["-h", "127.0.0.1", "-p", String(b.port)];
export const versionArgs = (v: 4 | 5) => (v === 5 ? ["-V", "5"] : []);
