// The end of a transparent-mode stream. The modem ends passthrough with a marker in the data
// itself: NO CARRIER when the server closes, OK when it takes our escape. A marker may span two
// chunks, so the last bytes of the stream are kept.

const TAIL_BYTES = 16;

export type StreamEnd = "closed" | "escaped" | undefined;

export class PassthroughEnd {
  private tail = Buffer.alloc(0);
  private escapeWaiter: (() => void) | undefined;

  constructor(private readonly closedMarker: string | undefined, private readonly escapeReply: string | undefined) {}

  /** A new stream starts. */
  reset(): void {
    this.tail = Buffer.alloc(0);
  }

  /** Resolves when the modem confirms the escape (the caller races it against a guard time). */
  escapeConfirmed(): Promise<void> {
    return new Promise<void>((r) => (this.escapeWaiter = r));
  }

  stopWaiting(): void {
    this.escapeWaiter = undefined;
  }

  /** Splits a chunk into data and how the stream ended with it, if it did. */
  take(bytes: Buffer): { data: Buffer; end: StreamEnd } {
    const closed = this.markerAt(bytes, this.closedMarker);
    const escaped = this.escapeWaiter ? this.markerAt(bytes, this.escapeReply) : -1;
    const at = closed >= 0 ? closed : escaped;
    if (at < 0) {
      this.tail = Buffer.from(Buffer.concat([this.tail, bytes]).subarray(-TAIL_BYTES));
      return { data: bytes, end: undefined };
    }
    if (escaped >= 0) this.escapeWaiter?.();
    return { data: bytes.subarray(0, at), end: closed >= 0 ? "closed" : "escaped" };
  }

  /** Where `marker` starts in `bytes` when the stream ends with it (it may have begun in the previous chunk), else -1. */
  private markerAt(bytes: Buffer, marker: string | undefined): number {
    if (!marker) return -1;
    const seen = Buffer.concat([this.tail, bytes]);
    if (seen.length < marker.length || seen.toString("latin1", seen.length - marker.length) !== marker) return -1;
    return Math.max(0, bytes.length - marker.length);
  }
}
