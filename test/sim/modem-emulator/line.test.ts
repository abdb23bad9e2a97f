// The serial line itself: pacing to baud/10 bytes per second both ways, line impairments (noise,
// drops, small writes, scripted and scheduled injections), the transcript, and the two ways to
// attach (a link made with socat, an existing port).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startPtyPair } from "../../../sim/modem-emulator/socat.ts";
import { startEmulator } from "../../../sim/modem-emulator/index.ts";
import { AtClient } from "./at-client.ts";
import { espReady, onCleanup, startModem, startServer, waitFor } from "./harness.ts";

const echo = (s: import("node:net").Socket) => s.on("data", (d) => s.write(d));

describe("pacing", () => {
  it("2,000 bytes take 2.08 s at 9600 baud each way (within 10%)", async () => {
    const server = await startServer(echo);
    const { at, em } = await startModem({ dialect: "esp-at", baudRate: 9600, bearerDelayMs: 10 });
    await espReady(at, true);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    await at.cmd("AT+CIPSEND=2000", /OK\r\n>/);
    const block = Buffer.alloc(2000, 0x41);
    let t0 = performance.now();
    await at.write(block);
    await at.expect("Recv 2000 bytes\r\n", 5000);
    const inMs = performance.now() - t0;
    const recvLine = "\r\nRecv 2000 bytes\r\n".length;
    expect(inMs).toBeGreaterThan(((2000 + recvLine) / 960) * 1000 * 0.9);
    expect(inMs).toBeLessThan(((2000 + recvLine) / 960) * 1000 * 1.1);

    await waitFor(() => em.stats().sockets[0]?.buffered === 2000, "the echo in the modem buffer", 5000);
    const command = "AT+CIPRECVDATA=2000\r\n";
    const reply = `\r\n+CIPRECVDATA:2000,${"A".repeat(2000)}\r\n\r\nOK\r\n`;
    at.rx = "";
    t0 = performance.now();
    await at.write(command);
    await at.expect(reply, 5000);
    const outMs = performance.now() - t0;
    const expected = ((command.length + reply.length) / 960) * 1000;
    expect(outMs).toBeGreaterThan(expected * 0.9);
    expect(outMs).toBeLessThan(expected * 1.1);
  });
});

