// The ESP-AT dialect, driven through the pty by a scripted client, against a real mosquitto (and
// small TCP servers on 127.0.0.1 where a broker would close on garbage).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.ts";
import type { AtClient } from "./at-client.ts";
import { freePort } from "../../support/free-port.ts";
import { espReady, startModem, startServer, waitFor } from "./harness.ts";
import { ALL_BYTES, CONNACK_ACCEPTED, DISCONNECT, connect, publish, suback, subscribe } from "./mqtt-bytes.ts";

let broker: Mosquitto;

beforeAll(async () => {
  broker = await startMosquitto();
});

afterAll(async () => {
  await broker?.stop();
});

async function send(at: AtClient, data: Buffer, link = ""): Promise<void> {
  await at.cmd(`AT+CIPSEND=${link}${data.length}`, /\r\nOK\r\n>/);
  await at.write(data);
  await at.expect(`\r\nRecv ${data.length} bytes\r\n`);
  await at.expect("\r\nSEND OK\r\n");
}

/** Push mode: gather n bytes from +IPD frames. */
async function pushed(at: AtClient, n: number, link = ""): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const m = await at.expect(new RegExp(`\\+IPD,${link}(\\d+):`));
    parts.push(await at.bytes(Number(m[1])));
    got += Number(m[1]);
  }
  return Buffer.concat(parts);
}

/** Pull mode: wait for notices covering n bytes, then read them with AT+CIPRECVDATA. */
async function pulled(at: AtClient, n: number): Promise<Buffer> {
  let announced = 0;
  while (announced < n) announced += Number((await at.expect(/\+IPD,(\d+)\r\n/))[1]);
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const m = await at.cmd("AT+CIPRECVDATA=1024", /\+CIPRECVDATA:(\d+),/);
    parts.push(await at.bytes(Number(m[1])));
    await at.expect("\r\n\r\nOK\r\n");
    got += Number(m[1]);
  }
  return Buffer.concat(parts);
}

const echoPublish = publish("mote/echo", ALL_BYTES);

