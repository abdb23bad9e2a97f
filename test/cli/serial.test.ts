// mote over serial lines: pub through an emulated modem, sub's raw MQTT through `mote bridge`,
// and the usage errors of the serial flags.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../sim/modem-emulator/index.ts";
import { broker, killAll, mosquittoSub, mote, waitFor, type Broker } from "./helpers.ts";

let b: Broker;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  b = await broker();
  dir = mkdtempSync(join(tmpdir(), "mote-cli-serial-"));
});

afterAll(async () => {
  killAll();
  for (const c of children) c.kill("SIGKILL");
  await b?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("mote over serial lines", () => {
  it("pub --modem reaches the broker through an AT modem (BG96 at 9600 baud)", async () => {
    const emulator = await startEmulator({ dialect: "bg96", link: join(dir, "bg96"), baudRate: 9600, bearerDelayMs: 50 });
    try {
      const watch = mosquittoSub(["-p", String(b.port), "-i", "serial-watch", "-t", "serial/modem", "-C", "1"]);
      await b.subscribed("serial-watch");
      const r = await mote(["pub", "--modem", emulator.path, "--dialect", "bg96", "--baud", "9600", "--apn", "iot",
        "-h", "127.0.0.1", "-p", String(b.port), "-t", "serial/modem", "-m", "21.5", "-q", "1", "--stats"]).done;
      expect(r.code, r.stderr).toBe(0);
      expect((await watch.done).stdout).toBe("21.5\n");
      // The serial bytes include the AT framing: more than the MQTT bytes.
      const mqtt = Number(/MQTT total\s+(\d+)/.exec(r.stderr)?.[1]);
      const wire = Number(/on the wire \(modem\)\s+(\d+)/.exec(r.stderr)?.[1]);
      expect(wire).toBeGreaterThan(mqtt);
    } finally {
      await emulator.stop();
    }
  }, 30_000);

  it("bridge carries a raw MQTT session from a serial line to the broker", async () => {
    const a = join(dir, "board"), c = join(dir, "laptop");
    const socat = spawn("socat", [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${c}`], { stdio: "ignore" });
    children.push(socat);
    await waitFor(() => existsSync(a) && existsSync(c), "the pty pair");
    const bridge = spawn(process.execPath, ["--import", "tsx", "bin/mote.ts", "bridge", "--port", c, "--url", `mqtt://127.0.0.1:${b.port}`], { stdio: ["ignore", "ignore", "pipe"] });
    children.push(bridge);
    let bridgeErr = "";
    bridge.stderr!.on("data", (d) => { bridgeErr += d; });
    await waitFor(() => bridgeErr.includes("<->"), "the bridge to start", 10_000);
    const watch = mosquittoSub(["-p", String(b.port), "-i", "bridge-watch", "-t", "serial/raw", "-C", "1"]);
    await b.subscribed("bridge-watch");
    const r = await mote(["pub", "--serial", a, "-t", "serial/raw", "-m", "over the bridge", "-q", "1"]).done;
    expect(r.code, r.stderr).toBe(0);
    expect((await watch.done).stdout).toBe("over the bridge\n");
    bridge.kill("SIGINT");
    await new Promise((res) => bridge.once("exit", res));
    expect(bridgeErr).toMatch(/to broker PUBLISH: 1 packets/);
  }, 30_000);

  it.each([
    [["pub", "--modem", "/dev/null", "-t", "t", "-m", "m"], "--modem needs --dialect esp-at or bg96"],
    [["pub", "--dialect", "bg96", "-t", "t", "-m", "m"], "--dialect goes with --modem"],
    [["pub", "--serial", "/a", "--modem", "/b", "--dialect", "bg96", "-t", "t", "-m", "m"], "--modem and --serial are two different lines"],
    [["pub", "--serial", "/a", "--cafile", "/ca", "-t", "t", "-m", "m"], "TLS and WebSocket are not supported there"],
    [["modem", "--dialect", "sim800", "--link", "/x"], "--dialect must be esp-at or bg96"],
    [["bridge", "--port", "/x"], "--url <broker URL> is required"],
  ])("%j is a usage error", async (args, message) => {
    const r = await mote(args as string[]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
