// The Quectel BG96 dialect, driven through the pty by a scripted client, against a real
// mosquitto (and small TCP servers on 127.0.0.1 for the send-buffer limits).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../support/free-port.ts";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.ts";
import type { AtClient } from "./at-client.ts";
import { bg96Ready, startModem, startServer, waitFor } from "./harness.ts";
import { ALL_BYTES, CONNACK_ACCEPTED, DISCONNECT, connect, publish, suback, subscribe } from "./mqtt-bytes.ts";

let broker: Mosquitto;

beforeAll(async () => {
  broker = await startMosquitto();
});

afterAll(async () => {
  await broker?.stop();
});

async function send(at: AtClient, data: Buffer): Promise<void> {
  await at.cmd(`AT+QISEND=0,${data.length}`, /^\r\n> /);
  await at.write(data);
  await at.expect(/^\r\nSEND OK\r\n/);
}

/** After a recv notice: read with AT+QIRD until n bytes came, then see +QIRD: 0. */
async function read(at: AtClient, n: number): Promise<Buffer> {
  await at.expect('+QIURC: "recv",0\r\n');
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const m = await at.cmd("AT+QIRD=0,1500", /\+QIRD: (\d+)\r\n/);
    parts.push(await at.bytes(Number(m[1])));
    await at.expect(/^\r\n(\r\n)?OK\r\n/);
    got += Number(m[1]);
  }
  await at.cmd("AT+QIRD=0,1500", "\r\n+QIRD: 0\r\n\r\nOK\r\n");
  return Buffer.concat(parts);
}

const echoPublish = publish("mote/bg96", ALL_BYTES);
const open = (port: number, mode = 0) => `AT+QIOPEN=1,0,"TCP","127.0.0.1",${port},0,${mode}`;

describe("BG96 through mosquitto", () => {
  it("buffer mode: CONNECT/CONNACK, all 256 byte values both ways, closed notice, QICLOSE", async () => {
    const { at, em } = await startModem({ dialect: "bg96", bearerDelayMs: 150 });
    const t0 = Date.now();
    await bg96Ready(at);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // AT+QIACT takes the bearer delay
    await at.cmd("AT+QIACT?", '+QIACT: 1,1,1,"10.0.0.2"\r\n\r\nOK\r\n');
    await at.cmd(open(broker.ports.tcp), "\r\nOK\r\n");
    await at.expect("\r\n+QIOPEN: 0,0\r\n");
    await send(at, connect("bg96-pull"));
    expect(await read(at, 4)).toEqual(CONNACK_ACCEPTED);
    await send(at, subscribe("mote/bg96", 9));
    expect(await read(at, 5)).toEqual(suback(9));
    await send(at, echoPublish);
    expect(await read(at, echoPublish.length)).toEqual(echoPublish);
    const sent = connect("bg96-pull").length + subscribe("mote/bg96", 9).length + echoPublish.length;
    await at.cmd("AT+QISEND=0,0", `+QISEND: ${sent},${sent},0\r\n\r\nOK\r\n`);
    await at.cmd("AT+QIRD=0,0", `+QIRD: ${4 + 5 + echoPublish.length},${4 + 5 + echoPublish.length},0\r\n\r\nOK\r\n`);
    await send(at, DISCONNECT);
    await at.expect('\r\n+QIURC: "closed",0\r\n');
    await at.cmd("AT+QISEND=0,4", "\r\nERROR\r\n");
    await at.cmd("AT+QICLOSE=0");
    expect(em.stats().sockets).toEqual([]);
  });

  it("direct push mode: +QIURC: \"recv\",0,<n> with the data", async () => {
    const { at } = await startModem({ dialect: "bg96", bearerDelayMs: 10 });
    await bg96Ready(at);
    await at.cmd(open(broker.ports.tcp, 1), "\r\nOK\r\n");
    await at.expect("+QIOPEN: 0,0\r\n");
    await send(at, connect("bg96-push"));
    await at.expect('+QIURC: "recv",0,4\r\n');
    expect(await at.bytes(4)).toEqual(CONNACK_ACCEPTED);
  });

  it("transparent mode: CONNECT, raw MQTT, +++ with guard times → OK, ATO back", async () => {
    const { at } = await startModem({ dialect: "bg96", bearerDelayMs: 10, guardTimeMs: 200 });
    await bg96Ready(at);
    await at.cmd(open(broker.ports.tcp, 2), "\r\nCONNECT\r\n");
    await at.write(connect("bg96-transparent"));
    expect(await at.bytes(4)).toEqual(CONNACK_ACCEPTED);
    await at.write(Buffer.concat([subscribe("mote/bg96", 3), echoPublish]));
    expect(await at.bytes(5)).toEqual(suback(3));
    expect(await at.bytes(echoPublish.length)).toEqual(echoPublish);
    await new Promise((r) => setTimeout(r, 250));
    await at.write("+++");
    await at.expect("\r\nOK\r\n", 1000);
    await at.cmd("AT+QISTATE?", /\+QISTATE: 0,"TCP","127.0.0.1",\d+,0,2,1,0,2,"uart1"\r\n\r\nOK\r\n/);
    await at.cmd("ATO", "\r\nCONNECT\r\n");
    await at.write(DISCONNECT);
    await at.expect("\r\nNO CARRIER\r\n");
  });
});

