// MQTT 5 enhanced authentication (4.12) from the client's side: AUTH only when the CONNECT named an
// Authentication Method [MQTT-4.12.0-7], with that same method [MQTT-4.12.1-1]; server AUTH is an
// Auth event, also before CONNACK.
import { describe, expect, it } from "vitest";
import { setProperties, encodeProperties, type Properties } from "../../host/properties.ts";
import { Status } from "../../host/abi.ts";
import type { Harness } from "../support/harness.ts";
import { Harness as H } from "../support/harness.ts";
import { connack, connectedWith, gen, names, parse } from "../support/session-tools.ts";

function auth(h: Harness, reason: number, props?: Properties): number {
  setProperties(h.fw, encodeProperties(props));
  return h.fw.exports.auth(reason);
}

const METHOD = { authenticationMethod: "SCRAM-SHA-1" };

describe("client AUTH", () => {
  it("refuses AUTH when the CONNECT carried no Authentication Method, and sends nothing [MQTT-4.12.0-7]", () => {
    const h = connectedWith(5);
    expect(auth(h, 0x19, METHOD)).toBeLessThan(0);
    expect(h.transmit()).toHaveLength(0);
  });

  it("sends a re-authentication AUTH (0x19) with the method of the CONNECT [MQTT-4.12.1-1]", () => {
    const h = connectedWith(5, { properties: METHOD });
    expect(auth(h, 0x19, { ...METHOD, authenticationData: Buffer.from("c-first") })).toBe(0);
    expect(parse(h.transmit(), 5)).toMatchObject([{ cmd: "auth", reasonCode: 0x19, properties: METHOD }]);
  });

  it("refuses an AUTH without the Authentication Method of the CONNECT [MQTT-4.12.1-1]", () => {
    const h = connectedWith(5, { properties: METHOD });
    expect(auth(h, 0x19, { authenticationData: Buffer.from("x") })).toBeLessThan(0);
    expect(auth(h, 0x19, { authenticationMethod: "OTHER" })).toBeLessThan(0);
    expect(h.transmit()).toHaveLength(0);
  });

  it.each([1, 0x10, 0x80])("refuses AUTH reason code %i with -BadArgument (3.15.2.1)", (reason) => {
    const h = connectedWith(5, { properties: METHOD });
    expect(auth(h, reason, METHOD)).toBe(-Status.BadArgument);
  });

  it("is unsupported in MQTT 3.1.1", () => {
    const h = connectedWith(4);
    expect(h.fw.exports.auth(0x19)).toBe(-Status.Unsupported);
  });
});

describe("server AUTH", () => {
  it("reports an AUTH (0x18) before CONNACK as an Auth event, answered by the client's AUTH, then connects", () => {
    const h = new H().configure({ clientId: "au", version: 5, properties: METHOD });
    h.open();
    const challenge = gen({ cmd: "auth", reasonCode: 0x18, properties: { ...METHOD, authenticationData: Buffer.from("s-first") } }, 5);
    const ev = h.send(challenge);
    expect(ev).toMatchObject([{ name: "Auth", reason: 0x18, properties: { authenticationMethod: METHOD.authenticationMethod } }]);
    expect(auth(h, 0x18, { ...METHOD, authenticationData: Buffer.from("c-final") })).toBe(0);
    expect(parse(h.transmit(), 5)).toMatchObject([{ cmd: "auth", reasonCode: 0x18 }]);
    expect(names(h.send(connack(5, false, METHOD)))).toEqual(["Connected"]);
  });
});
