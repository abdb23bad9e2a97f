// mote -d shows every packet's bytes, but never a secret: a CONNECT's password is shown as '*'
// bytes and an AUTH's data is cut after its reason code. Unit cases on packets built by
// mqtt-packet (an independent encoder), then the real CLI against mosquitto with a password file.
import mqttPacket from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shownBytes } from "../../host/cli/debug-trace.ts";
import { broker, killAll, mote, type Broker } from "./helpers.ts";

const SECRET = "s3cr3t-pw";
const hexOf = (s: string) => Buffer.from(s).toString("hex");

function connect(version: 4 | 5, will: boolean): Buffer {
  return mqttPacket.generate({
    cmd: "connect", protocolId: "MQTT", protocolVersion: version, clientId: "dbg", clean: true, keepalive: 60,
    username: "alice", password: Buffer.from(SECRET),
    ...(will ? { will: { topic: "w/t", payload: Buffer.from("bye"), qos: 1, retain: false, ...(version === 5 ? { properties: { willDelayInterval: 5 } } : {}) } } : {}),
    ...(version === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
  } as mqttPacket.Packet, { protocolVersion: version });
}

describe("-d hides secrets in the bytes it shows", () => {
  it.each([[4, false], [4, true], [5, false], [5, true]] as const)("MQTT %s (will: %s): a CONNECT's password is '*' bytes, the rest unchanged", (v, will) => {
    const p = connect(v, will);
    const shown = shownBytes(p);
    expect(shown.length).toBe(p.length);
    expect(shown.includes(Buffer.from(SECRET))).toBe(false);
    const at = p.indexOf(Buffer.from(SECRET));
    expect(at).toBeGreaterThan(0);
    expect(shown.subarray(at, at + SECRET.length)).toEqual(Buffer.alloc(SECRET.length, 0x2a));
    expect(Buffer.concat([shown.subarray(0, at), shown.subarray(at + SECRET.length)]))
      .toEqual(Buffer.concat([p.subarray(0, at), p.subarray(at + SECRET.length)]));
  });

  it("an AUTH packet is shown up to its reason code only", () => {
    const auth = mqttPacket.generate({ cmd: "auth", reasonCode: 0x18, properties: { authenticationMethod: "SCRAM-SHA-256", authenticationData: Buffer.from(SECRET) } } as mqttPacket.Packet, { protocolVersion: 5 });
    const shown = shownBytes(auth);
    expect(shown.includes(Buffer.from(SECRET))).toBe(false);
    expect(shown[shown.length - 1]).toBe(0x18);
  });
});

describe("mote pub -d with a password, against mosquitto", () => {
  let b: Broker;
  beforeAll(async () => { b = await broker({ users: { alice: SECRET } }); });
  afterAll(async () => { killAll(); await b?.stop(); });

  it.each(["311", "5"])("-V %s: the trace shows the CONNECT but neither the password nor its bytes", async (v) => {
    const r = await mote(["pub", "-p", String(b.port), "-V", v, "-u", "alice", "-P", SECRET, "-t", "dbg/t", "-m", "x", "-d"]).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sending CONNECT/);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
    expect((r.stderr + r.stdout).replace(/\s/g, "")).not.toContain(hexOf(SECRET));
  });
});
