// Counts MQTT bytes per packet type in a byte stream (either direction), framed by the one
// framer (mqtt-framer.ts). Used for byte budgets; it does not validate (the firmware does).
import { PacketType } from "./abi.ts";
import { Framer } from "./mqtt-framer.ts";

/** Called with the packet identifier of each PUBACK/PUBREC/PUBCOMP in the stream (watch()). */
export type AckWatcher = (type: PacketType, packetId: number) => void;

const NO_BYTES: Uint8Array = new Uint8Array(0);
const ACKS = new Set([PacketType.PUBACK, PacketType.PUBREC, PacketType.PUBCOMP]);

export class PacketMeter {
  readonly bytes = new Map<string, number>();
  readonly packets = new Map<string, number>();
  /** Resynchronises on the next byte after bytes that are not MQTT framing. */
  private readonly framer = new Framer(true, true);
  private watcher: AckWatcher | undefined;
  /** The acknowledgement being read: its type and the identifier bytes seen so far. */
  private ack: { type: PacketType; id: number; got: number } | undefined;
  /** The chunk being framed (piece() reads acknowledgement identifiers from it). */
  private chunk = NO_BYTES;

  /** Reports the packet identifier of every acknowledgement of a publish, as it is read. */
  watch(w: AckWatcher): void {
    this.watcher = w;
  }

  /** Accounts for a chunk of the stream. */
  add(chunk: Uint8Array): void {
    this.chunk = chunk;
    this.framer.split(chunk, 0, this.piece, this.header);
    this.chunk = NO_BYTES;
  }

  /** A packet is counted, whole, once its fixed header is complete. */
  private readonly header = (type: number, headerBytes: number, remaining: number): void => {
    const name = PacketType[type] ?? `TYPE${type}`;
    this.bytes.set(name, (this.bytes.get(name) ?? 0) + headerBytes + remaining);
    this.packets.set(name, (this.packets.get(name) ?? 0) + 1);
    this.ack = this.watcher && ACKS.has(type) && remaining >= 2 ? { type, id: 0, got: 0 } : undefined;
  };

  /** Body pieces of an acknowledgement carry its packet identifier first. */
  private readonly piece = (start: number, end: number, type: number, first: boolean): void => {
    const a = this.ack;
    if (a === undefined || first || type !== a.type) return;
    for (let k = start; k < end && a.got < 2; k++, a.got++) a.id = (a.id << 8) | this.chunk[k];
    if (a.got < 2) return;
    this.ack = undefined;
    this.watcher!(a.type, a.id);
  };

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
