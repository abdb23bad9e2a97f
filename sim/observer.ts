// The observer: one more client of the broker, subscribed to every sensor topic of this shard,
// that checks each delivery against the sensor's sequence numbers and measures the latency from
// the payload's timestamp. It tells sensors apart by the id in the payload, never by the topic:
// a fleet may publish to one topic for all. It runs the same firmware (large profile) through the Device API.
import { type Device } from "../host/device.ts";
import { connectAsync } from "../host/device-connect.ts";
import type { Transport } from "../host/transports/transport.ts";
import type { FleetBroker } from "./broker.ts";
import type { GroupRun } from "./group.ts";
import { decodeHeader, type Header, type PayloadFormat } from "./payload.ts";
import { DeliveryLedger, observerFilters } from "./delivery.ts";
import { loginOf, type Credentials } from "./credentials.ts";

export const SUBSCRIBE_TIMEOUT_MS = 15_000;

/** Subscribes `who` (a watching client of the fleet) to `filters`: a SUBACK within SUBSCRIBE_TIMEOUT_MS granting every one, or an error. */
export async function subscribeWithin(device: Device, filters: string[], qos: 0 | 1 | 2, who: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${who}'s subscription got no SUBACK within ${SUBSCRIBE_TIMEOUT_MS / 1000} s`)), SUBSCRIBE_TIMEOUT_MS);
  });
  const codes = await Promise.race([device.subscribe(filters.map((topic) => ({ topic, qos }))), timeout]).finally(() => clearTimeout(timer));
  const refused = codes.findIndex((c) => c >= 0x80);
  if (refused >= 0) throw new Error(`the broker refused ${who}'s subscription to '${filters[refused]}' (reason 0x${codes[refused].toString(16)})`);
}

export class Observer {
  /** Messages on our topics that did not decode as a payload of their sensor's format, or came from a sensor outside this shard. */
  unreadable = 0;
  foreign = 0;
  private device: Device | undefined;
  private readonly ledger: DeliveryLedger;
  /** Per sensor (index id - first): its slowest delivery (ms) and its deliveries seen twice, for the report's worst sensors. */
  private readonly slowest: Uint32Array;
  private readonly twice: Uint32Array;
  private readonly groupOf: GroupRun[] = [];
  /** The formats this shard's sensors publish in; a payload is read in whichever of them accepts it. */
  private readonly formats: PayloadFormat[];

  constructor(
    private readonly groups: GroupRun[],
    private readonly first: number,
    private readonly clock: () => number,
    /** A lost connection or another error of the observer's device (it reconnects by itself). */
    private readonly onError: (e: Error) => void,
  ) {
    const total = groups.reduce((n, g) => n + g.size, 0);
    this.ledger = new DeliveryLedger(total);
    this.slowest = new Uint32Array(total);
    this.twice = new Uint32Array(total);
    for (const g of groups) for (let id = g.first; id < g.end; id++) this.groupOf[id - first] = g;
    this.formats = [...new Set(groups.map((g) => g.cfg.payload))];
  }

  async start(broker: FleetBroker, o: { version: 4 | 5; clientId: string; url?: string; credentials: Credentials }): Promise<void> {
    const transport: Transport = { kind: "observer", open: () => broker.open(), wireBytes: () => undefined };
    // Over a network, the observer asks for the sensors' highest QoS, so the broker keeps what
    // it owes it. The embedded broker reaches it through an in-process pipe, where nothing can
    // be lost; there QoS 0 spares aedes its in-memory QoS 1 queue, whose acknowledgements cost
    // time linear in its length and, with 100,000 sensors, fall ever further behind.
    const qos = broker.inProcess ? 0 : (Math.max(...this.groups.map((g) => g.cfg.qos)) as 0 | 1 | 2);
    const filters = observerFilters(this.groups.map((g) => g.cfg.topic));
    const device = await connectAsync(o.url ?? "mqtt://127.0.0.1", {
      transport, profile: "large", protocolVersion: o.version, clientId: o.clientId, clean: true, keepalive: 30, connectTimeout: SUBSCRIBE_TIMEOUT_MS,
      ...loginOf(o.credentials, "observer", o.version),
    }, (d) => {
      d.on("message", (_topic: string, payload: Buffer) => this.onMessage(payload));
      d.on("error", (e: Error) => this.onError(e));
    });
    this.device = device;
    await subscribeWithin(device, filters, qos, "the observer");
  }

  /** Distinct messages received from the sensor with this global id. */
  delivered(id: number): number {
    return this.ledger.count(id - this.first);
  }

  /** The slowest delivery (ms) and the duplicates of the sensor with this global id. */
  worst(id: number): { maxLatencyMs: number; duplicates: number } {
    return { maxLatencyMs: this.slowest[id - this.first] ?? 0, duplicates: this.twice[id - this.first] ?? 0 };
  }

  async end(): Promise<void> {
    await this.device?.end().catch(() => {});
  }

  private onMessage(payload: Buffer): void {
    const read = this.read(payload);
    if (!read) {
      this.unreadable++;
      return;
    }
    const { h, format } = read;
    const i = h.id - this.first;
    const g = i >= 0 && i < this.groupOf.length ? this.groupOf[i] : undefined;
    if (!g) {
      this.foreign++;
      return;
    }
    if (g.cfg.payload !== format) {
      this.unreadable++;
      return;
    }
    if (this.ledger.record(i, h.seq)) {
      g.delivered++;
      const ms = Math.max(0, Math.round(this.clock()) - h.ts);
      g.delivery(ms);
      if (ms > this.slowest[i]) this.slowest[i] = ms;
    } else {
      g.duplicates++;
      this.twice[i]++;
    }
  }

  private read(payload: Buffer): { h: Header; format: PayloadFormat } | undefined {
    for (const format of this.formats) {
      const h = decodeHeader(format, payload);
      if (h) return { h, format };
    }
    return undefined;
  }
}
