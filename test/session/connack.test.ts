// CONNACK handling: refusals (3.1.1 return codes mapped to 5.0 reasons), Session Present
// consistency, CONNACK first and only once, the CONNACK deadline, and the limits an MQTT 5
// CONNACK sets for the client's own packets.
import { describe, expect, it } from "vitest";
import { publish, subscribe } from "../../host/commands.ts";
import { Reason, SessionState, Status } from "../../host/abi.ts";
import { Harness } from "../support/harness.ts";
import { brokerPublish, connack, connectedWith, fixture, gen, names, parse, type Version } from "../support/session-tools.ts";

const refusals = fixture<{ v311: { code: number; meaning: string; reason: number }[]; v5: { code: number; meaning: string }[] }>(
  "session/connack-refusals.json");

function opened(version: Version, clean = true): Harness {
  const h = new Harness().configure({ clientId: "ca", version, clean, keepalive: 0 });
  h.open();
  return h;
}

describe("CONNACK refusals", () => {
  it.each(refusals.v311)("3.1.1 return code $code ($meaning) is ConnectRefused with reason $reason", ({ code, reason }) => {
    const h = opened(4);
    const ev = h.send(connack(4, false, undefined, code));
    expect(ev).toMatchObject([{ name: "ConnectRefused", reason }]);
    expect(h.fw.exports.sessionState()).toBe(SessionState.Closing);
    expect(h.transmit()).toHaveLength(0);
  });

  it.each(refusals.v5)("5.0 reason code $code ($meaning) is ConnectRefused with that reason", ({ code }) => {
    const h = opened(5);
    expect(h.send(connack(5, false, undefined, code))).toMatchObject([{ name: "ConnectRefused", reason: code }]);
    expect(h.transmit()).toHaveLength(0);
  });

  it("delivers the properties of a refusing CONNACK (MQTT 5 Server Reference)", () => {
    const h = opened(5);
    const ev = h.send(connack(5, false, { serverReference: "other.example", reasonString: "moved" }, 0x9c));
    expect(ev[0].properties).toEqual({ serverReference: "other.example", reasonString: "moved" });
  });
});

describe.each([4, 5] as Version[])("CONNACK protocol checks, MQTT version %i", (version) => {
  const violation = (h: Harness, ev: ReturnType<Harness["send"]>, reason: number) => {
    expect(ev).toMatchObject([{ name: "ProtocolViolation", reason }]);
    const out = parse(h.transmit(), version);
    // 5.0 tells the server why (DISCONNECT with the reason); 3.1.1 sends nothing, so the will is kept.
    expect(out).toEqual(version === 5 ? [expect.objectContaining({ cmd: "disconnect", reasonCode: reason })] : []);
  };

  it("reports Session Present as accepted when the session persists", () => {
    const h = opened(version, false);
    expect(h.send(connack(version, true))).toMatchObject([{ name: "Connected", sessionPresent: true }]);
  });

  it("treats Session Present 1 after a clean start as a protocol violation [MQTT-3.2.2-4]", () => {
    const h = opened(version, true);
    violation(h, h.send(connack(version, true)), Reason.ProtocolError);
  });

  it("treats a second CONNACK as a protocol violation [MQTT-3.2.0-2]", () => {
    const h = connectedWith(version);
    violation(h, h.send(connack(version)), Reason.ProtocolError);
  });

  it("treats a PUBLISH before CONNACK as a protocol violation [MQTT-3.2.0-1]", () => {
    const h = opened(version);
    violation(h, h.send(brokerPublish(version, "early", "x")), Reason.ProtocolError);
  });

  it("treats reserved Connect Acknowledge Flags bits as malformed [MQTT-3.2.2-1]", () => {
    const h = opened(version);
    const bytes = connack(version);
    bytes[2] = 0x02;
    violation(h, h.send(bytes), Reason.MalformedPacket);
  });

  it("treats Session Present with a refusal as a protocol violation (5.0 [MQTT-3.2.2-6], 3.1.1 [MQTT-3.2.2-4])", () => {
    const h = opened(version, false);
    const bytes = connack(version, false, undefined, version === 5 ? 0x87 : 5);
    bytes[2] = 0x01;
    violation(h, h.send(bytes), Reason.ProtocolError);
  });

  it("reports Timeout (awaiting CONNACK) when CONNACK does not come within CONNACK_TIMEOUT_MS", () => {
    const h = opened(version);
    // This broker keeps its side open when the client half-closes, so the state is read while
    // the Link waits out its close grace (a broker that closes at once ends the wait in the same ms).
    h.brokerClosesOnEnd = false;
    const wait = h.fw.budget("CONNACK_TIMEOUT_MS");
    expect(h.advance(wait - 1)).toEqual([]);
    const ev = h.advance(1);
    expect(ev).toMatchObject([{ name: "Timeout", packetType: 2, reason: Reason.KeepAliveTimeout }]);
    expect(h.fw.exports.sessionState()).toBe(SessionState.Closing);
    expect(h.connection!.endedAt).toBe(h.now); // and the host loop half-closed the connection at once
  });
});

describe("limits from an MQTT 5 CONNACK", () => {
  it("refuses a PUBLISH above the server's Maximum QoS with -NotAllowed [MQTT-3.2.2-11]", () => {
    const h = connectedWith(5, {}, { maximumQoS: 1 });
    expect(publish(h.fw, "lim/q", "x", 2)).toBe(-Status.NotAllowed);
    expect(publish(h.fw, "lim/q", "x", 1)).toBeGreaterThan(0);
  });

  it("refuses a retained PUBLISH when Retain Available is 0, with -NotAllowed [MQTT-3.2.2-14]", () => {
    const h = connectedWith(5, {}, { retainAvailable: false });
    expect(publish(h.fw, "lim/r", "x", 0, true)).toBe(-Status.NotAllowed);
    expect(publish(h.fw, "lim/r", "x", 0, false)).toBe(0);
  });

  it("refuses packets above the server's Maximum Packet Size with -TooLarge [MQTT-3.2.2-15]", () => {
    const h = connectedWith(5, {}, { maximumPacketSize: 64 });
    expect(publish(h.fw, "lim/size", "x".repeat(64), 0)).toBe(-Status.TooLarge);
    expect(subscribe(h.fw, [{ topic: "s/".repeat(40), qos: 0 }])).toBe(-Status.TooLarge);
    expect(publish(h.fw, "lim/size", "x".repeat(10), 0)).toBe(0);
    const [p] = parse(h.transmit(), 5);
    expect(gen(p, 5).length).toBeLessThanOrEqual(64);
  });

  it("reports the CONNACK properties in the Connected event", () => {
    const h = opened(5);
    const props = { sessionExpiryInterval: 120, receiveMaximum: 10, topicAliasMaximum: 3, reasonString: "welcome" };
    const ev = h.send(connack(5, false, props));
    expect(names(ev)).toEqual(["Connected"]);
    expect(ev[0].properties).toEqual(props);
  });
});
