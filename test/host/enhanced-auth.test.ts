// MQTT 5 enhanced authentication through the Device (issue 13), against a scripted broker that
// does SCRAM-SHA-256 server-side (test/support/auth-broker.ts): success, a wrong password refused
// with the broker's reason code, a tampered server signature detected by the client, the AUTH
// moments of the fault matrix (a close mid-exchange, a challenge that never ends, an AUTH nobody
// asked for), and re-authentication during a session.
import { afterEach, describe, expect, it } from "vitest";
import { type Device } from "../../host/device.ts";
import { connect, connectAsync } from "../../host/device-connect.ts";
import { isKind, type MoteError } from "../../host/errors.ts";
import { scramSha256 } from "../../host/auth/scram.ts";
import { AuthBroker, type AuthBrokerOptions } from "../support/auth-broker.ts";

const USERS = { alice: "correct horse" };
const brokers: AuthBroker[] = [];
const devices: Device[] = [];
afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.end().catch(() => {})));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});

async function broker(o: AuthBrokerOptions = {}): Promise<AuthBroker> {
  const b = await new AuthBroker({ users: USERS, ...o }).listen();
  brokers.push(b);
  return b;
}

const scram = (password = USERS.alice) => scramSha256({ username: "alice", password });
const opts = (password?: string) => ({ protocolVersion: 5 as const, clientId: "scram-1", auth: scram(password), reconnect: false, connectTimeout: 3000 });

/** The first error of a device that is not expected to connect, at most `ms`. */
function firstError(d: Device, ms = 5000): Promise<MoteError> {
  devices.push(d);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no error within ${ms} ms`)), ms);
    d.once("error", (e) => {
      clearTimeout(t);
      resolve(e as MoteError);
    });
    d.once("connect", () => reject(new Error("connected")));
  });
}

describe("SCRAM-SHA-256 (RFC 7677) as MQTT 5 enhanced authentication [MQTT-4.12.0-1]", () => {
  it("connects: CONNECT with the method and client-first, AUTH 0x18 with client-final, CONNACK with a server-final that verifies", async () => {
    const b = await broker();
    const d = await connectAsync(b.url, opts());
    devices.push(d);
    expect(b.connections[0]).toMatchObject({ method: "SCRAM-SHA-256", auths: [0x18], connack: 0 });
    expect(b.connections[0].data[0].toString()).toMatch(/^n,,n=alice,r=[\x21-\x2b\x2d-\x7e]+$/);
    await d.publish("t/scram", "ok", { qos: 1 });
    expect(b.published).toEqual(["ok"]);
  });

  it.each([0x86, 0x87] as const)("a wrong password is refused with the broker's reason code (0x%s)", async (code) => {
    const b = await broker({ refuseWith: code });
    await expect(connectAsync(b.url, opts("wrong"))).rejects.toMatchObject({ kind: "refused", reasonCode: code });
  });

  it("a server that does not know the password (tampered signature) is detected: one error line, the client closes", async () => {
    const b = await broker({ fault: "tamperSignature" });
    const e = await firstError(connect(b.url, opts()));
    expect(isKind(e, "auth")).toBe(true);
    expect(e.message).toMatch(/^authentication: SCRAM-SHA-256: .*signature/);
    for (const until = Date.now() + 2000; !b.connections[0].closed && Date.now() < until; ) await new Promise((r) => setTimeout(r, 10));
    expect(b.connections[0].closed).toBe(true);
  });

  it("with MQTT 3.1.1 is a usage error at once", () => {
    expect(() => connect("mqtt://127.0.0.1:1", { auth: scram() })).toThrow(/needs MQTT 5/);
  });
});

describe("the AUTH moments of the fault matrix", () => {
  it("a broker that closes mid-exchange: the close is the error, no hang", async () => {
    const b = await broker({ fault: "closeMidExchange" });
    const e = await firstError(connect(b.url, opts()));
    // The close, or our answer written into it (EPIPE): either way one network error at once.
    expect(isKind(e, "network")).toBe(true);
    expect(e.message).toMatch(/closed by the broker before CONNACK|ended by the other party/);
  });

  it("a challenge that never ends: SCRAM refuses a second challenge at once", async () => {
    const b = await broker({ fault: "endlessChallenge" });
    const e = await firstError(connect(b.url, opts()));
    expect(isKind(e, "auth")).toBe(true);
    expect(e.message).toMatch(/^authentication: SCRAM-SHA-256: /);
  });

  it("a challenge that never ends, with a method that always answers, is bounded by the CONNACK timeout", async () => {
    const b = await broker({ fault: "endlessChallenge" });
    const patient = { method: "SCRAM-SHA-256", start: () => Buffer.from("n,,n=alice,r=abc"), challenge: () => Buffer.from("more") };
    const started = Date.now();
    const e = await firstError(connect(b.url, { ...opts(), auth: patient, connectTimeout: 1000 }), 5000);
    expect(isKind(e, "timeout")).toBe(true);
    expect(e.message).toBe("no CONNACK in time: Keep Alive timeout (0x8d)");
    expect(b.connections[0].auths.length).toBeGreaterThan(10);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("an AUTH the client did not ask for, after CONNACK, is a Protocol Error and ends the connection (4.12.1: only a client starts one)", async () => {
    const b = await broker({ fault: "unaskedAuth" });
    const d = connect(b.url, opts());
    const e = await firstError(d).catch((x: Error) => x);
    // CONNACK arrives first (connect), then the unasked AUTH.
    const err = e.message === "connected" ? await firstError(d) : (e as MoteError);
    expect(isKind(err, "protocol")).toBe(true);
    expect(err.message).toMatch(/AUTH with no authentication in progress/);
  });
});

describe("re-authentication during a session, with the CONNECT's method [MQTT-4.12.1-1]", () => {
  it("sends AUTH 0x19 with the method, answers the challenge, and resolves on AUTH Success", async () => {
    const b = await broker();
    const d = await connectAsync(b.url, opts());
    devices.push(d);
    await d.reauthenticate();
    expect(b.connections[0].auths).toEqual([0x18, 0x19, 0x18]);
    await d.publish("t/after", "still here", { qos: 1 });
    expect(b.published).toEqual(["still here"]);
  });

  it("rejects when the broker refuses it (DISCONNECT with its reason code)", async () => {
    let password = USERS.alice;
    const b = await broker();
    const d = await connectAsync(b.url, { ...opts(), auth: scramSha256({ username: "alice", password: () => password }) });
    devices.push(d);
    d.on("error", () => {});
    password = "changed";
    await expect(d.reauthenticate()).rejects.toThrow("re-authentication did not complete: the broker disconnected: Not authorized (0x87)");
  });

  it("without the auth option is a usage error", async () => {
    const b = await broker();
    const d = await connectAsync(b.url, { protocolVersion: 5, clientId: "plain" });
    devices.push(d);
    await expect(d.reauthenticate()).rejects.toMatchObject({ kind: "usage" });
  });
});