describe("BG96 errors, limits and notices", () => {
  it("AT+CMEE=2 texts, +QIOPEN error codes, unknown commands", async () => {
    const server = await startServer();
    const { at } = await startModem({ dialect: "bg96", bearerDelayMs: 10 });
    await at.cmd("ATE0");
    await at.cmd("AT+CMEE=1");
    await at.cmd(open(server.port), "\r\nOK\r\n");
    await at.expect("\r\n+QIOPEN: 0,561\r\n"); // no bearer yet
    await bg96Ready(at);
    await at.cmd("AT+QIACT=1", "\r\nERROR\r\n"); // already active
    await at.cmd(open(await freePort()), "\r\nOK\r\n");
    await at.expect("\r\n+QIOPEN: 0,566\r\n");
    await at.cmd(open(server.port), "\r\nOK\r\n");
    await at.expect("+QIOPEN: 0,0\r\n");
    await at.cmd(open(server.port), "\r\n+CME ERROR: Socket identity has been used\r\n");
    await at.cmd("AT+QIGETERROR", "+QIGETERROR: 563,Socket identity has been used\r\n\r\nOK\r\n");
    await at.cmd('AT+QIOPEN=1,0,"UDP","127.0.0.1",9,0,0', "\r\n+CME ERROR: Operation not supported\r\n");
    await at.cmd("AT+CMEE=1");
    await at.cmd('AT+QIOPEN=1,12,"TCP","127.0.0.1",9,0,0', "\r\n+CME ERROR: 552\r\n");
    await at.cmd("AT+QISEND=0,1461", "\r\nERROR\r\n");
    await at.cmd("AT+QIRD=0,1501", "\r\nERROR\r\n");
    await at.cmd("AT+CIPSTART", "\r\nERROR\r\n");
  });

  it("SEND FAIL when the send buffer is full of unacknowledged bytes; QISEND counts them", async () => {
    const server = await startServer();
    const { at, em } = await startModem({ dialect: "bg96", bearerDelayMs: 10 });
    await bg96Ready(at);
    await at.cmd(open(server.port), "+QIOPEN: 0,0\r\n");
    em.inject("stall");
    const block = Buffer.alloc(1460, 0xa5);
    await send(at, block);
    await send(at, block);
    await at.cmd("AT+QISEND=0,1460", /^\r\n> /);
    await at.write(block);
    await at.expect("\r\nSEND FAIL\r\n");
    await at.cmd("AT+QISEND=0,0", "+QISEND: 2920,0,2920\r\n\r\nOK\r\n");
    em.inject("resume");
    await waitFor(() => server.received().length === 2920, "the held bytes at the server");
    await at.cmd("AT+QISEND=0,0", "+QISEND: 2920,2920,0\r\n\r\nOK\r\n");
    expect(em.stats().sendFails).toBe(1);
  });

  it("a recv notice inside a +QIRD reply, between the data and OK", async () => {
    const server = await startServer((s) => s.write("hello"));
    const { at, em } = await startModem({ dialect: "bg96", bearerDelayMs: 10 });
    await bg96Ready(at);
    await at.cmd(open(server.port), "+QIOPEN: 0,0\r\n");
    await at.expect('+QIURC: "recv",0\r\n');
    em.inject({ kind: "urc", at: "read" });
    await at.cmd("AT+QIRD=0,1500", '\r\n+QIRD: 5\r\nhello\r\n\r\n+QIURC: "recv",0\r\n\r\nOK\r\n');
  });

  it("remote close, bearer loss and reboot notices", async () => {
    const server = await startServer();
    const { at, em } = await startModem({ dialect: "bg96", bearerDelayMs: 10, bootMs: 200 });
    await bg96Ready(at);
    await at.cmd(open(server.port), "+QIOPEN: 0,0\r\n");
    await waitFor(() => server.sockets.length === 1, "the connection at the server");
    server.sockets[0]!.end();
    await at.expect('\r\n+QIURC: "closed",0\r\n');
    await at.cmd("AT+QICLOSE=0");
    await at.cmd(open(server.port), "+QIOPEN: 0,0\r\n");
    em.inject("bearer-loss");
    await at.expect('\r\n+QIURC: "pdpdeact",1\r\n');
    await at.cmd("AT+QIACT?", /^\r\nOK\r\n/);
    await at.cmd("AT+QISEND=0,1", "\r\nERROR\r\n");
    await at.cmd("AT+QICLOSE=0");
    await at.cmd("AT+QIACT=1");
    await at.cmd(open(server.port), "+QIOPEN: 0,0\r\n");
    em.inject("reboot");
    await at.expect("\r\nRDY\r\n", 2000);
    await at.expect("\r\nAPP RDY\r\n", 2000);
    expect(em.stats().sockets).toEqual([]);
    await at.cmd("AT", "AT\r\r\nOK\r\n"); // echo is on again
    await at.cmd("AT+QIACT?", /^AT\+QIACT\?\r\r\nOK\r\n/); // the bearer is down after a reset
  });
});
