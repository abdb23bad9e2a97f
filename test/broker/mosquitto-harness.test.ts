// Proves test/support/mosquitto.ts against the real broker, with MQTT.js as the client: every
// listener kind answers CONNECT with CONNACK in 3.1.1 and 5.0 and is bound to 127.0.0.1 only;
// certificate checks fail where they must; a password file refuses a wrong password; restart()
// keeps the ports and (with persistence) a queued QoS 1 message; kill() drops connections.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { readFileSync, statSync } from "node:fs";
import { startMosquitto, type ListenerKind, type Mosquitto } from "../support/mosquitto.ts";
import { CLIENT_CN, pem, type Certs } from "../support/certs.ts";
import { freePort } from "../support/free-port.ts";

const WAIT_MS = 5000;
const VERSIONS = [4, 5] as const;
const KINDS: ListenerKind[] = ["tcp", "tls", "mtls", "ws", "wss"];
const USERS = { mote: "right-password" };

const brokers: Mosquitto[] = [];
const clients: MqttClient[] = [];

async function broker(opts: Parameters<typeof startMosquitto>[0]): Promise<Mosquitto> {
  const b = await startMosquitto(opts);
  brokers.push(b);
  return b;
}

function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let ids = 0;

/** Client options for a listener: the CA to trust, and the client certificate on mtls. */
function options(kind: ListenerKind, certs: Certs, version: 4 | 5, extra: IClientOptions = {}): IClientOptions {
  const tls = kind === "tls" || kind === "mtls" || kind === "wss";
  return {
    protocolVersion: version,
    clientId: `harness-${process.pid}-${++ids}`,
    reconnectPeriod: 0,
    connectTimeout: WAIT_MS - 1000,
    ...(tls ? { ca: pem(certs.caCert) } : {}),
    ...(kind === "mtls" ? { cert: pem(certs.clientCert), key: pem(certs.clientKey) } : {}),
    ...extra,
  };
}

/** CONNECT, and resolve on CONNACK 0; reject on refusal, on an error or when the connection closes first. */
async function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  const client = await within(mqtt.connectAsync(url, opts, false), `CONNACK from ${url}`);
  clients.push(client);
  return client;
}

/** The error that refused the connection (fails the test when it was accepted). */
async function refusal(url: string, opts: IClientOptions): Promise<Error & { code?: number | string }> {
  try {
    const client = await connect(url, opts);
    client.end(true);
  } catch (err) {
    return err as Error & { code?: number | string };
  }
  throw new Error(`${url} accepted the connection`);
}

