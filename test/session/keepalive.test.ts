// Keep alive on a virtual clock: PINGREQ when nothing was sent for Keep Alive seconds, the
// PINGRESP deadline, and the Server Keep Alive override of MQTT 5.
// 3.1.1 [MQTT-3.1.2-23] / 5.0 [MQTT-3.1.2-20]: "the interval between Control Packets being sent
// does not exceed the Keep Alive value. In the absence of sending any other Control Packets, the
// Client MUST send a PINGREQ".
import { describe, expect, it } from "vitest";
import { Harness } from "../support/harness.ts";
import { brokerPublish, cmds, connack, connectedWith, names, parse, type Version } from "../support/session-tools.ts";
import { publish } from "../../host/commands.ts";
import { Reason, SessionState } from "../../host/abi.ts";

const KEEPALIVE_S = 10;
const K = KEEPALIVE_S * 1000;

describe.each([4, 5] as Version[])("keep alive, MQTT version %i", (version) => {
  const connected = () => connectedWith(version, { keepalive: KEEPALIVE_S });

  it("sends PINGREQ exactly Keep Alive seconds after CONNACK when nothing else was sent", () => {
    const h = connected();
    h.advance(K - 1);
    expect(h.transmit()).toHaveLength(0);
    h.advance(1);
    expect(cmds(parse(h.transmit(), version))).toEqual(["pingreq"]);
  });

  it("counts the Keep Alive interval from the last packet sent, not from CONNACK", () => {
    const h = connected();
    h.advance(4000);
    expect(publish(h.fw, "k/a", "x", 0)).toBe(0);
    expect(cmds(parse(h.transmit(), version))).toEqual(["publish"]);
    h.advance(K - 1);
    expect(h.transmit()).toHaveLength(0);
    h.advance(1);
    expect(cmds(parse(h.transmit(), version))).toEqual(["pingreq"]);
  });

  it("sends no PINGREQ while it keeps sending other packets", () => {
    const h = connected();
    const sent: string[] = [];
    for (let t = 0; t < 12; t++) {
      h.advance(K / 2);
      expect(publish(h.fw, "k/flow", String(t), 0)).toBe(0);
      sent.push(...cmds(parse(h.transmit(), version)));
    }
    expect(sent).toEqual(Array(12).fill("publish"));
  });

  it("still sends PINGREQ when only the broker sends (received packets do not count)", () => {
    const h = connected();
    for (let t = 3000; t < K; t += 3000) {
      h.advance(3000);
      expect(names(h.send(brokerPublish(version, "k/in", "y")))).toEqual(["Message"]);
    }
    h.advance(K - h.now);
    expect(cmds(parse(h.transmit(), version))).toEqual(["pingreq"]);
  });

  it("reports Timeout (0x8D, awaiting PINGRESP) when PINGRESP does not come in time", () => {
    const h = connected();
    // This broker keeps its side open when the client half-closes, so the state is read while
    // the Link waits out its close grace (a broker that closes at once ends the wait in the same ms).
    h.brokerClosesOnEnd = false;
    h.advance(K);
    expect(cmds(parse(h.transmit(), version))).toEqual(["pingreq"]);
    const wait = h.fw.budget("PINGRESP_TIMEOUT_MS");
    expect(h.advance(wait - 1)).toEqual([]);
    const ev = h.advance(1);
    expect(names(ev)).toEqual(["Timeout"]);
    expect(ev[0].reason).toBe(Reason.KeepAliveTimeout);
    expect(ev[0].packetType).toBe(13); // PINGRESP
    expect(h.fw.exports.sessionState()).toBe(SessionState.Closing);
    expect(h.connection!.endedAt).toBe(h.now); // and the host loop half-closed the connection at once
  });

  it("keeps pinging after a PINGRESP: the next PINGREQ follows Keep Alive seconds after the last", () => {
    const h = connected();
    h.advance(K);
    expect(cmds(parse(h.transmit(), version))).toEqual(["pingreq"]);
    h.advance(500);
    expect(h.send("d000")).toEqual([]);
    h.advance(K - 500 - 1);
    expect(h.transmit()).toHaveLength(0);
    h.advance(1);
    expect(cmds(parse(h.transmit(), version))).toEqual(["pingreq"]);
  });

  it("does not time out while PINGRESPs keep arriving (one hour of idle connection)", () => {
    const h = connected();
    let pings = 0;
    for (let t = 0; t < 3600_000; t += 1000) {
      h.advance(1000);
      const out = parse(h.transmit(), version);
      for (const p of out) {
        expect(p.cmd).toBe("pingreq");
        pings++;
        h.send("d000");
      }
    }
    expect(h.events.filter((e) => e.name === "Timeout")).toEqual([]);
    expect(pings).toBe(3600_000 / K);
  });

  it("with Keep Alive 0 sends no PINGREQ and arms no timer", () => {
    const h = connectedWith(version, { keepalive: 0 });
    expect(h.fw.exports.pollDelayMs(h.now)).toBe(-1);
    h.advance(3600_000);
    expect(h.transmit()).toHaveLength(0);
  });

  it("sends the first PINGREQ Keep Alive seconds after CONNECT even when CONNACK is slow", () => {
    // The CONNECT is a Control Packet sent: the interval to the next one must not exceed Keep Alive.
    const h = new Harness().configure({ clientId: "slow", version, keepalive: KEEPALIVE_S });
    h.open();
    h.advance(4000);
    expect(names(h.send(connack(version)))).toEqual(["Connected"]);
    h.advance(K - 4000 - 1);
    expect(h.transmit()).toHaveLength(0);
    h.advance(1);
    expect(cmds(parse(h.transmit(), version))).toEqual(["pingreq"]);
  });
});

describe("Server Keep Alive (MQTT 5)", () => {
  it("uses the Server Keep Alive from CONNACK instead of its own [MQTT-3.2.2-21]", () => {
    const h = connectedWith(5, { keepalive: 60 }, { serverKeepAlive: 5 });
    h.advance(4999);
    expect(h.transmit()).toHaveLength(0);
    h.advance(1);
    expect(cmds(parse(h.transmit(), 5))).toEqual(["pingreq"]);
  });

  it("turns pings off when the Server Keep Alive is 0 [MQTT-3.2.2-21]", () => {
    const h = connectedWith(5, { keepalive: 60 }, { serverKeepAlive: 0 });
    h.advance(3600_000);
    expect(h.transmit()).toHaveLength(0);
  });

  it("turns pings on when the Server Keep Alive is set although it asked for 0 [MQTT-3.2.2-21]", () => {
    const h = connectedWith(5, { keepalive: 0 }, { serverKeepAlive: 7 });
    h.advance(7000);
    expect(cmds(parse(h.transmit(), 5))).toEqual(["pingreq"]);
  });
});
