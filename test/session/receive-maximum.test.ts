// Flow control of outgoing QoS 1/2. 5.0: the client MUST NOT send more than the server's
// Receive Maximum QoS 1/2 PUBLISHes without PUBACK, PUBCOMP or an error PUBREC [MQTT-3.3.4-7],
// send quota [MQTT-4.9.0-2], and must not delay other packets because of it [MQTT-3.3.4-8].
// Independently, INFLIGHT_COUNT_MAX bounds the window in every version and profile.
import { describe, expect, it } from "vitest";
import { publish, subscribe } from "../../host/commands.ts";
import type { Harness } from "../support/harness.ts";
import { ack, cmds, connectedWith, names, parse, type Packet, type Version } from "../support/session-tools.ts";

const publishes = (ps: Packet[]) => ps.filter((p) => p.cmd === "publish");

function queue(h: Harness, n: number, qos: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = publish(h.fw, `rm/${i}`, `m${i}`, qos);
    expect(id).toBeGreaterThan(0);
    ids.push(id);
  }
  return ids;
}

describe("server Receive Maximum 2 (MQTT 5)", () => {
  const connected = () => connectedWith(5, {}, { receiveMaximum: 2 });

  it.each([1, 2])("sends at most 2 QoS %i PUBLISHes before an acknowledgement [MQTT-3.3.4-7]", (qos) => {
    const h = connected();
    const ids = queue(h, 5, qos);
    expect(publishes(parse(h.transmit(), 5)).map((p) => p.messageId)).toEqual(ids.slice(0, 2));
    h.advance(1000);
    expect(h.transmit()).toHaveLength(0);
  });

  it("sends one more PUBLISH, in order, for each PUBACK", () => {
    const h = connected();
    const ids = queue(h, 5, 1);
    h.transmit();
    const sent: number[] = [];
    for (let i = 0; i < 5; i++) {
      h.send(ack(5, "puback", ids[i]));
      sent.push(...publishes(parse(h.transmit(), 5)).map((p) => p.messageId));
    }
    expect(sent).toEqual(ids.slice(2));
  });

  it("keeps a QoS 2 message in the window until PUBCOMP, not PUBREC", () => {
    const h = connected();
    const ids = queue(h, 3, 2);
    h.transmit();
    h.send(ack(5, "pubrec", ids[0]));
    expect(cmds(parse(h.transmit(), 5))).toEqual(["pubrel"]);
    h.send(ack(5, "pubcomp", ids[0]));
    expect(publishes(parse(h.transmit(), 5)).map((p) => p.messageId)).toEqual([ids[2]]);
  });

  it("frees the window on a PUBREC with an error reason code (>= 0x80) and reports the refusal", () => {
    const h = connected();
    const ids = queue(h, 3, 2);
    h.transmit();
    const ev = h.send(ack(5, "pubrec", ids[0], 0x87));
    expect(ev).toMatchObject([{ name: "PublishDone", packetId: ids[0], reason: 0x87 }]);
    const out = parse(h.transmit(), 5);
    expect(out.map((p) => [p.cmd, p.messageId])).toEqual([["publish", ids[2]]]);
  });

  it("frees the window on a PUBACK with an error reason code", () => {
    const h = connected();
    const ids = queue(h, 3, 1);
    h.transmit();
    expect(h.send(ack(5, "puback", ids[1], 0x80))).toMatchObject([{ name: "PublishDone", packetId: ids[1], reason: 0x80 }]);
    expect(publishes(parse(h.transmit(), 5)).map((p) => p.messageId)).toEqual([ids[2]]);
  });

  it("still sends PUBREL, SUBSCRIBE and PINGREQ while the window is full [MQTT-3.3.4-8]", () => {
    const h = connectedWith(5, { keepalive: 5 }, { receiveMaximum: 2 });
    const ids = queue(h, 3, 2);
    h.transmit();
    h.send(ack(5, "pubrec", ids[1]));
    expect(subscribe(h.fw, [{ topic: "rm/sub", qos: 1 }])).toBeGreaterThan(0);
    const out = cmds(parse(h.transmit(), 5));
    expect(out.sort()).toEqual(["pubrel", "subscribe"]);
    h.advance(5000);
    expect(cmds(parse(h.transmit(), 5))).toEqual(["pingreq"]);
  });
});

describe.each([
  [4, "default"], [5, "default"], [4, "tiny"], [5, "large"],
] as [Version, string][])("INFLIGHT_COUNT_MAX, MQTT version %i, profile %s", (version, profile) => {
  it("bounds the QoS 1 messages in flight when the server allows more", () => {
    const props = version === 5 ? { receiveMaximum: 65535 } : undefined;
    const h = connectedWith(version, {}, props, profile);
    const max = h.fw.budget("INFLIGHT_COUNT_MAX");
    const ids = queue(h, max + 2, 1);
    expect(publishes(parse(h.transmit(), version)).map((p) => p.messageId)).toEqual(ids.slice(0, max));
    expect(names(h.send(ack(version, "puback", ids[0])))).toEqual(["PublishDone"]);
    expect(publishes(parse(h.transmit(), version)).map((p) => p.messageId)).toEqual([ids[max]]);
  });
});
