// Shared tools for the Device API suites: bounded waits, a registry of devices and MQTT.js
// clients to close after each test, and message collectors.
import type { MqttClient } from "mqtt";
import { type Device, type DeviceOptions, type MessageInfo } from "../../host/device.ts";
import { connectAsync } from "../../host/device-connect.ts";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls cond every 5 ms until it holds; fails with `what` after ms. */
export async function waitFor(cond: () => boolean, ms: number, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Resolves with the promise's value, or rejects after ms (so no await in a test is unbounded). */
export function within<T>(p: Promise<T>, ms: number, what = "promise"): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The settled outcome of a promise, bounded: the error when it rejects, or undefined when it resolves. */
export async function rejection(p: Promise<unknown>, ms: number, what = "promise"): Promise<Error | undefined> {
  try {
    await within(p, ms, what);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

export interface Received { topic: string; payload: Buffer; info: MessageInfo }

/** Devices and MQTT.js clients opened by a test, closed by closeAll(). */
export class Tracker {
  private readonly devices = new Set<Device>();
  private readonly clients = new Set<MqttClient>();

  device<T extends Device>(d: T): T {
    this.devices.add(d);
    // An "error" event without a listener would throw from emit(); tests look at errors explicitly.
    if (d.listenerCount("error") === 0) d.on("error", () => {});
    return d;
  }

  client(c: MqttClient): MqttClient {
    this.clients.add(c);
    return c;
  }

  /** connectAsync with reconnect off unless asked (a test that expects it says so), tracked. */
  async connect(url: string, o: DeviceOptions = {}, ms = 5000): Promise<Device> {
    const d = await within(connectAsync(url, { reconnect: false, ...o }), ms, `connect to ${url}`);
    return this.device(d);
  }

  async closeAll(): Promise<void> {
    const devices = [...this.devices];
    const clients = [...this.clients];
    this.devices.clear();
    this.clients.clear();
    await Promise.all([
      ...devices.map((d) => within(d.end(), 3000, "device end").catch(() => d.dropConnection())),
      ...clients.map((c) => within(c.endAsync(true), 3000, "mqtt.js end").catch(() => {})),
    ]);
  }
}

/** Collects a device's messages. */
export function collect(d: Device): Received[] {
  const out: Received[] = [];
  d.on("message", (topic: string, payload: Buffer, info: MessageInfo) => out.push({ topic, payload, info }));
  return out;
}

/** Counts payloads (as utf8 strings). */
export function countPayloads(msgs: { payload: Buffer }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of msgs) {
    const k = x.payload.toString("utf8");
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

let serial = 0;
/** A topic no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `mote-test/${prefix}/${process.pid}-${++serial}-${Math.random().toString(16).slice(2, 8)}`;
}

/** A client id no other test uses. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${process.pid}-${++serial}-${Math.random().toString(16).slice(2, 8)}`;
}

/** Sum of the values of a PacketMeter map (or 0). */
export const meterTotal = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
