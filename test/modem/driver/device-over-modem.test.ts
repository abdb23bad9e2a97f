// The whole host stack over a modem: a Device (firmware + Link) whose transport is a
// ModemTransport on a pty, through a fake modem that bridges its socket to an embedded aedes
// broker on 127.0.0.1. MQTT bytes cross AT framing both ways, byte-exact, and the accounting
// of the transport matches the device's own MQTT byte counts.
import net from "node:net";
import { Aedes } from "aedes";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Device } from "../../../host/device.ts";
import { connectAsync } from "../../../host/device-connect.ts";
import { collect, meterTotal } from "../../device/helpers.ts";
import { closeRigs, nastyBytes, rig, waitFor, within } from "./harness.ts";
import type { World } from "./scripts.ts";

let broker: Aedes;
let server: net.Server;
let port = 0;
const devices: Device[] = [];

beforeAll(async () => {
  broker = await Aedes.createBroker();
  server = net.createServer((s) => broker.handle(s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.address() as net.AddressInfo).port;
});
afterEach(async () => {
  for (const d of devices.splice(0)) await within(d.end(), 3000, "device end").catch(() => {});
  await closeRigs();
});
afterAll(async () => {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The fake modem's socket is a real TCP connection. */
function bridge(w: World): void {
  let sock: net.Socket | undefined;
  w.bridge = {
    open(host, p, done) {
      const s = net.connect({ host, port: p });
      sock = s;
      s.once("connect", () => done(true));
      s.once("error", () => done(false));
      s.on("data", (b: Buffer) => w.serverSends(b));
      s.on("close", () => {
        if (sock === s && w.socketOpen) w.serverCloses();
      });
    },
    send: (b) => sock?.write(b),
    close: () => {
      const s = sock;
      sock = undefined;
      s?.destroy();
    },
  };
}

describe.each(["bg96", "esp-at", "simcom"] as const)("a Device over %s", (dialect) => {
  it("connects, subscribes and gets its own QoS 1 messages back (larger than one send), then ends cleanly", async () => {
    const { w, t } = await rig(dialect, { port });
    bridge(w);
    const d = await within(connectAsync(`mqtt://127.0.0.1:${port}`, { transport: t, clientId: `modem-${dialect}`, keepalive: 30 }), 8000, "CONNACK");
    devices.push(d);
    const got = collect(d);
    expect(await d.subscribe("modem/e2e", { qos: 1 })).toEqual([1]);
    const payloads = [nastyBytes(1800), nastyBytes(10), nastyBytes(700)];
    for (const p of payloads) await within(d.publish("modem/e2e", p, { qos: 1 }), 5000, "PUBACK");
    await waitFor(() => got.length === payloads.length, 5000, "the messages back");
    expect(got.map((m) => m.payload.equals(payloads[got.indexOf(m)]))).toEqual([true, true, true]);
    await within(d.end(), 5000, "end");
    devices.length = 0;
    const st = t.stats();
    expect(st.sent.payload).toBe(meterTotal(d.sentBytes.bytes));
    expect(st.received.payload).toBe(meterTotal(d.receivedBytes.bytes));
    expect(d.wireBytes()).toEqual({ sent: st.sent.serial, received: st.received.serial });
    expect(st.sent.overhead).toBeGreaterThan(0);
    expect(st.received.overhead).toBeGreaterThan(0);
  });

  it("a broker that drops the connection: the device sees the modem's error and reconnects through the modem", async () => {
    const { w, t } = await rig(dialect, { port });
    bridge(w);
    const d = await within(connectAsync(`mqtt://127.0.0.1:${port}`, { transport: t, clientId: `modem-drop-${dialect}`, keepalive: 30, reconnect: true, reconnectPeriod: 50 }), 8000, "CONNACK");
    devices.push(d);
    const errors: string[] = [];
    d.on("error", (e: Error) => errors.push(e.message));
    let reconnected = false;
    d.on("connect", () => (reconnected = true));
    w.bridge!.close();
    w.serverCloses();
    await waitFor(() => reconnected, 8000, "the reconnect");
    expect(errors.join("\n")).toContain("modem: socket closed by the server");
    await within(d.publish("modem/after", "ok", { qos: 1 }), 5000, "PUBACK after the reconnect");
  });
});
