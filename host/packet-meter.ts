// Counts MQTT bytes per packet type in a byte stream (either direction), framing packets by
// their fixed header. Used for byte budgets; it does not validate (the firmware does).
import { PacketType } from "./abi.ts";

/** Called with the packet identifier of each PUBACK/PUBREC/PUBCOMP in the stream (watch()). */
export type AckWatcher = (type: PacketType, packetId: number) => void;

const ACKS = new Set([PacketType.PUBACK, PacketType.PUBREC, PacketType.PUBCOMP]);

export class PacketMeter {
  readonly bytes = new Map<string, number>();
  readonly packets = new Map<string, number>();
  private need = 0; // bytes of the current packet still to come
  private header: number[] = [];
  private watcher: AckWatcher | undefined;
  /** The acknowledgement being read: its type and the identifier bytes seen so far. */
  private ack: { type: PacketType; id: number; got: number } | undefined;

  /** Reports the packet identifier of every acknowledgement of a publish, as it is read. */
  watch(w: AckWatcher): void {
    this.watcher = w;
  }

  /** Accounts for a chunk of the stream. */
  add(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.need > 0) {
        const n = Math.min(this.need, chunk.length - i);
        if (this.ack) this.readAckId(chunk, i, n);
        this.need -= n;
        i += n;
        continue;
      }
      this.header.push(chunk[i++]);
      const h = this.header;
      if (h.length < 2 || (h[h.length - 1] & 0x80) !== 0) {
        if (h.length > 5) this.header = []; // not MQTT framing: resynchronise on the next byte
        continue;
      }
      let remaining = 0;
      for (let k = h.length - 1; k >= 1; k--) remaining = remaining * 128 + (h[k] & 0x7f);
      const name = PacketType[h[0] >> 4] ?? `TYPE${h[0] >> 4}`;
      this.bytes.set(name, (this.bytes.get(name) ?? 0) + h.length + remaining);
      this.packets.set(name, (this.packets.get(name) ?? 0) + 1);
      this.need = remaining;
      this.ack = this.watcher && ACKS.has(h[0] >> 4) && remaining >= 2 ? { type: h[0] >> 4, id: 0, got: 0 } : undefined;
      this.header = [];
    }
  }

  private readAckId(chunk: Uint8Array, at: number, n: number): void {
    const a = this.ack!;
    for (let k = 0; k < n && a.got < 2; k++, a.got++) a.id = (a.id << 8) | chunk[at + k];
    if (a.got < 2) return;
    this.ack = undefined;
    this.watcher!(a.type, a.id);
  }

  merge(other: PacketMeter): void {
    for (const [k, v] of other.bytes) this.bytes.set(k, (this.bytes.get(k) ?? 0) + v);
    for (const [k, v] of other.packets) this.packets.set(k, (this.packets.get(k) ?? 0) + v);
  }

  table(): Record<string, { packets: number; bytes: number; bytesPerPacket: number }> {
    const out: Record<string, { packets: number; bytes: number; bytesPerPacket: number }> = {};
    for (const [k, bytes] of [...this.bytes].sort()) {
      const packets = this.packets.get(k) ?? 0;
      out[k] = { packets, bytes, bytesPerPacket: packets ? Math.round((bytes / packets) * 10) / 10 : 0 };
    }
    return out;
  }
}
