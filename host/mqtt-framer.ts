// The one MQTT framer: packet boundaries in a byte stream, read from the fixed header (type,
// Remaining Length). It does not validate (the broker and the firmware do). The packet meter,
// the simulator's wire meter, the raw bridge and the tests' brokers all frame with it.
//
// A Remaining Length has at most four bytes [MQTT-1.5.5]; a fourth with the continuation bit set
// is not MQTT framing. What happens next is the owner's choice: the bridge loses the framing
// until reset() (it must never forward half a packet as a whole one), a meter resynchronises on
// the next byte (it only counts).

/** Bytes a Remaining Length may take. */
export const LENGTH_BYTES_MAX = 4;

/**
 * Pieces of the stream: data[start, end) belongs to a packet of `type` (-1: outside MQTT
 * framing); `first` when the piece holds the packet's first byte, `last` when it ends the packet.
 */
export type Emit = (start: number, end: number, type: number, first: boolean, last: boolean) => void;

/** A fixed header is complete: the packet's type, the header's bytes and the Remaining Length. */
export type OnHeader = (type: number, headerBytes: number, remaining: number) => void;

/**
 * Length of the complete packet at the start of `buf` (from `at`): > 0 when it is all there,
 * 0 when more bytes are needed, -1 when the bytes are not MQTT framing.
 */
export function packetLength(buf: Uint8Array, at = 0): number {
  let length = 0;
  for (let i = 1; i <= LENGTH_BYTES_MAX; i++) {
    if (at + i >= buf.length) return 0;
    const b = buf[at + i];
    length += (b & 0x7f) * 128 ** (i - 1);
    if ((b & 0x80) === 0) return at + 1 + i + length <= buf.length ? 1 + i + length : 0;
  }
  return -1;
}

export class Framer {
  private type = -1;
  private inHeader = false;
  private remaining = 0;
  private length = 0;
  private lengthBytes = 0;

  /**
   * @param synced whether the stream starts at a packet boundary (the bridge's board side does not).
   * @param resync on bytes that are not MQTT framing, start over at the next byte instead of losing the framing.
   */
  constructor(public synced: boolean, private readonly resync = false) {}

  get atBoundary(): boolean {
    return this.synced && !this.inHeader && this.remaining === 0;
  }

  /** The stream is at a packet boundary from here on. */
  reset(): void {
    this.synced = true;
    this.inHeader = false;
    this.remaining = 0;
  }

  /** Frames data[from..]: `emit` gets every piece, `onHeader` each fixed header once it is complete. */
  split(data: Uint8Array, from: number, emit: Emit, onHeader?: OnHeader): void {
    let i = from;
    while (i < data.length) {
      if (!this.synced) {
        emit(i, data.length, -1, false, false);
        return;
      }
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, data.length - i);
        this.remaining -= n;
        emit(i, i + n, this.type, false, this.remaining === 0);
        i += n;
        continue;
      }
      const first = !this.inHeader;
      const complete = this.headerByte(data[i]);
      i++;
      if (!this.synced && this.resync) {
        emit(i - 1, i, -1, false, false);
        this.reset();
        continue;
      }
      emit(i - 1, i, this.type, first, this.atBoundary);
      if (complete) onHeader?.(this.type, 1 + this.lengthBytes, this.length);
    }
  }

  /** Reads one fixed-header byte; true when it completed the header. */
  private headerByte(b: number): boolean {
    if (!this.inHeader) {
      this.type = b >> 4;
      this.inHeader = true;
      this.length = 0;
      this.lengthBytes = 0;
      return false;
    }
    this.length += (b & 0x7f) * 128 ** this.lengthBytes++;
    if ((b & 0x80) === 0) {
      this.inHeader = false;
      this.remaining = this.length;
      return true;
    }
    if (this.lengthBytes === LENGTH_BYTES_MAX) this.synced = false;
    return false;
  }
}