describe("line impairments", () => {
  it("noise comes from the seed: the same seed, the same bytes", async () => {
    const noiseOf = async (seed: number) => {
      const { at, em } = await startModem({ dialect: "bg96", seed });
      em.inject({ kind: "noise", bytes: 16 });
      const bytes = await at.bytes(16);
      expect(em.stats().noise).toBe(16);
      await at.cmd("AT", "\r\nOK\r\n"); // the modem itself is unharmed
      return bytes;
    };
    const a = await noiseOf(42);
    expect(await noiseOf(42)).toEqual(a);
    expect(await noiseOf(43)).not.toEqual(a);
  });

  it("drops: the next bytes by injection, or at a seeded rate", async () => {
    const { at, em } = await startModem({ dialect: "esp-at" });
    await at.cmd("ATE0");
    em.inject({ kind: "drop", bytes: 2 });
    await at.write("AT\r\n");
    await at.expect(/^OK\r\n$/);
    expect(em.stats().dropped).toBe(2);

    const lossy = await startModem({ dialect: "esp-at", seed: 7, impairments: { dropRate: 0.2 } });
    for (let i = 0; i < 3; i++) {
      await lossy.at.write("AT+GMR\r\n");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(lossy.em.stats().commands).toBe(3);
    const s = lossy.em.stats();
    expect(s.dropped).toBeGreaterThan(0);
    expect(lossy.at.all.length).toBe(s.serialOut);
    const said = lossy.transcript.filter((e) => e.dir === "out").reduce((n, e) => n + e.bytes, 0);
    expect(said - s.dropped).toBe(s.serialOut);
  });

  it("fragments the output into small writes and keeps every byte", async () => {
    const { at, em } = await startModem({ dialect: "esp-at", impairments: { fragment: { maxBytes: 3, gapMs: 1 } } });
    await at.cmd("ATE0");
    at.chunks.length = 0;
    const before = em.stats();
    await at.cmd("AT+GMR", /^\r\nAT version:.*\r\n\r\nSDK version:emulated\r\n\r\nOK\r\n$/);
    const after = em.stats();
    const bytes = after.serialOut - before.serialOut;
    expect(after.serialWrites - before.serialWrites).toBeGreaterThanOrEqual(bytes / 3);
    expect(at.chunks.length).toBeGreaterThan(3); // the host sees it in pieces too
  });

  it("host bytes lost at the modem's UART (inputDropRate 1): no reply", async () => {
    const { at } = await startModem({ dialect: "esp-at", impairments: { inputDropRate: 1 } });
    await at.write("AT\r\n");
    await at.quiet(/OK/, 150);
  });

  it("scripted and scheduled injections", async () => {
    const { at, em } = await startModem({
      dialect: "esp-at", bootMs: 50,
      impairments: { script: [{ atMs: 100, inject: "reboot" }], schedule: { meanIntervalMs: 40, kinds: [{ kind: "noise", bytes: 1 }] } },
    });
    await at.expect("\r\nready\r\n", 2000);
    await waitFor(() => em.stats().noise >= 3, "scheduled noise");
    expect(em.stats().reboots).toBe(1);
    expect(em.stats().injections).toBeGreaterThanOrEqual(4);
  });
});

describe("transcript", () => {
  it("records every exchange with time, direction, byte count and escaped text", async () => {
    const server = await startServer();
    const { at, em, transcript } = await startModem({ dialect: "esp-at", bearerDelayMs: 10 });
    await espReady(at);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    await at.cmd("AT+CIPSEND=4", /OK\r\n>/);
    await at.write(Buffer.from([0x00, 0x0d, 0xff, 0x5c]));
    await at.expect("SEND OK\r\n");
    await waitFor(() => server.received().length === 4, "4 bytes at the server");
    await em.stop();

    const s = em.stats();
    const sum = (dir: string) => transcript.filter((e) => e.dir === dir).reduce((n, e) => n + e.bytes, 0);
    expect(sum("in")).toBe(s.serialIn);
    expect(sum("out")).toBe(s.serialOut);
    expect(sum("net-out")).toBe(4);
    const times = transcript.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const texts = transcript.map((e) => `${e.dir} ${e.bytes} ${e.text}`);
    expect(texts).toContain("out 5 ATE0\\r"); // the echo, before echo went off
    // The LF may come as an entry of its own when the paced input hands it over a tick later.
    const inText = transcript.filter((e) => e.dir === "in").map((e) => e.text).join("");
    expect(inText).toContain("AT+CIPSEND=4\\r\\n\\x00\\r\\xff\\\\");
    expect(texts).toContain("out 7 \\r\\nOK\\r\\n>");
    expect(texts).toContain("in 4 \\x00\\r\\xff\\\\");
    expect(texts).toContain("out 16 \\r\\nRecv 4 bytes\\r\\n");
    expect(transcript).toContainEqual(expect.objectContaining({ dir: "net-out", bytes: 4, text: "\\x00\\r\\xff\\\\", socket: 0 }));
    expect(transcript).toContainEqual(expect.objectContaining({ dir: "event", text: "socket 0: connected" }));
  });
});

describe("attaching", () => {
  it("creates the link the user asked for and removes it on stop", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-emu-test-"));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const link = join(dir, "ttyMODEM");
    const em = await startEmulator({ dialect: "bg96", link });
    onCleanup(() => em.stop());
    expect(em.path).toBe(link);
    const at = await AtClient.open(link);
    onCleanup(() => at.close());
    await at.cmd("ATI", /Quectel\r\n\r\nBG96\r\n\r\nRevision: .*\r\n\r\nOK\r\n/);
    await at.close();
    await em.stop();
    const { existsSync } = await import("node:fs");
    expect(existsSync(link)).toBe(false);
  });

  it("serves an existing serial device (here the far end of a pty pair)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-emu-test-"));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const pair = await startPtyPair(join(dir, "board"), join(dir, "usb-uart"));
    onCleanup(() => pair.stop());
    const em = await startEmulator({ dialect: "esp-at", port: pair.inner });
    onCleanup(() => em.stop());
    expect(em.path).toBe(pair.inner);
    const at = await AtClient.open(pair.link);
    onCleanup(() => at.close());
    await at.cmd("AT", "AT\r\r\nOK\r\n");
  });
});
