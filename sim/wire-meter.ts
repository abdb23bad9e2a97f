// MQTT bytes per packet type for a whole group of sensors, framed per connection. A fleet has
// thousands of streams, so the per-stream state is three numbers (WireFraming) and the tables
// are shared typed arrays (WireTable), unlike host/packet-meter.ts's per-stream maps.
import { PacketType } from "../host/abi.ts";
import type { PacketTable } from "./report-types.ts";

/** Where one byte stream is in its current packet. */
export class WireFraming {
  /** Bytes of the current packet body still to come. */
  need = 0;
  /** Remaining Length read so far, and how many of its bytes; -1 when expecting a first byte. */
  length = 0;
  lengthBytes = -1;
  type = 0;

  reset(): void {
    this.need = 0;
    this.length = 0;
    this.lengthBytes = -1;
  }
}

export class WireTable {
  readonly bytes = new Float64Array(16);
  readonly packets = new Float64Array(16);

  /** Accounts for a chunk of one stream (its framing state is `f`). */
  add(f: WireFraming, chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (f.need > 0) {
        const n = Math.min(f.need, chunk.length - i);
        f.need -= n;
        i += n;
        continue;
      }
      const b = chunk[i++];
      if (f.lengthBytes < 0) {
        f.type = b >> 4;
        f.length = 0;
        f.lengthBytes = 0;
        continue;
      }
      f.length += (b & 0x7f) * 128 ** f.lengthBytes++;
      if ((b & 0x80) !== 0 && f.lengthBytes < 4) continue;
      this.bytes[f.type] += 1 + f.lengthBytes + f.length;
      this.packets[f.type]++;
      f.need = f.length;
      f.lengthBytes = -1;
    }
  }

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
