// The firmware over the modem driver over a real pty to the modem emulator to a real mosquitto:
// the whole serial path a sensor with an AT modem takes, for each dialect, at 115200 and 9600 baud.
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { type Device } from "../../../host/device.ts";
import { connectAsync } from "../../../host/device-connect.ts";
import { ModemTransport } from "../../../host/modem/modem-transport.ts";
import { startEmulator } from "../../../sim/modem-emulator/index.ts";
import { bearer, useSerialPath, waitFor } from "./serial-path.ts";

const path = useSerialPath("modem-e2e");

/** A device whose only way out is the emulated modem on a pty. */
async function modemDevice(dialect: "esp-at" | "bg96", baudRate: number, clientId: string) {
  const emulator = await startEmulator({ dialect, link: path.tty(`${clientId}`), baudRate });
  const transport = new ModemTransport({ path: emulator.path, baudRate, dialect, host: "127.0.0.1", port: path.broker.ports.tcp, ...bearer(dialect) });
  const device = await connectAsync(path.broker.url(), { clientId, keepalive: 30, transport, connectTimeout: 20_000 });
  return { emulator, transport, device };
}

describe.each([["esp-at"], ["bg96"]] as const)("%s modem", (dialect) => {
  describe.each([[115200], [9600]])("at %i baud", (baud) => {
    it("carries QoS 0, 1 and 2 publishes both ways to and from a peer on the broker", async () => {
      const id = `e2e-${dialect}-${baud}`;
      const { emulator, device } = await modemDevice(dialect, baud, id);
      const peer = await mqtt.connectAsync(path.broker.url(), { clientId: `${id}-peer`, reconnectPeriod: 0 });
      try {
        const atPeer: string[] = [];
        peer.on("message", (t, p) => atPeer.push(`${t} ${p.toString()}`));
        await peer.subscribeAsync(`${id}/up/#`, { qos: 2 });
        const atDevice: string[] = [];
        device.on("message", (t: string, p: Buffer) => atDevice.push(`${t} ${p.toString()}`));
        expect(await device.subscribe(`${id}/down/#`, { qos: 2 })).toEqual([2]);
        for (const qos of [0, 1, 2] as const) await device.publish(`${id}/up/${qos}`, `from-device-${qos}`, { qos });
        for (const qos of [0, 1, 2] as const) await peer.publishAsync(`${id}/down/${qos}`, `from-peer-${qos}`, { qos });
        await waitFor(() => atPeer.length === 3 && atDevice.length === 3, 15_000, "all six messages");
        expect(atPeer.sort()).toEqual([0, 1, 2].map((q) => `${id}/up/${q} from-device-${q}`));
        expect(atDevice.sort()).toEqual([0, 1, 2].map((q) => `${id}/down/${q} from-peer-${q}`));
      } finally {
        await device.end();
        await peer.endAsync();
        await emulator.stop();
      }
    }, 60_000);
  });

  it("delivers a payload with every byte value intact, both ways", async () => {
    const id = `e2e-bin-${dialect}`;
    const { emulator, device } = await modemDevice(dialect, 115200, id);
    const peer = await mqtt.connectAsync(path.broker.url(), { clientId: `${id}-peer`, reconnectPeriod: 0 });
    const all = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
    try {
      let atPeer: Buffer | undefined;
      let atDevice: Buffer | undefined;
      peer.on("message", (_t, p) => { atPeer = p; });
      device.on("message", (_t: string, p: Buffer) => { atDevice = p; });
      await peer.subscribeAsync(`${id}/up`, { qos: 1 });
      await device.subscribe(`${id}/down`, { qos: 1 });
      await device.publish(`${id}/up`, all, { qos: 1 });
      await peer.publishAsync(`${id}/down`, all, { qos: 1 });
      await waitFor(() => atPeer !== undefined && atDevice !== undefined, 15_000, "both binary messages");
      expect(atPeer!.equals(all)).toBe(true);
      expect(atDevice!.equals(all)).toBe(true);
    } finally {
      await device.end();
      await peer.endAsync();
      await emulator.stop();
    }
  }, 60_000);

  it("reconnects after the broker side closes the socket and loses no QoS 1 message", async () => {
    const id = `e2e-close-${dialect}`;
    const emulator = await startEmulator({ dialect, link: path.tty(`${id}`), baudRate: 115200 });
    const transport = new ModemTransport({ path: emulator.path, baudRate: 115200, dialect, host: "127.0.0.1", port: path.broker.ports.tcp, ...bearer(dialect) });
    const peer = await mqtt.connectAsync(path.broker.url(), { clientId: `${id}-peer`, reconnectPeriod: 0 });
    let device: Device | undefined;
    try {
      const atPeer = new Set<string>();
      peer.on("message", (_t, p) => atPeer.add(p.toString()));
      await peer.subscribeAsync(`${id}/up`, { qos: 1 });
      device = await connectAsync(path.broker.url(), { clientId: id, clean: false, keepalive: 30, transport, reconnectPeriod: 200, connectTimeout: 20_000 });
      const errors: string[] = [];
      device.on("error", (e: Error) => errors.push(e.message));
      const sends: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) {
        sends.push(device.publish(`${id}/up`, `m${i}`, { qos: 1 }));
        if (i === 8) emulator.inject("remote-close");
        await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.all(sends);
      await waitFor(() => atPeer.size === 20, 20_000, "all 20 messages at the peer");
      expect([...atPeer].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    } finally {
      await device?.end();
      await peer.endAsync();
      await emulator.stop();
    }
  }, 60_000);
});
