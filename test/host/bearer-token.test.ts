// A bearer token (JWT) as MQTT 5 enhanced authentication (issue 13): fetched fresh for every
// connection and renewed by re-authentication (AUTH 0x19) before its `exp`, against a scripted
// broker that refuses expired tokens.
import { afterAll, describe, expect, it } from "vitest";
import { connectAsync } from "../../host/device-connect.ts";
import { bearerToken, jwtExpiry } from "../../host/auth/bearer-token.ts";
import { AuthBroker } from "../support/auth-broker.ts";

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
/** An unsigned JWT that expires `lifeMs` from now (the broker only reads `exp`, as the client does). */
const jwt = (lifeMs: number) => `${b64({ alg: "none" })}.${b64({ sub: "sensor-1", exp: (Date.now() + lifeMs) / 1000 })}.x`;
const unexpired = (token: string) => (jwtExpiry(token) ?? 0) * 1000 > Date.now();

const brokers: AuthBroker[] = [];
afterAll(async () => {
  await Promise.all(brokers.map((b) => b.close()));
});

describe("jwtExpiry and the renewal time", () => {
  it("reads exp from a JWT's claims without verifying, and nothing from other tokens", () => {
    expect(jwtExpiry(`${b64({ alg: "HS256" })}.${b64({ exp: 1_900_000_000 })}.sig`)).toBe(1_900_000_000);
    expect(jwtExpiry("opaque-token")).toBeUndefined();
    expect(jwtExpiry(`a.${Buffer.from("not json").toString("base64url")}.c`)).toBeUndefined();
    expect(jwtExpiry(`${b64({})}.${b64({ exp: "soon" })}.c`)).toBeUndefined();
  });

  it("renews a fifth of the remaining life early, at least 0.5 s and at most 60 s", async () => {
    const now = 1_000_000_000_000;
    const at = async (lifeMs: number) => {
      const a = bearerToken({ token: () => `${b64({})}.${b64({ exp: (now + lifeMs) / 1000 })}.x`, now: () => now });
      await a.start();
      return a.renewInMs!();
    };
    expect(await at(5000)).toBe(4000);
    expect(await at(1000)).toBe(500);
    expect(await at(3_600_000)).toBe(3_540_000);
  });
});

describe("a token that expires every 5 s", () => {
  it("across a 30 s run with a broker restart: every connection and renewal carries a fresh token, no QoS 1 message lost", async () => {
    const b = await new AuthBroker({ tokenValid: unexpired }).listen();
    brokers.push(b);
    let fetched = 0;
    const d = await connectAsync(b.url, {
      protocolVersion: 5, clientId: "token-1", reconnectPeriod: 200, clean: false, properties: { sessionExpiryInterval: 300 },
      auth: bearerToken({ token: () => (fetched++, jwt(5000)) }),
    });
    d.on("error", () => {});
    const sent: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      sent.push(d.publish("t/token", `m-${i}`, { qos: 1 }));
      if (i === 150) b.dropAll(); // the broker restarts in the middle
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(sent);
    await d.end();
    expect(new Set(b.published)).toEqual(new Set(Array.from({ length: 300 }, (_, i) => `m-${i}`)));
    expect(b.connections.length).toBeGreaterThanOrEqual(2);
    expect(b.tokenChecks.every((ok) => ok)).toBe(true);
    // 30 s of 5 s tokens: renewed about every 4 s, on top of one per connection.
    expect(b.tokenChecks.length).toBeGreaterThanOrEqual(7);
    expect(fetched).toBe(b.tokenChecks.length);
  }, 45_000);
});
