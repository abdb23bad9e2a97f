import net from "node:net";
import { Aedes } from "aedes";
import { it } from "vitest";
import { connectAsync } from "../../../host/device.ts";
import { ModemTransport } from "../../../host/modem/modem-transport.ts";
import { startEmulator } from "../../../host/modem/emulator/index.ts";
const KINDS = ["reboot", "remote-close", "bearer-loss", "noise", "stall", "resume", { kind: "urc", at: "prompt" }, { kind: "urc", at: "read" }, "remote-close", "noise", "bearer-loss", "reboot", "noise", "noise", "noise"];
it.each([["esp-at", 1], ["bg96", 1], ["esp-at", 2], ["bg96", 2], ["esp-at", 5]] as const)("stress %s seed %i", async (dialect, seed) => {
  const broker = await Aedes.createBroker();
  const server = net.createServer((s) => broker.handle(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const emulator = await startEmulator({ dialect, link: `/tmp/stress/${dialect}-${seed}.tty`, baudRate: 115200, seed,
    impairments: { fragment: true, urcRate: 0.3, script: KINDS.map((k, i) => ({ atMs: 1000 + i * 1200, inject: k as never })) } });
  const t = new ModemTransport({ path: emulator.path, baudRate: 115200, dialect, host: "127.0.0.1", port, ...(dialect === "esp-at" ? { ssid: "lab", password: "x" } : { apn: "iot" }), timing: { idleProbeMs: 2000 } });
  const d = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `stress-${dialect}`, clean: false, keepalive: 10, transport: t, reconnectPeriod: 200, connectTimeout: 20000 });
  const errors = new Map<string, number>();
  d.on("error", (e: Error) => { const k = e.message.replace(/\d{4,}/g, "N").replace(/modem ".*"/, 'modem "..."'); errors.set(k, (errors.get(k) ?? 0) + 1); });
  const got = new Set<string>();
  d.on("message", (_t: string, p: Buffer) => got.add(p.toString()));
  await d.subscribe("stress/#", { qos: 1 });
  const N = 300;
  for (let i = 0; i < N; i++) {
    void d.publish("stress/x", `m${i}-` + "y".repeat(i % 700), { qos: 1 }).catch(() => {});
    await new Promise((r) => setTimeout(r, 40));
  }
  const t0 = Date.now();
  while (got.size < N && Date.now() - t0 < 40000) await new Promise((r) => setTimeout(r, 100));
  console.log(dialect, seed, "got", got.size, "of", N, "in", Date.now() - t0, "ms after the last publish; state", t.driver.state, [...errors]);
  await d.end();
  await t.close();
  await emulator.stop();
  server.close();
  broker.close();
}, 120_000);
