// User name / password authentication against mosquitto with a password file. mosquitto 2.0.11
// refuses a wrong password, an unknown user and a missing password alike with "not authorized":
// 3.1.1 CONNACK return code 5, 5.0 reason code 0x87 (checked on the wire when this was written);
// the firmware maps return code 5 to 0x87, and return code 4 (which mosquitto does not send
// here) to 0x86, checked with a one-line fake broker.
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";
import { MqttError } from "../../host/device.ts";
import { connect, connectAsync } from "../../host/device-connect.ts";
import { Reason } from "../../host/abi.ts";
import { Tracker, rejection, sleep, uniqueId, uniqueTopic, waitFor } from "./helpers.ts";

let broker: Mosquitto;
const t = new Tracker();
const USERS = { alice: "s3cret", bob: "pa:ss w@rd" };

beforeAll(async () => {
  broker = await startMosquitto({ users: USERS });
});
afterEach(() => t.closeAll());
afterAll(() => broker?.stop());

async function refused(p: Promise<unknown>): Promise<MqttError> {
  const err = await rejection(p.then((d) => t.device(d as never)), 3000, "connectAsync to settle");
  expect(err, "connectAsync should reject").toBeInstanceOf(MqttError);
  return err as MqttError;
}

describe.each([4, 5] as const)("MQTT %s", (version) => {
  it("a wrong password is refused: connectAsync rejects with reasonCode 0x87 Not authorized (what mosquitto sends) [MQTT-3.1.4-2]", async () => {
    const err = await refused(connectAsync(broker.url(), { protocolVersion: version, username: "alice", password: "wrong" }));
    expect(err.reasonCode).toBe(Reason.NotAuthorized);
    expect(err.reasonCode).toBe(0x87);
    expect(err.message).toMatch(/refused/);
    expect(err.message).toContain("0x87");
  });

  it("an unknown user and a user name without password are refused the same way", async () => {
    const e1 = await refused(connectAsync(broker.url(), { protocolVersion: version, username: "mallory", password: "s3cret" }));
    const e2 = await refused(connectAsync(broker.url(), { protocolVersion: version, username: "alice" }));
    const e3 = await refused(connectAsync(broker.url(), { protocolVersion: version }));
    expect([e1.reasonCode, e2.reasonCode, e3.reasonCode]).toEqual([0x87, 0x87, 0x87]);
  });

  it("the right password connects, and messages flow", async () => {
    const d = await t.connect(broker.url(), { protocolVersion: version, username: "alice", password: "s3cret" });
    const topic = uniqueTopic("auth");
    let got = "";
    d.on("message", (_t: string, p: Buffer) => { got = p.toString(); });
    await d.subscribe(topic, { qos: 1 });
    await d.publish(topic, "hello", { qos: 1 });
    await waitFor(() => got === "hello", 3000, "the message");
  });

  it("credentials in the URL (percent-encoded) and a Buffer password work", async () => {
    const url = broker.url().replace("mqtt://", `mqtt://bob:${encodeURIComponent(USERS.bob)}@`);
    await t.connect(url, { protocolVersion: version });
    await t.connect(broker.url(), { protocolVersion: version, username: "bob", password: Buffer.from(USERS.bob) });
  });

  it("a device refused for its credentials does not keep reconnecting (the refusal is not transient)", async () => {
    const d = t.device(connect(broker.url(), { protocolVersion: version, username: "alice", password: "wrong", reconnectPeriod: 20, clientId: uniqueId("noretry") }));
    const errors: MqttError[] = [];
    let reconnects = 0;
    d.on("error", (e: MqttError) => errors.push(e));
    d.on("reconnect", () => reconnects++);
    await waitFor(() => errors.length > 0, 3000, "the refusal");
    await sleep(300);
    expect(errors.map((e) => e.reasonCode)).toEqual([0x87]);
    expect(reconnects).toBe(0);
  });
});

describe("3.1.1 return code mapping (fake broker)", () => {
  let server: net.Server;
  let port = 0;
  let returnCode = 0;

  beforeAll(async () => {
    server = net.createServer((s) => {
      s.on("error", () => {});
      s.once("data", () => s.end(Buffer.from([0x20, 0x02, 0x00, returnCode])));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each([
    [1, 0x84, "Unsupported Protocol Version"],
    [2, 0x85, "Client Identifier not valid"],
    [3, 0x88, "Server unavailable"],
    [4, 0x86, "Bad User Name or Password"],
    [5, 0x87, "Not authorized"],
  ])("return code %s is reported as reason code %s (%s)", async (rc, reason) => {
    returnCode = rc;
    const err = await refused(connectAsync(`mqtt://127.0.0.1:${port}`, { username: "u", password: "p" }));
    expect(err.reasonCode).toBe(reason);
  });
});
