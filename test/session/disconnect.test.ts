// The host's own DISCONNECT. MQTT 5: only the reason codes of the DISCONNECT table
// [MQTT-3.14.2-1]; anything else is refused with -BadArgument and nothing is sent. MQTT 3.1.1:
// DISCONNECT has no reason code (e0 00).
import { describe, expect, it } from "vitest";
import { disconnect } from "../../host/commands.ts";
import { SessionState, Status } from "../../host/abi.ts";
import { connectedWith, fixture, parse } from "../support/session-tools.ts";

const reasons = fixture<{ allowed: number[]; refused: number[] }>("session/client-disconnect-reasons.json");

describe("host DISCONNECT, MQTT 5", () => {
  it.each(reasons.allowed)("sends DISCONNECT with reason code %i", (reason) => {
    const h = connectedWith(5);
    expect(disconnect(h.fw, reason)).toBe(0);
    expect(parse(h.transmit(), 5)).toMatchObject([{ cmd: "disconnect", reasonCode: reason }]);
    expect(h.fw.exports.sessionState()).toBe(SessionState.Closing);
  });

  it.each(reasons.refused)("refuses reason code %i with -BadArgument and sends nothing [MQTT-3.14.2-1]", (reason) => {
    const h = connectedWith(5);
    expect(disconnect(h.fw, reason)).toBe(-Status.BadArgument);
    expect(h.transmit()).toHaveLength(0);
    expect(h.fw.exports.sessionState()).toBe(SessionState.Connected);
  });

  it("sends its properties (Reason String, Session Expiry Interval)", () => {
    const h = connectedWith(5, { properties: { sessionExpiryInterval: 30 } });
    expect(disconnect(h.fw, 0, { reasonString: "sleep", sessionExpiryInterval: 600 })).toBe(0);
    expect(parse(h.transmit(), 5)).toMatchObject([{ cmd: "disconnect", properties: { reasonString: "sleep", sessionExpiryInterval: 600 } }]);
  });
});

describe("host DISCONNECT, MQTT 3.1.1", () => {
  it("sends a DISCONNECT without reason code", () => {
    const h = connectedWith(4);
    expect(disconnect(h.fw)).toBe(0);
    expect(h.transmit().toString("hex")).toBe("e000");
  });
});
