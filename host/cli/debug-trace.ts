// mote pub/sub -d: every MQTT packet both ways, on stderr, as mosquitto's -d line ("Client id
// sending PUBLISH (d0, q1, r0, m1, 'topic', ... (5 bytes))") followed by the packet's bytes in
// hex. The bytes are the ones the Device's packet meters see, framed by the one framer; this
// file only reads the few header fields a line shows, it never judges a packet (the firmware does).
import type { Device } from "../device.ts";
import { Framer } from "../mqtt-framer.ts";

/** Bytes of a packet shown in hex; the rest is counted. */
const HEX_BYTES_MAX = 256;
const NAMES = ["RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK",
  "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"];

/** A cursor over a packet's body that answers undefined instead of reading past the end. */
class Reader {
  constructor(private readonly b: Buffer, public at: number) {}
  u8(): number | undefined { return this.at < this.b.length ? this.b[this.at++] : undefined; }
  u16(): number | undefined {
    if (this.at + 2 > this.b.length) return undefined;
    this.at += 2;
    return this.b.readUInt16BE(this.at - 2);
  }
  str(): string | undefined {
    const n = this.u16();
    if (n === undefined || this.at + n > this.b.length) return undefined;
    this.at += n;
    return this.b.toString("utf8", this.at - n, this.at);
  }
  varint(): number | undefined {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const x = this.u8();
      if (x === undefined) return undefined;
      v += (x & 0x7f) * 128 ** i;
      if ((x & 0x80) === 0) return v;
    }
    return undefined;
  }
  /** Skips MQTT 5 properties. */
  skipProperties(): void {
    const n = this.varint();
    if (n !== undefined) this.at += n;
  }
  get left(): number { return this.b.length - this.at; }
}

/** Where the body starts: after the type byte and the Remaining Length. */
function bodyStart(p: Buffer): number {
  let i = 1;
  while (i < p.length && i < 5 && p[i] & 0x80) i++;
  return i + 1;
}

/** What mosquitto's -d line says after the packet name. */
function details(p: Buffer, v5: boolean): string {
  const type = p[0] >> 4;
  const r = new Reader(p, bodyStart(p));
  switch (type) {
    case 2: {
      r.u8();
      return ` (${r.u8() ?? "?"})`;
    }
    case 3: {
      const qos = (p[0] >> 1) & 3;
      const topic = r.str() ?? "?";
      const id = qos > 0 ? r.u16() ?? 0 : 0;
      if (v5) r.skipProperties();
      return ` (d${(p[0] >> 3) & 1}, q${qos}, r${p[0] & 1}, m${id}, '${topic}', ... (${Math.max(0, r.left)} bytes))`;
    }
    case 4: case 5: case 6: case 7: {
      const id = r.u16();
      const rc = r.left > 0 ? `, RC:${r.u8()}` : "";
      return ` (Mid: ${id ?? "?"}${rc})`;
    }
    case 8: case 10: {
      const id = r.u16();
      if (v5) r.skipProperties();
      const topics: string[] = [];
      while (r.left > 0) {
        const t = r.str();
        if (t === undefined) break;
        topics.push(type === 8 ? `Topic: ${t}, QoS: ${(r.u8() ?? 0) & 3}` : `Topic: ${t}`);
      }
      return ` (Mid: ${id ?? "?"}, ${topics.join("; ")})`;
    }
    case 9: case 11: {
      const id = r.u16();
      if (v5) r.skipProperties();
      const codes: number[] = [];
      for (let c = r.u8(); c !== undefined; c = r.u8()) codes.push(c);
      return ` (Mid: ${id ?? "?"}${codes.length > 0 ? `, codes: ${codes.join(", ")}` : ""})`;
    }
    case 14: case 15:
      return r.left > 0 ? ` (reason: 0x${r.u8()!.toString(16).padStart(2, "0")})` : "";
  }
  return "";
}

/** CONNECT flag bits: will, user name, password. */
const WILL = 0x04, USERNAME = 0x80, PASSWORD = 0x40;

/**
 * The packet as it may be shown: a CONNECT's password bytes become '*' (0x2a), and an AUTH's data
 * is cut after its reason code, so no secret reaches a terminal or a log through -d.
 */
export function shownBytes(p: Buffer): Buffer {
  const type = p[0] >> 4;
  if (type === 15) return p.subarray(0, Math.min(p.length, bodyStart(p) + 1));
  if (type !== 1) return p;
  const r = new Reader(p, bodyStart(p));
  r.str(); // protocol name
  const level = r.u8();
  const flags = r.u8() ?? 0;
  if ((flags & PASSWORD) === 0) return p;
  r.u16(); // keep alive
  if (level === 5) r.skipProperties();
  r.str(); // client id
  if (flags & WILL) {
    if (level === 5) r.skipProperties();
    r.str();
    r.str(); // will payload: a length and bytes, as a string
  }
  if (flags & USERNAME) r.str();
  const n = r.u16();
  const out = Buffer.from(p);
  // Whatever did not parse is hidden whole rather than shown.
  out.fill(0x2a, n === undefined ? bodyStart(p) : r.at, n === undefined ? out.length : Math.min(out.length, r.at + n));
  return out;
}

function hex(packet: Buffer): string {
  const p = shownBytes(packet);
  const shown = p.subarray(0, HEX_BYTES_MAX).toString("hex").replace(/(..)(?!$)/g, "$1 ");
  return p.length > HEX_BYTES_MAX ? `${shown} ... (${p.length} bytes)` : shown;
}

/** One direction of the stream: whole packets out of chunks. */
function packets(onPacket: (p: Buffer) => void): (chunk: Uint8Array) => void {
  const framer = new Framer(true, true);
  let parts: Buffer[] = [];
  return (chunk) => {
    framer.split(chunk, 0, (start, end, _type, _first, last) => {
      parts.push(Buffer.from(chunk.subarray(start, end)));
      if (!last) return;
      onPacket(Buffer.concat(parts));
      parts = [];
    });
  };
}

/** Prints every packet the Device sends and receives from now on. */
export function traceDevice(d: Device, clientId: string, v5: boolean, write: (line: string) => void): void {
  const line = (dir: string) => (p: Buffer) => {
    write(`Client ${clientId} ${dir} ${NAMES[p[0] >> 4]}${details(p, v5)}\n    ${hex(p)}\n`);
  };
  // The Device counts every chunk it sends and receives in its meters: the trace reads the same chunks.
  for (const [meter, dir] of [[d.sentBytes, "sending"], [d.receivedBytes, "received"]] as const) {
    const add = meter.add.bind(meter);
    const trace = packets(line(dir));
    meter.add = (chunk: Uint8Array) => {
      add(chunk);
      trace(chunk);
    };
  }
}
