// Outgoing QoS 1/2 across a reconnect. With a session present the client resends every
// unacknowledged PUBLISH (DUP set) and PUBREL with the original packet ids [MQTT-4.4.0-1], in
// the order of the original sends [MQTT-4.6.0-1]; DUP marks a re-delivery [MQTT-3.3.1-1].
// Without a session (Session Present 0) the behaviour is the firmware's (session.ts resumeOutbox):
// unacknowledged PUBLISHes go out again, QoS 2 messages the server already took (PUBREC) are
// reported complete, and incoming QoS 2 state is forgotten.
import { describe, expect, it } from "vitest";
import type { ConnectOptions } from "../../host/commands.ts";
import { publish } from "../../host/commands.ts";
import type { Harness } from "../support/harness.ts";
import {
  ack, brokerPublish, cmds, connack, connectedWith, names, parse, reconnect, type Packet, type Version,
} from "../support/session-tools.ts";

/** Options that keep the session across connections: 3.1.1 clean=false, 5.0 Session Expiry > 0. */
const persistent: Record<Version, ConnectOptions> = {
  4: { clean: false },
  5: { clean: true, properties: { sessionExpiryInterval: 300 } },
};

/** QoS 1 (unacked), QoS 2 (unacked), QoS 2 (PUBREC received, PUBREL sent): returns their ids. */
function threeInFlight(h: Harness, version: Version): number[] {
  const ids = [publish(h.fw, "r/1", "one", 1), publish(h.fw, "r/2", "two", 2), publish(h.fw, "r/3", "three", 2)];
  expect(cmds(parse(h.transmit(), version))).toEqual(["publish", "publish", "publish"]);
  h.send(ack(version, "pubrec", ids[2]));
  expect(parse(h.transmit(), version)).toMatchObject([{ cmd: "pubrel", messageId: ids[2] }]);
  return ids;
}

const summary = (ps: Packet[]) => ps.map((p) => ({ cmd: p.cmd, messageId: p.messageId, dup: p.dup ?? false }));

