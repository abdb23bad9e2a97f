// The serial path under a real line's conditions: the baud rate bounds throughput, URCs arrive
// at the worst moments and output comes in fragments, the bearer drops, the modem reboots.
// Firmware -> driver -> pty -> emulator -> mosquitto, as in modem-e2e.test.ts.
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { type Device } from "../../../host/device.ts";
import { connectAsync } from "../../../host/device-connect.ts";
import { ModemTransport } from "../../../host/modem/modem-transport.ts";
import { startEmulator } from "../../../sim/modem-emulator/index.ts";
import type { EmulatorOptions } from "../../../sim/modem-emulator/types.ts";
import { bearer, useSerialPath, waitFor } from "./serial-path.ts";

const path = useSerialPath("modem-line");

/** A device on an emulated modem, a peer subscribed to its topic, and cleanup. */
async function rig(dialect: "esp-at" | "bg96", id: string, baudRate: number, emu: Partial<EmulatorOptions> = {}, clean = true) {
  const emulator = await startEmulator({ dialect, link: path.tty(`${id}`), baudRate, bearerDelayMs: 50, ...emu });
  const transport = new ModemTransport({ path: emulator.path, baudRate, dialect, host: "127.0.0.1", port: path.broker.ports.tcp, ...bearer(dialect) });
  const peer = await mqtt.connectAsync(path.broker.url(), { clientId: `${id}-peer`, reconnectPeriod: 0 });
  const got: Buffer[] = [];
  peer.on("message", (_t, p) => got.push(p));
  await peer.subscribeAsync(`${id}/up`, { qos: 1 });
  const errors: string[] = [];
  const device: Device = await connectAsync(path.broker.url(), { clientId: id, clean, keepalive: 30, transport, reconnectPeriod: 200, connectTimeout: 20_000 },
    (d) => d.on("error", (e: Error) => errors.push(e.message)));
  const done = async () => {
    await device.end();
    await peer.endAsync();
    await emulator.stop();
  };
  return { emulator, transport, peer, device, got, errors, done };
}

describe("the modem line", () => {
  it.each([["esp-at"], ["bg96"]] as const)("%s at 9600 baud moves bytes at the baud rate (within 5%)", async (dialect) => {
    const r = await rig(dialect, `rate-${dialect}`, 9600);
    try {
      const payload = Buffer.alloc(2000, 0x41);
      const before = r.transport.wireBytes().sent;
      const t0 = performance.now();
      await r.device.publish(`rate-${dialect}/up`, payload, { qos: 1 });
      await waitFor(() => r.got.length === 1, 15_000, "the message at the peer");
      const seconds = (performance.now() - t0) / 1000;
      const sent = r.transport.wireBytes().sent - before;
      // 8N1: 10 bits per byte. The upstream bytes bound the time; replies flow in parallel.
      const expected = (sent * 10) / 9600;
      expect(seconds).toBeGreaterThan(expected * 0.95);
      expect(seconds).toBeLessThan(expected * 1.05 + 0.25); // + the replies' tail and one turn-around
    } finally {
      await r.done();
    }
  }, 40_000);

  it.each([["esp-at"], ["bg96"]] as const)("%s: URCs at the worst moments and fragmented output do not corrupt the stream", async (dialect) => {
    const r = await rig(dialect, `urc-${dialect}`, 115200, { seed: 7, impairments: { fragment: true, urcRate: 0.3 } });
    try {
      const sent = Array.from({ length: 30 }, (_, i) => Buffer.from(`reading-${i}-${"x".repeat(i * 7)}`));
      for (const p of sent) await r.device.publish(`urc-${dialect}/up`, p, { qos: 1 });
      await waitFor(() => r.got.length === sent.length, 20_000, "all readings at the peer");
      expect(r.got.map(String)).toEqual(sent.map(String));
      expect(r.device.counters().protocolViolations).toBe(0);
    } finally {
      await r.done();
    }
  }, 40_000);

  it("bg96: after a bearer loss the device reconnects and no QoS 1 message is lost", async () => {
    const r = await rig("bg96", "bearer-bg96", 115200, {}, false);
    try {
      const sends: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) {
        sends.push(r.device.publish("bearer-bg96/up", `m${i}`, { qos: 1 }));
        if (i === 7) r.emulator.inject("bearer-loss");
        await new Promise((res) => setTimeout(res, 25));
      }
      await Promise.all(sends);
      await waitFor(() => new Set(r.got.map(String)).size === 20, 20_000, "all 20 messages");
      expect(r.errors.join("\n")).toMatch(/bearer lost/);
      expect([...new Set(r.got.map(String))].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    } finally {
      await r.done();
    }
  }, 40_000);

  it.each([["esp-at"], ["bg96"]] as const)("%s: after the modem reboots the device reconnects and no QoS 1 message is lost", async (dialect) => {
    const r = await rig(dialect, `reboot-${dialect}`, 115200, { bootMs: 300 }, false);
    try {
      const sends: Promise<void>[] = [];
      for (let i = 0; i < 12; i++) {
        sends.push(r.device.publish(`reboot-${dialect}/up`, `m${i}`, { qos: 1 }));
        if (i === 5) r.emulator.inject("reboot");
        await new Promise((res) => setTimeout(res, 25));
      }
      await Promise.all(sends);
      await waitFor(() => new Set(r.got.map(String)).size === 12, 25_000, "all 12 messages");
    } finally {
      await r.done();
    }
  }, 40_000);
});

describe("an unplugged modem", () => {
  it("gives a clear error, and the device reconnects when the port comes back", async () => {
    const link = path.tty("replug");
    let emulator = await startEmulator({ dialect: "bg96", link, baudRate: 115200, bearerDelayMs: 50 });
    const transport = new ModemTransport({ path: link, baudRate: 115200, dialect: "bg96", host: "127.0.0.1", port: path.broker.ports.tcp, apn: "iot" });
    const errors: string[] = [];
    const device = await connectAsync(path.broker.url(), { clientId: "replug", clean: false, keepalive: 30, transport, reconnectPeriod: 200, reconnectMaxMs: 500, connectTimeout: 20_000 },
      (d) => d.on("error", (e: Error) => errors.push(e.message)));
    try {
      let connects = 0;
      device.on("connect", () => connects++);
      await emulator.stop(); // the USB modem is pulled out: socat and the pty are gone
      await waitFor(() => !device.connected && errors.length > 0, 10_000, "the device to notice");
      expect(errors[0]).toMatch(/modem|serial|port/i);
      expect(errors[0].split("\n")).toHaveLength(1);
      emulator = await startEmulator({ dialect: "bg96", link, baudRate: 115200, bearerDelayMs: 50 }); // plugged back in
      await waitFor(() => connects > 0 && device.connected, 20_000, "the device to reconnect");
      await device.publish("replug/up", "back", { qos: 1 });
    } finally {
      await device.end();
      await emulator.stop();
    }
  }, 45_000);
});
