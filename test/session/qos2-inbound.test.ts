// Incoming QoS 2: exactly-once delivery to the host. 3.1.1 [MQTT-4.3.3-2] (all receiver rules
// in one); 5.0 [MQTT-4.3.3-8] PUBREC, [MQTT-4.3.3-10] resends acknowledged but not delivered
// twice until PUBREL, [MQTT-4.3.3-11] PUBCOMP for PUBREL, [MQTT-4.3.3-12] new message after PUBCOMP.
import { describe, expect, it } from "vitest";
import { ack, brokerPublish, connectedWith, names, parse, type Version } from "../support/session-tools.ts";
import { Reason } from "../../host/abi.ts";

describe.each([4, 5] as Version[])("incoming QoS 2, MQTT version %i", (version) => {
  const qos2 = (id: number, payload: string, dup = false) => brokerPublish(version, "q2/t", payload, 2, id, { dup });

  it("delivers the message once and answers PUBREC with its packet id", () => {
    const h = connectedWith(version);
    const ev = h.send(qos2(7, "one"));
    expect(names(ev)).toEqual(["Message"]);
    expect(ev[0]).toMatchObject({ qos: 2, packetId: 7, topic: "q2/t", first: true, last: true });
    expect(ev[0].payload?.toString()).toBe("one");
    const out = parse(h.transmit(), version);
    expect(out).toMatchObject([{ cmd: "pubrec", messageId: 7 }]);
  });

  it("acknowledges a resent PUBLISH (DUP) with PUBREC but does not deliver it again before PUBREL", () => {
    const h = connectedWith(version);
    h.send(qos2(7, "one"));
    h.transmit();
    expect(h.send(qos2(7, "one", true))).toEqual([]);
    expect(parse(h.transmit(), version)).toMatchObject([{ cmd: "pubrec", messageId: 7 }]);
    expect(h.fw.counters().duplicatesSuppressed).toBe(1);
  });

  it("answers PUBREL with PUBCOMP carrying the same packet id", () => {
    const h = connectedWith(version);
    h.send(qos2(9, "x"));
    h.transmit();
    expect(h.send(ack(version, "pubrel", 9))).toEqual([]);
    const out = parse(h.transmit(), version);
    expect(out).toMatchObject([{ cmd: "pubcomp", messageId: 9 }]);
    if (version === 5) expect(out[0].reasonCode ?? 0).toBe(0);
  });

  it("treats a PUBLISH with the same id after PUBCOMP as a new message", () => {
    const h = connectedWith(version);
    h.send(qos2(9, "first"));
    h.send(ack(version, "pubrel", 9));
    h.transmit();
    const ev = h.send(qos2(9, "second"));
    expect(names(ev)).toEqual(["Message"]);
    expect(ev[0].payload?.toString()).toBe("second");
  });

  it("keeps exactly-once per packet id when several QoS 2 messages interleave", () => {
    const h = connectedWith(version);
    const delivered: string[] = [];
    const take = (b: Buffer) => delivered.push(...h.send(b).map((e) => e.payload!.toString()));
    take(qos2(1, "a"));
    take(qos2(2, "b"));
    take(qos2(1, "a", true));
    take(ack(version, "pubrel", 2));
    take(qos2(2, "b2"));
    take(qos2(1, "a", true));
    expect(delivered).toEqual(["a", "b", "b2"]);
  });

  it("answers PUBREL for an unknown packet id with PUBCOMP", () => {
    const h = connectedWith(version);
    expect(h.send(ack(version, "pubrel", 300))).toEqual([]);
    const out = parse(h.transmit(), version);
    expect(out).toMatchObject([{ cmd: "pubcomp", messageId: 300 }]);
    // 5.0: the reason is Packet Identifier not found; 3.1.1 has no reason code.
    if (version === 5) expect(out[0].reasonCode).toBe(Reason.PacketIdentifierNotFound);
  });
});

describe("incoming QoS 2 beyond Receive Maximum (MQTT 5)", () => {
  it("disconnects with 0x93 when the server exceeds the Receive Maximum we announced", () => {
    const h = connectedWith(5);
    const max = h.fw.budget("INBOUND_QOS2_SLOTS");
    for (let id = 1; id <= max; id++) expect(names(h.send(brokerPublish(5, "rm", "x", 2, id)))).toEqual(["Message"]);
    h.transmit();
    const ev = h.send(brokerPublish(5, "rm", "x", 2, max + 1));
    expect(names(ev)).toEqual(["ProtocolViolation"]);
    expect(ev[0].reason).toBe(Reason.ReceiveMaximumExceeded);
    expect(parse(h.transmit(), 5)).toMatchObject([{ cmd: "disconnect", reasonCode: Reason.ReceiveMaximumExceeded }]);
  });
});
