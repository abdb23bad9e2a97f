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

  note(kind: string, e: Error): void {
    this.total++;
    const shape = `${kind}: ${e.message.replace(/\d+/g, "N")}`;
    const c = this.byShape.get(shape) ?? { kind, count: 0, example: e.message };
    c.count++;
    this.byShape.set(shape, c);
  }

  list(): ErrorCount[] {
    return [...this.byShape.values()];
  }
}
