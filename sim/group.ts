// One group of the fleet at run time: its configuration, how its sensors open a connection
// (the broker, through the group's link model or its emulated modems), and what it counts.
import type { Duplex } from "node:stream";
import type { GroupConfig } from "./config.ts";
import { shapeLink, isDirect, OutageSchedule } from "./link-model.ts";
import { WireTable } from "./wire-meter.ts";
import { Prng } from "./prng.ts";
import { Histogram } from "./histogram.ts";

export class GroupRun {
  readonly up = new WireTable();
  readonly down = new WireTable();
  published = 0;
  refused = 0;
  delivered = 0;
  duplicates = 0;
  reconnects = 0;
  /** The most QoS 1/2 messages one sensor of the group held at once (accepted, not yet acknowledged). */
  maxQueued = 0;
  connects = 0;
  /** Publish-to-delivery latencies (ms) seen by the observer, over the run. */
  readonly latencies = new Histogram();
  /** The same, since the time series last took them (Fleet.totals()). */
  private readonly periodLatencies = new Histogram();
  /** Connect-to-CONNACK times (ms): from a connection's first byte of CONNECT to its CONNACK. */
  readonly connectTimes = new Histogram();
  /** Where a sensor records a connect time (sim/sensor.ts calls connectMs.push(ms)). */
  readonly connectMs = { push: (ms: number): void => this.connectTimes.add(ms) };
  /** Payload sizes published (for the typical message of the report). */
  readonly payloadSizes: number[] = [];
  readonly outages: OutageSchedule;
  private readonly random: () => number;

  constructor(
    readonly cfg: GroupConfig,
    /** Global ids of this group's sensors in this shard: [first, end). */
    readonly first: number,
    readonly end: number,
    /** The plain connection to the broker (without this group's impairments). */
    private readonly base: () => Duplex,
    startMs: number,
    seed: number,
  ) {
    this.outages = new OutageSchedule(cfg.link.outages, startMs);
    const prng = new Prng(seed);
    this.random = () => prng.next();
  }

  /** The observer saw a delivery `ms` after its publish. */
  delivery(ms: number): void {
    this.latencies.add(ms);
    this.periodLatencies.add(ms);
  }

  /** Adds the latencies since the last call to `into` and starts a new period. */
  takePeriodLatencies(into: Histogram): void {
    into.merge(this.periodLatencies);
    this.periodLatencies.clear();
  }

  get size(): number {
    return this.end - this.first;
  }

  /** A new connection of one of this group's sensors, as its link model shapes it. */
  open(base = this.base): Duplex {
    if (this.outages.isDown()) return this.outages.refused();
    const t = isDirect(this.cfg.link) ? base() : shapeLink(base(), this.cfg.link, this.random);
    if (this.cfg.link.outages.length > 0) this.outages.track(t);
    return t;
  }

  topicOf(id: number): string {
    return this.cfg.topic.replaceAll("{id}", String(id)).replaceAll("{group}", this.cfg.name).replaceAll("{model}", this.cfg.model);
  }
}
