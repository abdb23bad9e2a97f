// Errors of a fleet run, counted by kind and message shape (numbers masked, so "cannot connect
// to 127.0.0.1:40231" from a thousand sensors is one line), each with a first example.

export interface ErrorCount {
  kind: string;
  count: number;
  example: string;
}

export class ErrorTally {
  total = 0;
  private readonly byShape = new Map<string, ErrorCount>();
  private readonly latest = new Map<string, string>();

  note(kind: string, e: Error): void {
    this.total++;
    this.latest.set(kind, e.message);
    const shape = `${kind}: ${e.message.replace(/\d+/g, "N")}`;
    const c = this.byShape.get(shape) ?? { kind, count: 0, example: e.message };
    c.count++;
    this.byShape.set(shape, c);
  }

  /** Errors of one kind: how many, and the latest example's message. */
  ofKind(kind: string): { count: number; latest?: string } {
    const of = this.list().filter((c) => c.kind === kind);
    return { count: of.reduce((n, c) => n + c.count, 0), latest: this.latest.get(kind) };
  }

  /** Errors whose message is exactly `message` (a scheduled outage's "link down"), of any kind. */
  withMessage(message: string): number {
    return this.list().filter((c) => c.example === message).reduce((n, c) => n + c.count, 0);
  }

  list(): ErrorCount[] {
    return [...this.byShape.values()];
  }
}
