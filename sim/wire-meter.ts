// MQTT bytes per packet type for a whole group of sensors, framed per connection by the one
// framer (host/mqtt-framer.ts). A fleet has thousands of streams, so the per-stream state is a
// framer of a few numbers and the tables are shared typed arrays (WireTable), unlike
// host/packet-meter.ts's per-stream maps.
import { PacketType } from "../host/abi.ts";
import { Framer } from "../host/mqtt-framer.ts";
import type { PacketTable } from "./report-types.ts";

/** The framing of one stream: the one framer, resynchronising after bytes that are not MQTT framing. */
export function wireFraming(): Framer {
  return new Framer(true, true);
}

const ignorePiece = (): void => {};

export class WireTable {
  readonly bytes = new Float64Array(16);
  readonly packets = new Float64Array(16);

  /** Accounts for a chunk of one stream (its framing state is `f`). */
  add(f: Framer, chunk: Uint8Array): void {
    f.split(chunk, 0, ignorePiece, this.header);
  }

  /** A packet is counted, whole, once its fixed header is complete. */
  private readonly header = (type: number, headerBytes: number, remaining: number): void => {
    this.bytes[type] += headerBytes + remaining;
    this.packets[type]++;
  };

  merge(other: WireTable): void {
    for (let t = 0; t < 16; t++) {
      this.bytes[t] += other.bytes[t];
      this.packets[t] += other.packets[t];
    }
  }

  /** Bytes and packets of every type, or of every type but `except`. */
  total(except: readonly PacketType[] = []): { bytes: number; packets: number } {
    let bytes = 0;
    let packets = 0;
    for (let t = 0; t < 16; t++) {
      if (except.includes(t)) continue;
      bytes += this.bytes[t];
      packets += this.packets[t];
    }
    return { bytes, packets };
  }

  table(): PacketTable {
    const out: PacketTable = {};
    for (let t = 0; t < 16; t++) {
      if (this.packets[t] === 0) continue;
      const packets = this.packets[t];
      out[PacketType[t] ?? `TYPE${t}`] = { packets, bytes: this.bytes[t], bytesPerPacket: Math.round((this.bytes[t] / packets) * 10) / 10 };
    }
    return out;
  }
}
