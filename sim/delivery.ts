// Delivery bookkeeping of the observer: which sequence numbers of each sensor have arrived.
// Sequence numbers start at 0 and rise by one, so per sensor one counter ("everything below
// this arrived") plus a set of early arrivals (rare: only after a resend reorders) is enough.

export class DeliveryLedger {
  private readonly below: Uint32Array;
  private readonly early = new Map<number, Set<number>>();

  constructor(readonly sensors: number) {
    this.below = new Uint32Array(sensors);
  }

  /** Records (sensor, seq); returns false when it had arrived before (a duplicate). */
  record(sensor: number, seq: number): boolean {
    const b = this.below[sensor];
    if (seq < b) return false;
    if (seq === b) {
      let next = b + 1;
      const set = this.early.get(sensor);
      if (set) {
        while (set.delete(next)) next++;
        if (set.size === 0) this.early.delete(sensor);
      }
      this.below[sensor] = next;
      return true;
    }
    let set = this.early.get(sensor);
    if (!set) this.early.set(sensor, (set = new Set()));
    if (set.has(seq)) return false;
    set.add(seq);
    return true;
  }

  /** Distinct sequence numbers of `sensor` received so far. */
  count(sensor: number): number {
    return this.below[sensor] + (this.early.get(sensor)?.size ?? 0);
  }
}

/** True when every topic `b` matches is also matched by `a` (topic filters, MQTT 4.7). */
export function filterCovers(a: string, b: string): boolean {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < x.length; i++) {
    if (x[i] === "#") return true;
    if (i >= y.length) return false;
    if (y[i] === "#") return false;
    if (x[i] !== "+" && x[i] !== y[i]) return false;
  }
  return x.length === y.length;
}

/** The filter matching every topic a template can produce: a segment with a placeholder becomes '+'. */
export function templateFilter(template: string): string {
  return template.split("/").map((s) => (/\{[a-z]+\}/.test(s) ? "+" : s)).join("/");
}

/** The fewest filters covering all templates, so no message matches two subscriptions (no false duplicates). */
export function observerFilters(templates: string[]): string[] {
  const all = [...new Set(templates.map(templateFilter))];
  return all.filter((f, i) => !all.some((g, j) => j !== i && filterCovers(g, f) && (!filterCovers(f, g) || j < i)));
}
