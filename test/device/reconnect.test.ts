// A broker crash mid-stream: mosquitto is SIGKILLed while a device publishes QoS 1 messages,
// then restarted on the same ports with its persistence directory. The device reconnects by
// itself; every message the broker had not acknowledged before the crash, and every message
// published during the outage, reaches a persistent subscriber [MQTT-4.4.0-1].
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";
import { type Device, type DeviceOptions } from "../../host/device.ts";
import { connect } from "../../host/device-connect.ts";
import { Tracker, collect, sleep, uniqueId, uniqueTopic, waitFor, within } from "./helpers.ts";

let broker: Mosquitto;
const t = new Tracker();

beforeAll(async () => {
  // Save the database after every change, so the subscriber's session survives SIGKILL.
  broker = await startMosquitto({ persistence: true, extraConfig: ["autosave_interval 1", "autosave_on_changes true"] });
});
afterEach(() => t.closeAll());
afterAll(() => broker?.stop());

const dbFile = () => join(broker.dir, "data", "mosquitto.db");
const dbHas = (text: string) => existsSync(dbFile()) && readFileSync(dbFile()).includes(Buffer.from(text));

/** Records the lifecycle events of a device, in order. */
function lifecycle(d: Device): string[] {
  const out: string[] = [];
  for (const name of ["connect", "offline", "reconnect", "close", "end"] as const) d.on(name, () => out.push(name));
  return out;
}

/** Starts a connect()ed device and waits for its first connect event. */
async function online(o: DeviceOptions): Promise<{ d: Device; events: string[] }> {
  const d = t.device(connect(broker.url(), { reconnectPeriod: 100, reconnectMaxMs: 200, ...o }));
  const events = lifecycle(d);
  await waitFor(() => events.includes("connect"), 3000, "the first connect");
  return { d, events };
}

describe.each([4, 5] as const)("MQTT %s", (version) => {
  const persistent = (id: string): DeviceOptions => ({
    protocolVersion: version, clientId: id, clean: false,
    ...(version === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}),
  });

  it("reconnects after the broker is killed and restarted; every QoS 1 message not acknowledged before the crash, or published during the outage, reaches the persistent subscriber", async () => {
    const topic = uniqueTopic(`crash/${version}`);
    const subId = uniqueId(`crash-sub-${version}`);
    const sub = await online(persistent(subId));
    const got = collect(sub.d);
    expect(await sub.d.subscribe(topic, { qos: 1 })).toEqual([1]);
    await waitFor(() => dbHas(subId) && dbHas(topic), 3000, "the subscription in the broker's database");

    const pub = await online(persistent(uniqueId(`crash-pub-${version}`)));
    const resolved = new Set<number>();
    const rejected: Error[] = [];
    const promises: Promise<void>[] = [];
    let n = 0;
    const publish = () => {
      const i = n++;
      const p = pub.d.publish(topic, `m${i}`, { qos: 1 }).then(() => { resolved.add(i); }, (e: Error) => { rejected.push(e); });
      promises.push(p);
    };

    // The stream: a publish every 5 ms, before, during and after the outage.
    let streaming = true;
    const stream = (async () => { while (streaming) { publish(); await sleep(5); } })();
    await waitFor(() => resolved.size >= 20, 3000, "20 acknowledged before the crash");

    await broker.kill();
    const ackedBeforeCrash = new Set(resolved);
    const firstAfterCrash = n;
    await waitFor(() => pub.events.includes("offline"), 3000, "the publisher's offline event");
    await sleep(300); // the outage: publishes queue up, reconnect attempts fail
    const duringOutage = n - firstAfterCrash;
    expect(duringOutage).toBeGreaterThan(10);
    // None of them can have been acknowledged with the broker down.
    expect([...resolved].filter((i) => i >= firstAfterCrash)).toEqual([]);
    expect(rejected).toEqual([]);

    await broker.restart();
    await sleep(200);
    streaming = false;
    await stream;
    await within(Promise.all(promises), 8000, "every publish promise");
    expect(rejected).toEqual([]);
    expect(resolved.size).toBe(n);

    // Everything the broker had not acknowledged before the crash must come through.
    const mustArrive = Array.from({ length: n }, (_, i) => i).filter((i) => !ackedBeforeCrash.has(i));
    const have = () => new Set(got.map((m) => m.payload.toString()));
    await waitFor(() => mustArrive.every((i) => have().has(`m${i}`)), 8000, `${mustArrive.length} messages at the subscriber`);

    // Lifecycle: connect, then offline, at least one reconnect attempt, and connect again (last).
    const e = pub.events.filter((x) => x !== "close");
    expect(e[0]).toBe("connect");
    expect(e[1]).toBe("offline");
    expect(e.slice(2).includes("reconnect")).toBe(true);
    expect(e.lastIndexOf("connect")).toBeGreaterThan(e.indexOf("reconnect"));
    expect(pub.d.connected).toBe(true);
    expect(sub.d.connected).toBe(true);
    expect(pub.d.counters().connects).toBeGreaterThanOrEqual(2);
  });

  it("a publish made while the broker is down stays pending (neither resolved nor rejected) until the device is back", async () => {
    const topic = uniqueTopic(`pending/${version}`);
    const pub = await online(persistent(uniqueId(`pending-${version}`)));
    const errors: Error[] = [];
    pub.d.on("error", (e: Error) => errors.push(e));
    await broker.kill();
    await waitFor(() => pub.events.includes("offline"), 3000, "offline");
    let state = "pending";
    const p = pub.d.publish(topic, "later", { qos: 1 }).then(() => { state = "resolved"; }, () => { state = "rejected"; });
    await sleep(400);
    expect(state).toBe("pending");
    // While down, reconnect attempts fail with "connection refused" and are retried.
    expect(errors.some((e) => /refused/.test(e.message))).toBe(true);
    expect(pub.events.filter((x) => x === "reconnect").length).toBeGreaterThanOrEqual(2);
    await broker.restart();
    await within(p, 5000, "the publish after the restart");
    expect(state).toBe("resolved");
  });
});