describe("ESP-AT through mosquitto", () => {
  it("push mode: CONNECT/CONNACK, all 256 byte values both ways, CLOSED when the broker closes", async () => {
    const { at, em } = await startModem({ dialect: "esp-at" });
    await espReady(at);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${broker.ports.tcp}`, /\r\nCONNECT\r\n\r\nOK\r\n/);
    await send(at, connect("esp-push"));
    expect(await pushed(at, 4)).toEqual(CONNACK_ACCEPTED);
    await send(at, subscribe("mote/echo", 1));
    expect(await pushed(at, 5)).toEqual(suback(1));
    await send(at, echoPublish);
    expect(await pushed(at, echoPublish.length)).toEqual(echoPublish);
    await send(at, DISCONNECT);
    await at.expect("\r\nCLOSED\r\n");
    expect(em.stats().sockets).toEqual([]);
    const sent = [connect("esp-push"), subscribe("mote/echo", 1), echoPublish, DISCONNECT];
    expect(em.stats().netOut).toBe(sent.reduce((n, b) => n + b.length, 0));
  });

  it("pull mode: +IPD,n notices and AT+CIPRECVDATA carry the same exchange", async () => {
    const { at } = await startModem({ dialect: "esp-at" });
    await espReady(at, true);
    await at.cmd("AT+CIPRECVMODE?", "+CIPRECVMODE:1\r\n\r\nOK\r\n");
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${broker.ports.tcp}`, /CONNECT\r\n\r\nOK\r\n/);
    await send(at, connect("esp-pull"));
    expect(await pulled(at, 4)).toEqual(CONNACK_ACCEPTED);
    await send(at, subscribe("mote/echo", 7));
    expect(await pulled(at, 5)).toEqual(suback(7));
    await send(at, echoPublish);
    expect(await pulled(at, echoPublish.length)).toEqual(echoPublish);
    await at.cmd("AT+CIPRECVDATA=100", /\r\nERROR\r\n/); // nothing left
    await at.cmd("AT+CIPCLOSE", /\r\nCLOSED\r\n\r\nOK\r\n/);
  });

  it("multiple connections: ids in CONNECT, +IPD and CLOSED", async () => {
    const { at } = await startModem({ dialect: "esp-at" });
    await espReady(at);
    await at.cmd("AT+CIPMUX=1");
    await at.cmd(`AT+CIPSTART=3,"TCP","127.0.0.1",${broker.ports.tcp}`, /\r\n3,CONNECT\r\n\r\nOK\r\n/);
    await send(at, connect("esp-mux"), "3,");
    expect(await pushed(at, 4, "3,")).toEqual(CONNACK_ACCEPTED);
    await at.cmd("AT+CIPCLOSE=3", /\r\n3,CLOSED\r\n\r\nOK\r\n/);
  });

  it("transparent mode: raw MQTT after >, +++ alone goes back to commands", async () => {
    const { at } = await startModem({ dialect: "esp-at" });
    await espReady(at);
    await at.cmd("AT+CIPMODE=1");
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${broker.ports.tcp}`, /CONNECT\r\n\r\nOK\r\n/);
    await at.cmd("AT+CIPSEND", /\r\nOK\r\n>/);
    await at.write(connect("esp-transparent"));
    expect(await at.bytes(4)).toEqual(CONNACK_ACCEPTED);
    await at.write(Buffer.concat([subscribe("mote/echo", 2), echoPublish]));
    expect(await at.bytes(5)).toEqual(suback(2));
    expect(await at.bytes(echoPublish.length)).toEqual(echoPublish);
    await new Promise((r) => setTimeout(r, 50));
    await at.write("+++");
    await new Promise((r) => setTimeout(r, 50));
    await at.cmd("AT", "\r\nOK\r\n");
    await at.cmd("AT+CIPMODE=0");
    await at.cmd("AT+CIPCLOSE", /CLOSED\r\n\r\nOK\r\n/);
  });
});

describe("ESP-AT limits and errors", () => {
  it("answers ERROR, link is not valid, ALREADY CONNECTED and busy p... where the firmware does", async () => {
    const server = await startServer();
    const { at, em } = await startModem({ dialect: "esp-at", bearerDelayMs: 300 });
    await at.cmd("AT+NOSUCHTHING", "\r\nERROR\r\n");
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, "\r\nERROR\r\n"); // no Wi-Fi yet
    await at.write('AT+CWJAP="lab","secret"\r\n');
    await new Promise((r) => setTimeout(r, 50));
    await at.write("AT\r\n");
    await at.expect("\r\nbusy p...\r\n");
    await at.expect("WIFI GOT IP\r\n\r\nOK\r\n");
    await at.cmd("ATE0");
    await at.cmd("AT+CIPSEND=10", "link is not valid\r\n\r\nERROR\r\n");
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, "ALREADY CONNECTED\r\n\r\nERROR\r\n");
    await at.cmd("AT+CIPSEND=2049", "\r\nERROR\r\n");
    await at.cmd("AT+CIPSEND=0", "\r\nERROR\r\n");
    await at.cmd('AT+CIPSTART="UDP","127.0.0.1",9', "\r\nERROR\r\n");
    expect(em.stats().errors).toBe(7);
  });

  it("a refused connection is ERROR; a second link id needs AT+CIPMUX=1", async () => {
    const server = await startServer();
    const { at } = await startModem({ dialect: "esp-at" });
    await espReady(at);
    const closedPort = await freePort();
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${closedPort}`, "\r\nERROR\r\n");
    await at.cmd(`AT+CIPSTART=1,"TCP","127.0.0.1",${server.port}`, "\r\nERROR\r\n");
  });

  it("pull mode holds at most 5744 bytes; TCP flow control keeps the rest until AT+CIPRECVDATA makes room", async () => {
    const payload = Buffer.from(Array.from({ length: 10000 }, (_, i) => (i * 7) & 0xff));
    const server = await startServer((s) => s.write(payload));
    const { at, em } = await startModem({ dialect: "esp-at", baudRate: 921600 });
    await espReady(at, true);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    await waitFor(() => em.stats().sockets[0]?.buffered === 5744, "a full modem buffer");
    await new Promise((r) => setTimeout(r, 100));
    expect(em.stats().sockets[0]!.buffered).toBe(5744);
    const parts: Buffer[] = [];
    for (let got = 0; got < payload.length;) {
      const m = await at.cmd("AT+CIPRECVDATA=2048", /\+CIPRECVDATA:(\d+),/);
      parts.push(await at.bytes(Number(m[1])));
      await at.expect("\r\n\r\nOK\r\n");
      got += Number(m[1]);
    }
    expect(Buffer.concat(parts)).toEqual(payload);
    const notices = [...at.all.matchAll(/\+IPD,(\d+)\r\n/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(notices).toBe(payload.length);
  });

  it("extra bytes after the n of AT+CIPSEND get busy p...; the first n go out", async () => {
    const server = await startServer();
    const { at } = await startModem({ dialect: "esp-at", rttMs: 100 });
    await espReady(at);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    await at.cmd("AT+CIPSEND=4", /OK\r\n>/);
    await at.write("abcdAT\r\n");
    await at.expect("Recv 4 bytes");
    await at.expect("busy p...");
    await at.expect("SEND OK");
    await waitFor(() => server.received().length === 4, "4 bytes at the server");
    expect(server.received().toString()).toBe("abcd");
  });

  it("SEND FAIL when unacknowledged bytes would pass the send buffer (network stalled)", async () => {
    const server = await startServer();
    const { at, em } = await startModem({ dialect: "esp-at", sendBufferBytes: 3000 });
    await espReady(at);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    em.inject("stall");
    const block = Buffer.alloc(2000, 0x55);
    await send(at, block);
    await at.cmd("AT+CIPSEND=2000", /OK\r\n>/);
    await at.write(block);
    await at.expect("Recv 2000 bytes\r\n\r\nSEND FAIL\r\n");
    expect(server.received().length).toBe(0);
    em.inject("resume");
    await waitFor(() => server.received().length === 2000, "the held bytes at the server");
    await send(at, block);
    expect(em.stats().sendFails).toBe(1);
  });

  it("puts a +IPD between > and the data when a URC is armed for the prompt", async () => {
    const server = await startServer((s) => s.on("data", (d) => { if (d.toString() === "ping") s.write("pong"); }));
    const { at, em } = await startModem({ dialect: "esp-at" });
    await espReady(at);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    em.inject({ kind: "urc", at: "prompt" });
    await send(at, Buffer.from("ping"));
    await waitFor(() => em.stats().sockets[0]!.buffered === 4, "pong held in the modem");
    await at.quiet(/\+IPD/, 30);
    await at.write("AT+CIPSEND=3\r\n");
    await at.expect(/^\r\nOK\r\n>\r\n\+IPD,4:pong/);
    await at.write("abc");
    await at.expect("SEND OK");
  });

  it("transparent mode reconnects silently after a TCP break (the caution in the notes)", async () => {
    const server = await startServer();
    const { at, transcript } = await startModem({ dialect: "esp-at" });
    await espReady(at);
    await at.cmd("AT+CIPMODE=1");
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    await at.cmd("AT+CIPSEND", /OK\r\n>/);
    await waitFor(() => server.sockets.length === 1, "the first connection");
    server.sockets[0]!.destroy();
    await waitFor(() => server.sockets.length === 2, "a second connection", 3000);
    await new Promise((r) => setTimeout(r, 50));
    await at.write("after");
    await waitFor(() => server.received().toString() === "after", "data on the new connection");
    expect(at.all).not.toContain("CLOSED");
    expect(transcript.filter((e) => e.text === "socket 0: connected")).toHaveLength(2);
  });

  it("an armed URC that finds no moment lets its notice go after 2 s", async () => {
    const server = await startServer((s) => setTimeout(() => s.write("hello"), 50));
    const { at, em } = await startModem({ dialect: "esp-at" });
    await espReady(at, true);
    em.inject({ kind: "urc", at: "read" });
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    await at.quiet(/\+IPD/, 1500);
    await at.expect("\r\n+IPD,5\r\n", 1500);
  });
});

