// Network throughput through one local mosquitto: a publisher sends 64-byte messages as fast as
// the broker takes them and a subscriber of the same library receives them; our Device API
// against MQTT.js, side by side. Rate = messages delivered / time from the first publish to the
// last delivery. MQTT.js QoS 1 runs with a window of 1,000 outstanding publishes (its own
// unbounded burst hangs past 65,535 outstanding on this machine).
import mqtt from "mqtt";
import { connectAsync } from "../../host/device-connect.ts";
import { startMosquitto } from "../support/mosquitto.ts";

export interface NetworkRow { case: string; oursMsgPerSec: number; mqttjsMsgPerSec: number; ratio: number; delivered: { ours: number; mqttjs: number }; sent: number }

const PAYLOAD = Buffer.alloc(64, 0x5a);
const TIMEOUT_MS = 30_000;

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 1));
  }
  return true;
}

async function ours(url: string, qos: 0 | 1, n: number, topic: string): Promise<{ rate: number; delivered: number }> {
  const sub = await connectAsync(url, { clientId: `bench-sub-${qos}`, keepalive: 60 });
  let got = 0;
  sub.on("message", () => { got++; });
  await sub.subscribe(topic, { qos });
  const pub = await connectAsync(url, { clientId: `bench-pub-${qos}`, keepalive: 60 });
  const t0 = performance.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < n; i++) all.push(pub.publish(topic, PAYLOAD, { qos }));
  await Promise.all(all);
  await waitFor(() => got >= n, TIMEOUT_MS);
  const rate = got / ((performance.now() - t0) / 1000);
  await pub.end();
  await sub.end();
  return { rate, delivered: got };
}

async function mqttjs(url: string, qos: 0 | 1, n: number, topic: string): Promise<{ rate: number; delivered: number }> {
  const sub = await mqtt.connectAsync(url, { clientId: `mqttjs-sub-${qos}`, keepalive: 60, reconnectPeriod: 0 });
  let got = 0;
  sub.on("message", () => { got++; });
  await sub.subscribeAsync(topic, { qos });
  const pub = await mqtt.connectAsync(url, { clientId: `mqttjs-pub-${qos}`, keepalive: 60, reconnectPeriod: 0 });
  const t0 = performance.now();
  if (qos === 0) {
    for (let i = 0; i < n; i++) pub.publish(topic, PAYLOAD, { qos: 0 });
  } else {
    const WINDOW = 1000;
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        await pub.publishAsync(topic, PAYLOAD, { qos: 1 });
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, worker));
  }
  await waitFor(() => got >= n, TIMEOUT_MS);
  const rate = got / ((performance.now() - t0) / 1000);
  await pub.endAsync();
  await sub.endAsync();
  return { rate, delivered: got };
}

export async function runNetworkBench(counts = { qos0: 200_000, qos1: 50_000 }): Promise<NetworkRow[]> {
  const broker = await startMosquitto({ quiet: true, extraConfig: ["max_queued_messages 0", "max_inflight_messages 20"] });
  const rows: NetworkRow[] = [];
  try {
    for (const qos of [0, 1] as const) {
      const n = qos === 0 ? counts.qos0 : counts.qos1;
      // Alternate the order so neither library always runs on a warmer broker.
      const a = await ours(broker.url(), qos, n, `bench/ours/${qos}`);
      const b = await mqttjs(broker.url(), qos, n, `bench/mqttjs/${qos}`);
      rows.push({
        case: `QoS ${qos}, 64-byte payload, one publisher to one subscriber`,
        oursMsgPerSec: Math.round(a.rate),
        mqttjsMsgPerSec: Math.round(b.rate),
        ratio: Number((a.rate / b.rate).toFixed(2)),
        delivered: { ours: a.delivered, mqttjs: b.delivered },
        sent: n,
      });
    }
  } finally {
    await broker.stop();
  }
  return rows;
}
