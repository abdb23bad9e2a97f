// UTF-8 bytes of recently used topics: a sensor publishes to a few topics over and over, and
// encoding the same string for every message costs more than looking it up.

/** Topics kept before the cache starts over (a bound, not a tuning knob). */
export const TOPIC_CACHE_ENTRIES_MAX = 256;

export class TopicCache {
  private readonly map = new Map<string, Buffer>();

  bytes(topic: string): Buffer {
    let b = this.map.get(topic);
    if (!b) {
      b = Buffer.from(topic, "utf8");
      if (this.map.size >= TOPIC_CACHE_ENTRIES_MAX) this.map.clear();
      this.map.set(topic, b);
    }
    return b;
  }
}
