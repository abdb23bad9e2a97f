// A FIFO of byte chunks that hands out exactly n bytes, splitting a chunk when it must.

export class ChunkQueue {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  get length(): number {
    return this.bytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** Up to n bytes from the front. */
  take(n: number): Buffer {
    n = Math.min(n, this.bytes);
    this.bytes -= n;
    const parts: Buffer[] = [];
    while (n > 0) {
      const head = this.chunks[0]!;
      if (head.length <= n) {
        parts.push(head);
        this.chunks.shift();
        n -= head.length;
      } else {
        parts.push(head.subarray(0, n));
        this.chunks[0] = head.subarray(n);
        n = 0;
      }
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  clear(): void {
    this.chunks.length = 0;
    this.bytes = 0;
  }
}
