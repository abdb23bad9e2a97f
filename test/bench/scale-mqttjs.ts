// The MQTT.js side of the TCP scale benchmark, run as its own process by test/bench/scale.ts:
// N MQTT.js clients on real TCP to the broker, each publishing one QoS 1 reading per interval,
// measured the way the simulator measures its fleet (sim/memory.ts): RSS and heap growth from a
// warm first tenth of the clients, connected, to all of them connected, per client added. The
// readings are the simulator's (same model, same JSON payload, same sequence numbers), and one
// subscriber in this process verifies delivery per client with the simulator's ledger.
// Usage: node --expose-gc --import tsx test/bench/scale-mqttjs.ts --url mqtt://127.0.0.1:PORT
//          --clients N --ramp R --interval MS --duration MS --drain MS [--qos 1]
// Prints one JSON line (MqttjsResult).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import mqtt, { type MqttClient } from "mqtt";
import { createModel, type SensorModel } from "../../sim/models.ts";
import { encodePayload, decodeHeader } from "../../sim/payload.ts";
import { DeliveryLedger } from "../../sim/delivery.ts";
import { Prng, sensorSeed } from "../../sim/prng.ts";
import { memorySample, warmCount } from "../../sim/memory.ts";

export interface MqttjsResult {
  library: string;
  clients: number;
  connected: number;
  /** From the first client created until all were connected (null: never all at once). */
  connectAllS: number | null;
  published: number;
  delivered: number;
  lost: number;
  duplicates: number;
  rssBytesPerClient: number;
  /** heapUsed + arrayBuffers growth per client, as the simulator's hostBytesPerSensor. */
  hostBytesPerClient: number;
  elapsedS: number;
  reconnects: number;
  errors: Record<string, number>;
}

/** As sim/fleet.ts: a ramp starts its next batch every RAMP_TICK_MS; memory is sampled once all are connected, or after SETTLE_MAX_MS. */
const RAMP_TICK_MS = 100;
const SETTLE_MAX_MS = 10_000;
const DRAIN_POLL_MS = 100;
const CLOSE_GRACE_MS = 1000;
/** As the simulator's defaults: fleet seed, keep alive, model, topic shape. */
const SEED = 1;
const KEEPALIVE_S = 60;
const MODEL = "temperature";
const topicOf = (id: number) => `mqttjs/${id}/${MODEL}`;
const FILTER = `mqttjs/+/${MODEL}`;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One simulated sensor on MQTT.js: a client, its model, its sequence number, its timer. */
class MqttjsSensor {
  seq = 0;
  connected = false;
  everConnected = false;
  private readonly model: SensorModel;
  private readonly prng: Prng;
  private readonly topic: string;
  private timer: NodeJS.Timeout | undefined;
  readonly client: MqttClient;

  constructor(readonly id: number, url: string, private readonly run: Run) {
    this.model = createModel(MODEL, SEED, id);
    this.prng = new Prng(sensorSeed(SEED, id));
    this.topic = topicOf(id);
    // Clean Session 0 for QoS 1, as the simulator's sensors (sim/sensor.ts).
    this.client = mqtt.connect(url, { clientId: `mqttjs-${id}`, clean: false, keepalive: KEEPALIVE_S, protocolVersion: 4, reconnectPeriod: 1000 });
    this.client.on("connect", () => run.connectionChange(this, true));
    this.client.on("close", () => run.connectionChange(this, false));
    this.client.on("error", (e) => run.error(e));
    this.schedule(this.prng.next() * run.intervalMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    const now = this.run.clock();
    if (now >= this.run.durationMs) return;
    this.client.publish(this.topic, encodePayload("json", { id: this.id, seq: this.seq, ts: Math.round(now) }, this.model.next(now)), { qos: this.run.qos });
    this.seq++;
    this.run.published++;
    this.schedule(this.run.intervalMs);
  }
}

class Run {
  published = 0;
  connected = 0;
  reconnects = 0;
  connectAllMs: number | null = null;
  readonly errors: Record<string, number> = {};
  private readonly t0 = performance.now();

  constructor(readonly clients: number, readonly intervalMs: number, readonly durationMs: number, readonly qos: 0 | 1 | 2) {}

  clock(): number {
    return performance.now() - this.t0;
  }

