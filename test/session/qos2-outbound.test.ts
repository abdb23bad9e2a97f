// Outgoing QoS 2 on one connection: PUBREL after PUBREC [MQTT-4.3.3-4 (5.0) / 4.3.3-1 (3.1.1)],
// no PUBLISH resend once PUBREL is out, PublishDone on PUBCOMP, and PUBRELs in the order the
// PUBRECs arrived [MQTT-4.6.0-4].
import { describe, expect, it } from "vitest";
import { publish } from "../../host/commands.ts";
import { ack, cmds, connectedWith, names, parse, type Version } from "../support/session-tools.ts";

describe.each([4, 5] as Version[])("outgoing QoS 2, MQTT version %i", (version) => {
  it("answers PUBREC with PUBREL and reports PublishDone on PUBCOMP", () => {
    const h = connectedWith(version, { keepalive: 0 });
    const id = publish(h.fw, "o2/a", "x", 2);
    expect(parse(h.transmit(), version)).toMatchObject([{ cmd: "publish", qos: 2, messageId: id, dup: false }]);
    expect(h.send(ack(version, "pubrec", id))).toEqual([]);
    expect(parse(h.transmit(), version)).toMatchObject([{ cmd: "pubrel", messageId: id }]);
    expect(h.send(ack(version, "pubcomp", id))).toMatchObject([{ name: "PublishDone", packetId: id, reason: 0 }]);
    expect(h.transmit()).toHaveLength(0);
  });

  it("does not send the PUBLISH again after its PUBREL, even when PUBREC repeats", () => {
    const h = connectedWith(version, { keepalive: 0 });
    const id = publish(h.fw, "o2/b", "x", 2);
    h.transmit();
    h.send(ack(version, "pubrec", id));
    h.transmit();
    h.send(ack(version, "pubrec", id));
    expect(cmds(parse(h.transmit(), version))).not.toContain("publish");
  });

  it("sends PUBRELs in the order the PUBRECs arrived [MQTT-4.6.0-4]", () => {
    const h = connectedWith(version, { keepalive: 0 });
    const ids = [publish(h.fw, "o2/1", "a", 2), publish(h.fw, "o2/2", "b", 2), publish(h.fw, "o2/3", "c", 2)];
    h.transmit();
    const order = [ids[2], ids[0], ids[1]];
    h.send(Buffer.concat(order.map((id) => ack(version, "pubrec", id))));
    expect(parse(h.transmit(), version).map((p) => p.messageId)).toEqual(order);
  });

  it("ignores a PUBCOMP for a message still waiting for PUBREC and counts it", () => {
    const h = connectedWith(version, { keepalive: 0 });
    const id = publish(h.fw, "o2/c", "x", 2);
    h.transmit();
    expect(h.send(ack(version, "pubcomp", id))).toEqual([]);
    expect(h.fw.counters().unexpectedAcks).toBe(1);
    h.send(ack(version, "pubrec", id));
    expect(cmds(parse(h.transmit(), version))).toEqual(["pubrel"]);
    expect(names(h.send(ack(version, "pubcomp", id)))).toEqual(["PublishDone"]);
  });
});