/** Local addresses of the listening TCP sockets on port (from /proc/net/tcp and tcp6, hex). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8").split("\n").slice(1).map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length > 3 && f[3] === "0A" && f[1].endsWith(`:${hexPort}`)).map((f) => f[1]));
}

afterAll(async () => {
  for (const c of clients) c.end(true);
  await Promise.all(brokers.map((b) => b.stop()));
});

describe("a broker with every listener kind", () => {
  let all: Mosquitto;
  beforeAll(async () => {
    all = await broker({ listeners: ["tls", "mtls", "ws", "wss"] });
  });

  it.each(KINDS.flatMap((kind) => VERSIONS.map((v) => [kind, v] as const)))("%s answers CONNECT v%d with CONNACK", async (kind, version) => {
    const client = await connect(all.url(kind), options(kind, all.certs, version));
    expect(client.connected).toBe(true);
    await within(client.endAsync(), "DISCONNECT");
  });

  it("binds every listener to 127.0.0.1 only (websockets too)", () => {
    for (const kind of KINDS) {
      const port = all.ports[kind]!;
      expect(listeningAddresses(port), `${kind} port ${port}`).toEqual([`0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`]);
    }
  });

  it("uses the client certificate's CN as the user name on mtls, and logs it", async () => {
    const client = await connect(all.url("mtls"), options("mtls", all.certs, 5, { clientId: "harness-mtls-identity" }));
    await within(client.endAsync(), "DISCONNECT");
    expect(all.logs()).toMatch(/mosquitto version 2\.0\.\d+ running/);
    expect(all.logs()).toContain(`as harness-mtls-identity (p5, c1, k60, u'${CLIENT_CN}')`);
  });

  it("is rejected by a client that trusts only the wrong CA", async () => {
    for (const kind of ["tls", "mtls", "wss"] as const) {
      const err = await refusal(all.url(kind), options(kind, all.certs, 4, { ca: pem(all.certs.wrongCaCert) }));
      expect(String(err.code ?? err.message), kind).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/);
    }
  });

  it("refuses a mutual-TLS client without a certificate", async () => {
    const err = await refusal(all.url("mtls"), options("tls", all.certs, 5));
    expect(err.message).toMatch(/certificate required|handshake failure/);
  });
});

describe("a broker presenting a certificate of the wrong CA", () => {
  let wrong: Mosquitto;
  beforeAll(async () => {
    wrong = await broker({ listeners: ["tls", "wss"], serverCert: "wrong-ca" });
  });

  it.each(["tls", "wss"] as const)("%s is rejected by certificate verification, accepted without it", async (kind) => {
    const err = await refusal(wrong.url(kind), options(kind, wrong.certs, 4));
    expect(String(err.code ?? err.message)).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/);
    const client = await connect(wrong.url(kind), options(kind, wrong.certs, 4, { rejectUnauthorized: false }));
    await within(client.endAsync(), "DISCONNECT");
  });
});

describe("a broker with a password file", () => {
  let auth: Mosquitto;
  beforeAll(async () => {
    auth = await broker({ users: USERS });
  });

  // mosquitto 2.0.11 answers a wrong password in 5.0 with 0x87 Not Authorized, not 0x86 Bad
  // User Name or Password: a failed password check and a refused anonymous client look the same.
  it("refuses a wrong password with 5 (3.1.1) and 0x87 (5.0)", async () => {
    const wrong = { username: "mote", password: "wrong-password" };
    expect((await refusal(auth.url(), options("tcp", auth.certs, 4, wrong))).code).toBe(5);
    expect((await refusal(auth.url(), options("tcp", auth.certs, 5, wrong))).code).toBe(0x87);
    const unknown = { username: "nobody", password: "right-password" };
    expect((await refusal(auth.url(), options("tcp", auth.certs, 5, unknown))).code).toBe(0x87);
  });

  it("refuses an anonymous client", async () => {
    expect((await refusal(auth.url(), options("tcp", auth.certs, 4))).code).toBe(5);
    expect((await refusal(auth.url(), options("tcp", auth.certs, 5))).code).toBe(0x87);
  });

  it.each(VERSIONS)("accepts the right password (v%d)", async (version) => {
    const client = await connect(auth.url(), options("tcp", auth.certs, version, { username: "mote", password: USERS.mote }));
    await within(client.endAsync(), "DISCONNECT");
  });

  it("writes the password file and config readable by user mosquitto", () => {
    for (const file of ["passwd", "mosquitto.conf"]) expect(statSync(`${auth.dir}/${file}`).mode & 0o777).toBe(0o644);
    expect(statSync(auth.dir).mode & 0o777).toBe(0o755);
    for (const path of Object.values(auth.certs)) expect(statSync(path).mode & 0o777, path).toBe(path === auth.certs.dir ? 0o755 : 0o644);
  });
});

describe("restart and kill", () => {
  let persistent: Mosquitto;
  beforeAll(async () => {
    persistent = await broker({ persistence: true });
  });

  it("restart() keeps the ports, and a persistent session's queued QoS 1 message survives it", async () => {
    const topic = `harness/persist/${process.pid}`;
    const session = (version: 4 | 5): IClientOptions =>
      options("tcp", persistent.certs, version, { clientId: `harness-persist-v${version}-${process.pid}`, clean: false,
        ...(version === 5 ? { properties: { sessionExpiryInterval: 300 } } : {}) });
    for (const version of VERSIONS) {
      const sub = await connect(persistent.url(), session(version));
      await within(sub.subscribeAsync(topic, { qos: 1 }), "SUBACK");
      await within(sub.endAsync(), "DISCONNECT");
    }
    const pub = await connect(persistent.url(), options("tcp", persistent.certs, 4));
    await within(pub.publishAsync(topic, "queued across a restart", { qos: 1 }), "PUBACK");
    await within(pub.endAsync(), "DISCONNECT");

    const ports = { ...persistent.ports };
    const pid = persistent.pid;
    await persistent.restart();
    expect(persistent.ports).toEqual(ports);
    expect(persistent.pid).not.toBe(pid);

    for (const version of VERSIONS) {
      const sub = mqtt.connect(persistent.url(), session(version));
      clients.push(sub);
      const message = new Promise<string>((resolve) => sub.on("message", (t, payload) => resolve(`${t} ${payload.toString()}`)));
      expect(await within(message, `queued message (v${version})`)).toBe(`${topic} queued across a restart`);
      sub.end(true);
    }
  });

  it("kill() closes connected clients, and restart() after it serves on the same port", async () => {
    const client = await connect(persistent.url(), options("tcp", persistent.certs, 5));
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    const port = persistent.ports.tcp;
    await persistent.kill();
    expect(persistent.pid).toBeUndefined();
    await within(closed, "close after kill()");
    await persistent.restart();
    expect(persistent.ports.tcp).toBe(port);
    const again = await connect(persistent.url(), options("tcp", persistent.certs, 4));
    await within(again.endAsync(), "DISCONNECT");
  });
});

describe("start-up errors", () => {
  it("says how to install mosquitto when the binary is missing", async () => {
    await expect(startMosquitto({ binary: "/nonexistent/mosquitto" })).rejects.toThrow("mosquitto is not installed (apt-get install mosquitto)");
  });

  it("fails with the log when the config is invalid", async () => {
    await expect(startMosquitto({ extraConfig: ["no_such_option 1"] })).rejects.toThrow(/exited during start-up[\s\S]*no_such_option/);
  });

  it("freePort() returns a port nothing listens on", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(listeningAddresses(port)).toEqual([]);
  });
});