  connectionChange(s: MqttjsSensor, up: boolean): void {
    if (up && s.everConnected) this.reconnects++;
    if (up) s.everConnected = true;
    if (up === s.connected) return;
    s.connected = up;
    this.connected += up ? 1 : -1;
    if (up && this.connected === this.clients && this.connectAllMs === null) this.connectAllMs = this.clock();
  }

  error(e: Error): void {
    const key = e.message.replace(/\d+/g, "N");
    this.errors[key] = (this.errors[key] ?? 0) + 1;
  }
}

export async function runMqttjs(o: { url: string; clients: number; ramp: number; intervalMs: number; durationMs: number; drainMs: number; qos: 0 | 1 | 2 }): Promise<MqttjsResult> {
  const ledger = new DeliveryLedger(o.clients);
  let delivered = 0;
  let duplicates = 0;
  const observer = await mqtt.connectAsync(o.url, { clientId: "mqttjs-observer", clean: true, keepalive: 30, reconnectPeriod: 0 });
  observer.on("message", (_topic, payload) => {
    const h = decodeHeader("json", payload);
    if (!h || !(h.id >= 0 && h.id < o.clients)) return;
    if (ledger.record(h.id, h.seq)) delivered++;
    else duplicates++;
  });
  await observer.subscribeAsync(FILTER, { qos: o.qos });

  const run = new Run(o.clients, o.intervalMs, o.durationMs, o.qos);
  const sensors: MqttjsSensor[] = [];
  const settle = async () => {
    const until = performance.now() + SETTLE_MAX_MS;
    while (run.connected < sensors.length && performance.now() < until && run.clock() < o.durationMs) await sleep(50);
  };
  // Measured as the simulator measures (sim/memory.ts): from a warm first tenth to all, connected.
  const warm = warmCount(o.clients);
  let before = warm === o.clients ? memorySample() : undefined;
  const batch = o.ramp > 0 ? Math.max(1, Math.round((o.ramp * RAMP_TICK_MS) / 1000)) : o.clients;
  for (let id = 0; id < o.clients; ) {
    const end = Math.min(id + batch, id < warm ? warm : o.clients);
    for (let i = id; i < end; i++) sensors.push(new MqttjsSensor(i, o.url, run));
    id = end;
    await sleep(o.ramp > 0 ? RAMP_TICK_MS : 0);
    if (before === undefined && id >= warm) {
      await settle();
      before = memorySample();
    }
  }
  await settle();
  const after = memorySample();
  const counted = o.clients - (warm === o.clients ? 0 : warm);

  await sleep(Math.max(0, o.durationMs - run.clock()));
  for (const s of sensors) s.stop();
  const drainUntil = performance.now() + o.drainMs;
  while (delivered < run.published && performance.now() < drainUntil) await sleep(DRAIN_POLL_MS);
  const elapsedS = run.clock() / 1000;
  let lost = 0;
  for (const s of sensors) lost += Math.max(0, s.seq - ledger.count(s.id));
  const connected = run.connected;
  for (const s of sensors) s.client.end();
  await observer.endAsync();
  await sleep(CLOSE_GRACE_MS);
  const version = JSON.parse(readFileSync(join(ROOT, "node_modules", "mqtt", "package.json"), "utf8")).version as string;
  return {
    library: `MQTT.js ${version}`, clients: o.clients, connected, connectAllS: run.connectAllMs === null ? null : run.connectAllMs / 1000,
    published: run.published, delivered, lost, duplicates,
    rssBytesPerClient: Math.round((after.rss - before!.rss) / counted), hostBytesPerClient: Math.round((after.heap - before!.heap) / counted),
    elapsedS, reconnects: run.reconnects, errors: run.errors,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({
    options: {
      url: { type: "string" }, clients: { type: "string" }, ramp: { type: "string", default: "0" }, interval: { type: "string" },
      duration: { type: "string" }, drain: { type: "string" }, qos: { type: "string", default: "1" },
    },
  });
  if (!a.url || !a.clients || !a.interval || !a.duration || !a.drain) throw new Error("needs --url --clients --interval --duration --drain");
  const r = await runMqttjs({
    url: a.url, clients: Number(a.clients), ramp: Number(a.ramp), intervalMs: Number(a.interval), durationMs: Number(a.duration),
    drainMs: Number(a.drain), qos: Number(a.qos) as 0 | 1 | 2,
  });
  process.stdout.write(JSON.stringify(r) + "\n");
  process.exit(0);
}