describe("ESP-AT resets and losses", () => {
  it("AT+RST: OK, boot noise, ready; the link is gone, echo is back on", async () => {
    const server = await startServer();
    const { at, em } = await startModem({ dialect: "esp-at", bootMs: 100 });
    await espReady(at);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    await at.cmd("AT+RST", "\r\nOK\r\n");
    await at.expect("\r\nready\r\n");
    expect(em.stats().sockets).toEqual([]);
    expect(em.stats().reboots).toBe(1);
    await at.expect("WIFI GOT IP\r\n"); // the saved network is joined again
    await at.cmd("AT", "AT\r\r\nOK\r\n");
  });

  it("bearer loss: WIFI DISCONNECT and CLOSED, then the saved network comes back", async () => {
    const server = await startServer();
    const { at, em } = await startModem({ dialect: "esp-at", bearerDelayMs: 50 });
    await espReady(at);
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    em.inject("bearer-loss");
    await at.expect("\r\nWIFI DISCONNECT\r\n\r\nCLOSED\r\n");
    await at.expect("WIFI CONNECTED\r\n\r\nWIFI GOT IP\r\n");
    await at.cmd(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`, /CONNECT\r\n\r\nOK\r\n/);
    em.inject("remote-close");
    await at.expect("\r\nCLOSED\r\n");
  });
});
