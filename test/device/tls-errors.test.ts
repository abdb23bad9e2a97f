// TLS failures surface as clear MqttErrors, fast: certificate verification is on by default,
// only `insecure: true` turns it off, a broker that wants a client certificate says so, and a
// missing certificate file is an error at construction, naming the path.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";
import { MqttError } from "../../host/device.ts";
import { connect, connectAsync } from "../../host/device-connect.ts";
import { Tracker, rejection, uniqueId, uniqueTopic, waitFor } from "./helpers.ts";

/** Presents a server certificate signed by the wrong CA (on TLS and secure WebSocket). */
let wrong: Mosquitto;
/** Presents the right certificate; its mtls listener requires a client certificate. */
let right: Mosquitto;
const t = new Tracker();
const BOUND_MS = 3000;

beforeAll(async () => {
  [wrong, right] = await Promise.all([
    startMosquitto({ listeners: ["tls", "wss"], serverCert: "wrong-ca" }),
    startMosquitto({ listeners: ["tls", "mtls"] }),
  ]);
});
afterEach(() => t.closeAll());
afterAll(() => Promise.all([wrong?.stop(), right?.stop()]));

async function expectRejected(p: Promise<unknown>, pattern: RegExp): Promise<MqttError> {
  const started = Date.now();
  const err = await rejection(p.then((d) => t.device(d as never)), BOUND_MS, "connectAsync to settle");
  expect(err, "connectAsync should reject").toBeInstanceOf(MqttError);
  expect(err!.message).toMatch(pattern);
  expect(Date.now() - started).toBeLessThan(BOUND_MS);
  return err as MqttError;
}

describe("server certificate verification", () => {
  it("rejects a server certificate from an unknown CA, naming the certificate problem", async () => {
    const err = await expectRejected(connectAsync(wrong.url("tls"), { caFile: wrong.certs.caCert }), /certificate/i);
    expect(err.message).toContain(`127.0.0.1:${wrong.ports.tls}`);
  });

  it("verifies by default: without caFile Node's bundled roots do not trust the test CA", async () => {
    await expectRejected(connectAsync(right.url("tls")), /certificate/i);
  });

  it("rejects an unknown CA over wss:// too", async () => {
    await expectRejected(connectAsync(wrong.url("wss"), { caFile: wrong.certs.caCert }), /certificate/i);
  });

  it("rejects a certificate that does not name the server (servername mismatch)", async () => {
    await expectRejected(connectAsync(right.url("tls"), { caFile: right.certs.caCert, servername: "not-this-broker.example" }),
      /not-this-broker\.example|altname|does not match/i);
  });

  it("emits the certificate error from connect() too, and never reports a connection", async () => {
    const d = t.device(connect(wrong.url("tls"), { caFile: wrong.certs.caCert, reconnect: false }));
    const errors: Error[] = [];
    let connected = false;
    d.on("error", (e: Error) => errors.push(e));
    d.on("connect", () => { connected = true; });
    await waitFor(() => errors.length > 0, BOUND_MS, "an error event");
    expect(errors[0]).toBeInstanceOf(MqttError);
    expect(errors[0].message).toMatch(/certificate/i);
    expect(connected).toBe(false);
  });

  it("a publish on a device that cannot pass verification (reconnect off) is rejected, not left pending", async () => {
    const d = t.device(connect(wrong.url("tls"), { caFile: wrong.certs.caCert, reconnect: false }));
    const err = await rejection(d.publish(uniqueTopic("tls-err"), "x", { qos: 1 }), BOUND_MS, "publish to settle");
    expect(err).toBeInstanceOf(MqttError);
  });

  it("insecure: true connects to the wrong-CA broker anyway, and messages flow", async () => {
    const d = await t.connect(wrong.url("tls"), { insecure: true, clientId: uniqueId("insecure") });
    const topic = uniqueTopic("insecure");
    await d.subscribe(topic, { qos: 1 });
    let got = "";
    d.on("message", (_t: string, p: Buffer) => { got = p.toString(); });
    await d.publish(topic, "through", { qos: 1 });
    await waitFor(() => got === "through", BOUND_MS, "the message");
  });
});

describe("client certificates", () => {
  it("mtls without a client certificate fails with an error that says a certificate is required", async () => {
    await expectRejected(connectAsync(right.url("mtls"), { caFile: right.certs.caCert }), /certificate required/i);
  });

  it("mtls with the client certificate connects", async () => {
    const c = right.certs;
    const d = await t.connect(right.url("mtls"), { caFile: c.caCert, certFile: c.clientCert, keyFile: c.clientKey });
    expect(d.connected).toBe(true);
  });
});

describe("certificate files", () => {
  const missing = join(process.cwd(), "no-such-dir", "missing-ca.pem");

  it("a missing CA file throws at construction with the path in the message", () => {
    expect(() => connect(right.url("tls"), { caFile: missing })).toThrow(missing);
  });

  it("a missing CA file makes connectAsync reject with the path, for wss:// too", async () => {
    const e1 = await rejection(connectAsync(right.url("tls"), { caFile: missing }), 1000);
    const e2 = await rejection(connectAsync(`wss://127.0.0.1:${right.ports.tls}`, { caFile: missing }), 1000);
    expect(e1?.message).toContain(missing);
    expect(e2?.message).toContain(missing);
  });

  it("missing client certificate and key files name their paths", () => {
    const c = right.certs;
    const cert = join(process.cwd(), "no-such-dir", "client.crt");
    const key = join(process.cwd(), "no-such-dir", "client.key");
    expect(() => connect(right.url("mtls"), { caFile: c.caCert, certFile: cert, keyFile: c.clientKey })).toThrow(cert);
    expect(() => connect(right.url("mtls"), { caFile: c.caCert, certFile: c.clientCert, keyFile: key })).toThrow(key);
  });
});
