import net from "node:net";
import { Aedes } from "aedes";
import { it } from "vitest";
import { connectAsync } from "../../../host/device.ts";
import { ModemTransport } from "../../../host/modem/modem-transport.ts";
import { startEmulator } from "../../../host/modem/emulator/index.ts";

const KINDS = ["reboot", "remote-close", "bearer-loss", "noise", "stall", "resume", { kind: "urc", at: "prompt" }, { kind: "urc", at: "read" }, "remote-close", "noise", "bearer-loss", "reboot"];
it.each(["esp-at"] as const)("stress %s", async (dialect) => {
  const tr: string[] = [];
  const dl: string[] = [];
  const broker = await Aedes.createBroker();
  const server = net.createServer((s) => broker.handle(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const emulator = await startEmulator({ dialect, link: `/tmp/stress/${dialect}.tty`, baudRate: 115200, seed: 3,
    impairments: { fragment: true, urcRate: 0.3, script: KINDS.map((k, i) => ({ atMs: 1000 + i * 1500, inject: k as never })) } , transcript: (e) => { tr.push(`${e.t.toFixed(0)} ${e.dir} ${e.text.slice(0, 100)}`); } });
  const t = new ModemTransport({ path: emulator.path, baudRate: 115200, dialect, host: "127.0.0.1", port, ...(dialect === "esp-at" ? { ssid: "lab", password: "x" } : { apn: "iot" }), timing: { idleProbeMs: 2000 } });
  const states: string[] = [];
  const T0 = performance.now();
  t.driver.onState = (s) => { states.push(s); dl.push(`${(performance.now() - T0).toFixed(0)} STATE ${s}`); };
  t.driver.onTrace = (dir, b) => dl.push(`${(performance.now() - T0).toFixed(0)} ${dir} ${JSON.stringify(b.toString("latin1").slice(0, 80))}`);
  const d = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `stress-${dialect}`, clean: false, keepalive: 10, transport: t, reconnectPeriod: 200, connectTimeout: 20000 });
  const errors = new Map<string, number>();
  const t00 = performance.now();
  d.on("error", (e: Error) => dl.push(`${(performance.now() - T0).toFixed(0)} ERR ${e.message}`));
  d.on("error", (e: Error) => errors.set(e.message.replace(/\d{4,}/g, "N"), (errors.get(e.message.replace(/\d{4,}/g, "N")) ?? 0) + 1));
  const got = new Set<string>();
  d.on("message", (_t: string, p: Buffer) => got.add(p.toString()));
  await d.subscribe("stress/#", { qos: 1 });
  const sends: Promise<void>[] = [];
  const N = 300;
  for (let i = 0; i < N; i++) {
    sends.push(d.publish("stress/x", `m${i}-` + "y".repeat(i % 700), { qos: 1 }));
    await new Promise((r) => setTimeout(r, 40));
  }
  const t0 = Date.now();
  await Promise.race([Promise.all(sends), new Promise((r) => setTimeout(r, 40000))]);
  while (got.size < N && Date.now() - t0 < 40000) await new Promise((r) => setTimeout(r, 100));
  (await import("node:fs")).writeFileSync(`/tmp/stress/${dialect}.tr`, tr.join("\n"));
  (await import("node:fs")).writeFileSync(`/tmp/stress/${dialect}.dl`, dl.join("\n"));
  console.log(dialect, "state", t.driver.state, "connected", d.connected, "got", got.size, "of", N, "errors", [...errors], "states", states.length, "unexpected", t.driver.unexpected.slice(-5), JSON.stringify(emulator.stats()).slice(0, 600), t.stats());
  await d.end();
  await t.close();
  await emulator.stop();
  server.close();
  broker.close();
}, 120_000);