describe.each([4, 5] as Version[])("resend after reconnect, MQTT version %i", (version) => {
  // The PUBRELs go out with the CONNACK, then the PUBLISHes in their original order: the spec
  // orders PUBLISHes among themselves [MQTT-4.6.0-1] and PUBRELs among themselves [MQTT-4.6.0-4].
  it("resends the PUBREL, then unacknowledged PUBLISHes with DUP, original ids, original order [MQTT-4.4.0-1]", () => {
    const h = connectedWith(version, persistent[version]);
    const [a, b, c] = threeInFlight(h, version);
    reconnect(h, version);
    expect(names(h.send(connack(version, true)))).toEqual(["Connected"]);
    expect(summary(parse(h.transmit(), version))).toEqual([
      { cmd: "pubrel", messageId: c, dup: false },
      { cmd: "publish", messageId: a, dup: true },
      { cmd: "publish", messageId: b, dup: true },
    ]);
  });

  it("resends the same topic and payload it sent the first time", () => {
    const h = connectedWith(version, persistent[version]);
    publish(h.fw, "r/same", "payload-1", 1);
    const [first] = parse(h.transmit(), version);
    reconnect(h, version);
    h.send(connack(version, true));
    const [again] = parse(h.transmit(), version);
    expect({ topic: again.topic, payload: again.payload.toString(), qos: again.qos })
      .toEqual({ topic: first.topic, payload: first.payload.toString(), qos: first.qos });
  });

  it("does not resend a message the server acknowledged before the connection dropped", () => {
    const h = connectedWith(version, persistent[version]);
    const done = publish(h.fw, "r/done", "x", 1);
    const open = publish(h.fw, "r/open", "y", 1);
    h.transmit();
    expect(names(h.send(ack(version, "puback", done)))).toEqual(["PublishDone"]);
    reconnect(h, version);
    h.send(connack(version, true));
    expect(summary(parse(h.transmit(), version))).toEqual([{ cmd: "publish", messageId: open, dup: true }]);
  });

  it("resends nothing on the same connection, however long the ack takes [MQTT-4.4.0-1]", () => {
    const h = connectedWith(version, { ...persistent[version], keepalive: 0 });
    publish(h.fw, "r/slow", "x", 1);
    h.transmit();
    h.advance(600_000);
    expect(h.transmit()).toHaveLength(0);
  });

  it("sends a message that was queued but never transmitted without DUP, after the resends", () => {
    const h = connectedWith(version, persistent[version]);
    const sent = publish(h.fw, "r/sent", "x", 1);
    h.transmit();
    h.close();
    const queued = publish(h.fw, "r/queued", "y", 1);
    expect(queued).toBeGreaterThan(0);
    h.until("ReconnectDue", h.fw.budget("RECONNECT_MAX_MS"));
    h.open();
    h.send(connack(version, true));
    expect(summary(parse(h.transmit(), version))).toEqual([
      { cmd: "publish", messageId: sent, dup: true },
      { cmd: "publish", messageId: queued, dup: false },
    ]);
  });

  it("completes a resent QoS 2 message with PUBREC, PUBREL, PUBCOMP", () => {
    const h = connectedWith(version, persistent[version]);
    const id = publish(h.fw, "r/q2", "x", 2);
    h.transmit();
    reconnect(h, version);
    h.send(connack(version, true));
    h.transmit();
    h.send(ack(version, "pubrec", id));
    expect(parse(h.transmit(), version)).toMatchObject([{ cmd: "pubrel", messageId: id }]);
    const ev = h.send(ack(version, "pubcomp", id));
    expect(ev).toMatchObject([{ name: "PublishDone", packetId: id, reason: 0 }]);
  });

  it("keeps suppressing an unreleased incoming QoS 2 duplicate when the session is present", () => {
    const h = connectedWith(version, persistent[version]);
    expect(names(h.send(brokerPublish(version, "in/q2", "once", 2, 5)))).toEqual(["Message"]);
    reconnect(h, version);
    h.send(connack(version, true));
    expect(h.send(brokerPublish(version, "in/q2", "once", 2, 5, { dup: true }))).toEqual([]);
    expect(parse(h.transmit(), version)).toMatchObject([{ cmd: "pubrec", messageId: 5 }]);
  });
});

describe.each([4, 5] as Version[])("reconnect without a session (Session Present 0), MQTT version %i", (version) => {
  it("sends unacknowledged PUBLISHes again with their original packet ids", () => {
    const h = connectedWith(version, persistent[version]);
    const a = publish(h.fw, "n/1", "one", 1);
    const b = publish(h.fw, "n/2", "two", 2);
    h.transmit();
    reconnect(h, version);
    h.send(connack(version, false));
    const out = parse(h.transmit(), version);
    expect(out.map((p) => [p.cmd, p.messageId, p.topic])).toEqual([["publish", a, "n/1"], ["publish", b, "n/2"]]);
  });

  it("reports a QoS 2 message the server already took (PUBREC) as done, and sends neither PUBLISH nor PUBREL", () => {
    const h = connectedWith(version, persistent[version]);
    const [a, b, c] = threeInFlight(h, version);
    reconnect(h, version);
    const ev = h.send(connack(version, false));
    expect(names(ev)).toEqual(["Connected", "PublishDone"]);
    expect(ev[1]).toMatchObject({ packetId: c, reason: 0 });
    expect(parse(h.transmit(), version).map((p) => [p.cmd, p.messageId])).toEqual([["publish", a], ["publish", b]]);
  });

  it("forgets incoming QoS 2 state: the same packet id is a new message", () => {
    const h = connectedWith(version, persistent[version]);
    h.send(brokerPublish(version, "in/q2", "old", 2, 5));
    reconnect(h, version);
    h.send(connack(version, false));
    const ev = h.send(brokerPublish(version, "in/q2", "new", 2, 5));
    expect(names(ev)).toEqual(["Message"]);
    expect(ev[0].payload?.toString()).toBe("new");
  });
});
