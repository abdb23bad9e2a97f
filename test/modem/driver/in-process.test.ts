// The driver against the modem emulator in one process: no pty, no socat. The line is an
// in-process pair (host/modem/serial/in-process-line.ts); the emulator opens real TCP
// connections to a server in this test. For each emulated dialect: open, data both ways
// byte-exact, a server close, a bearer loss, a reboot and an unplugged line, each ending the
// socket with a modem error (a MoteError of kind "modem") and the next socket opening again.
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MoteError } from "../../../host/errors.ts";
import { ModemTransport, type ModemSocket } from "../../../host/modem/modem-transport.ts";
import { inProcessLine, type InProcessLine } from "../../../host/modem/serial/in-process-line.ts";
import { startEmulator } from "../../../sim/modem-emulator/index.ts";
import type { Emulator } from "../../../sim/modem-emulator/types.ts";
import { closedWith, connected, FAST, nastyBytes, waitFor, watch } from "./harness.ts";

/** Fast: a fast line, short boots and bearer delays. */
const BAUD = 921_600;

interface Rig {
  line: InProcessLine;
  emulator: Emulator;
  t: ModemTransport;
  /** Connections the emulator made to our server, in order. */
  peers: Socket[];
  /** Bytes each peer received. */
  received: Buffer[][];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function listen(peers: Socket[], received: Buffer[][]): Promise<Server> {
  const server = createServer((sock) => {
    const got: Buffer[] = [];
    peers.push(sock);
    received.push(got);
    sock.on("data", (b) => got.push(b));
    sock.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function rig(dialect: "esp-at" | "bg96"): Promise<Rig> {
  const peers: Socket[] = [];
  const received: Buffer[][] = [];
  const server = await listen(peers, received);
  const port = (server.address() as { port: number }).port;
  const line = inProcessLine(`in-process-${dialect}`);
  const emulator = await startEmulator({ dialect, line: line.modem, baudRate: BAUD, bootMs: 20, bearerDelayMs: 5, latencyMs: 1 });
  const t = new ModemTransport({
    path: line.device.path, device: line.device, baudRate: BAUD, dialect, host: "127.0.0.1", port,
    ...(dialect === "esp-at" ? { ssid: "lab", password: "secret" } : { apn: "iot" }),
    timing: FAST,
  });
  cleanups.push(async () => {
    await t.close(500);
    await emulator.stop();
    for (const p of peers) p.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { line, emulator, t, peers, received };
}

const peerBytes = (r: Rig, i: number) => Buffer.concat(r.received[i] ?? []);

async function online(r: Rig): Promise<{ s: ModemSocket; got: ReturnType<typeof watch> }> {
  const s = r.t.open();
  const got = watch(s);
  await connected(s);
  expect(r.t.driver.state).toBe("ONLINE");
  return { s, got };
}

/** The socket ended with a modem error carrying exactly this line. */
async function endsWith(s: ModemSocket, message: string | RegExp): Promise<void> {
  const err = await closedWith(s);
  expect(err).toBeInstanceOf(MoteError);
  expect((err as MoteError).kind).toBe("modem");
  if (typeof message === "string") expect(err?.message).toBe(message);
  else expect(err?.message).toMatch(message);
}

const DIALECTS = [
  { dialect: "esp-at" as const, bearerLost: "modem: bearer lost (WIFI DISCONNECT)", banner: "ready" },
  { dialect: "bg96" as const, bearerLost: 'modem: bearer lost (+QIURC: "pdpdeact",1)', banner: "RDY" },
];

describe.each(DIALECTS)("$dialect in process", ({ dialect, bearerLost, banner }) => {
  it("opens, carries every byte value both ways, and closes on end() without an error", async () => {
    const r = await rig(dialect);
    const { s, got } = await online(r);
    await waitFor(() => r.peers.length === 1, 2000, "the server to see the connection");
    const up = nastyBytes(6000);
    await new Promise<void>((resolve, reject) => s.write(up, (e) => (e ? reject(e) : resolve())));
    await waitFor(() => peerBytes(r, 0).length >= up.length, 3000, "the upload at the server");
    expect(peerBytes(r, 0).equals(up)).toBe(true);
    const down = nastyBytes(7000);
    r.peers[0]!.write(down);
    await waitFor(() => got.length() >= down.length, 3000, "the download");
    expect(got.bytes().equals(down)).toBe(true);
    expect(r.t.stats().sent.payload).toBe(up.length);
    expect(r.t.stats().received.payload).toBe(down.length);
    s.end();
    expect(await closedWith(s)).toBeUndefined();
    expect(r.t.driver.state).toBe("READY");
  });

  it("a server close delivers what waits, ends with 'socket closed by the server', and the next socket opens without a resync", async () => {
    const r = await rig(dialect);
    const { s, got } = await online(r);
    await waitFor(() => r.peers.length === 1, 2000, "the server to see the connection");
    const last = nastyBytes(3000);
    r.peers[0]!.end(last);
    await endsWith(s, "modem: socket closed by the server");
    expect(got.bytes().equals(last)).toBe(true);
    expect(r.t.driver.state).toBe("READY");
    const states: string[] = [];
    r.t.driver.onState = (st) => states.push(st);
    await online(r);
    expect(states).not.toContain("SYNC");
  });

  it("a bearer loss ends the socket with that line; the next socket brings the bearer up again", async () => {
    const r = await rig(dialect);
    const { s } = await online(r);
    r.emulator.inject("bearer-loss");
    await endsWith(s, bearerLost);
    await waitFor(() => r.t.driver.state !== "ONLINE", 1000, "the driver to leave ONLINE");
    expect(r.t.driver.state).toBe("BEARER_UP");
    const { s: s2, got } = await online(r);
    await waitFor(() => r.peers.length === 2, 2000, "the second connection");
    r.peers[1]!.write("after the bearer came back");
    await waitFor(() => got.length() > 0, 2000, "data on the new socket");
    expect(s2.destroyed).toBe(false);
  });

  it(`a reboot ends the socket (the ${banner} banner, or the boot noise before it); the next socket resyncs and opens`, async () => {
    const r = await rig(dialect);
    const { s } = await online(r);
    const states: string[] = [];
    r.t.driver.onState = (st) => states.push(st);
    r.emulator.inject("reboot");
    // An ESP's boot ROM prints noise at our baud rate before "ready": whichever comes first ends the socket.
    await endsWith(s, new RegExp(`^modem: (the modem restarted \\(${banner}\\)|unreadable reply from the modem .*; resynchronising)$`));
    await online(r);
    expect(states.slice(0, 2)).toEqual(["SYNC", "CONFIG"]);
    expect(states.at(-1)).toBe("ONLINE");
  });

  it("an unplugged line ends the socket with 'closed (unplugged?)'; opening again says it cannot", async () => {
    const r = await rig(dialect);
    const { s } = await online(r);
    r.line.unplug();
    await endsWith(s, `modem: serial port ${r.line.device.path} closed (unplugged?)`);
    expect(r.t.driver.state).toBe("PORT_CLOSED");
    await endsWith(r.t.open(), `modem: cannot open serial port ${r.line.device.path}: No such file or directory`);
  });
});
