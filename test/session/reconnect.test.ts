// Reconnect: exponential backoff with equal jitter from a seeded PRNG (session.ts
// transportClosed: delay = d/2 + rand(0..d/2), d = min(base * 2^(attempt-1), max)), the
// server-assigned client id reused (5.0 3.2.2.3.7), and Clean Start 0 when the session persists.
import { describe, expect, it } from "vitest";
import { disconnect } from "../../host/commands.ts";
import { Option, SessionState } from "../../host/abi.ts";
import { Harness } from "../support/harness.ts";
import { connack, connectedWith, fixture, names, parse, reconnect, type Packet, type Version } from "../support/session-tools.ts";

const { seeds, attempts } = fixture<{ seeds: number[]; attempts: number }>("session/reconnect-seeds.json");
const { cases } = fixture<{ cases: { name: string; version: Version; clean: boolean; sessionExpiryInterval?: number; expect: boolean[] }[] }>(
  "session/clean-start-on-reconnect.json");

/**
 * The broker closes the connection; returns the delay the firmware asks for until ReconnectDue,
 * checking that the host loop fires it exactly then (and opens the next connection at once).
 */
function closeAndWait(h: Harness): number {
  expect(h.close()).toEqual([]);
  const opened = h.connections.length;
  const delay = h.fw.exports.pollDelayMs(h.now);
  expect(delay).toBeGreaterThanOrEqual(0);
  if (delay > 0) expect(h.advance(delay - 1)).toEqual([]);
  expect(h.connections).toHaveLength(opened);
  expect(names(h.advance(delay > 0 ? 1 : 0))).toEqual(["ReconnectDue"]);
  expect(h.connections).toHaveLength(opened + 1);
  return delay;
}

/** Delays of `n` attempts that each fail before CONNACK (the connection opens, then the broker closes it). */
function failingAttempts(h: Harness, n: number): number[] {
  const delays: number[] = [];
  for (let i = 0; i < n; i++) {
    delays.push(closeAndWait(h));
    h.open();
  }
  return delays;
}

function seeded(seed: number, version: Version = 4): Harness {
  const h = new Harness().configure({ clientId: "rc", version, keepalive: 0 });
  expect(h.fw.exports.setOption(Option.Seed, seed >>> 0)).toBe(0);
  h.open();
  return h;
}

/** The backoff window [d/2, d] of attempt n (1-based). */
function window(h: Harness, n: number, base = h.fw.budget("RECONNECT_BASE_MS"), max = h.fw.budget("RECONNECT_MAX_MS")): [number, number] {
  const d = Math.min(base * 2 ** (n - 1), max);
  return [Math.floor(d / 2), d];
}

describe("reconnect backoff", () => {
  it("schedules the first ReconnectDue within [base/2, base] after the transport closed", () => {
    const h = connectedWith(4, { keepalive: 0 });
    const [lo, hi] = window(h, 1);
    const d = closeAndWait(h);
    expect(d).toBeGreaterThanOrEqual(lo);
    expect(d).toBeLessThanOrEqual(hi);
  });

  it("numbers the attempts in the ReconnectDue event", () => {
    const h = seeded(7);
    const values: number[] = [];
    for (let i = 0; i < 3; i++) {
      h.close();
      // Up to ReconnectDue, not past it: the Link opens the next connection at once, and its
      // CONNACK timeout would fall inside a whole RECONNECT_MAX_MS.
      values.push(...h.until("ReconnectDue", h.fw.budget("RECONNECT_MAX_MS")).map((e) => e.value!));
      h.open();
    }
    expect(values).toEqual([1, 2, 3]);
  });

  it.each(seeds)("doubles the window per failed attempt up to the maximum (seed %i)", (seed) => {
    const h = seeded(seed);
    const delays = failingAttempts(h, attempts);
    const outside = delays.map((d, i) => [i + 1, d, window(h, i + 1)] as const)
      .filter(([, d, [lo, hi]]) => d < lo || d > hi);
    expect(outside).toEqual([]);
  });

  it("gives the same delays for the same seed", () => {
    for (const seed of seeds) expect(failingAttempts(seeded(seed), attempts)).toEqual(failingAttempts(seeded(seed), attempts));
  });

  it("gives different delays for different seeds", () => {
    const runs = seeds.map((s) => JSON.stringify(failingAttempts(seeded(s), attempts)));
    expect(new Set(runs).size).toBe(runs.length);
  });

  it("resets the backoff after a successful CONNACK", () => {
    const h = seeded(99);
    failingAttempts(h, 5);
    expect(names(h.send(connack(4)))).toEqual(["Connected"]);
    const [lo, hi] = window(h, 1);
    const d = closeAndWait(h);
    expect(d).toBeGreaterThanOrEqual(lo);
    expect(d).toBeLessThanOrEqual(hi);
  });

  it("uses the ReconnectBaseMs and ReconnectMaxMs options", () => {
    const h = seeded(5);
    h.fw.exports.setOption(Option.ReconnectBaseMs, 200);
    h.fw.exports.setOption(Option.ReconnectMaxMs, 1500);
    const delays = failingAttempts(h, 6);
    delays.forEach((d, i) => {
      const [lo, hi] = window(h, i + 1, 200, 1500);
      expect(d).toBeGreaterThanOrEqual(lo);
      expect(d).toBeLessThanOrEqual(hi);
    });
  });

  it("does not reconnect when AutoReconnect is off: the session goes Idle with no timer", () => {
    const h = connectedWith(4, { keepalive: 0 });
    h.fw.exports.setOption(Option.AutoReconnect, 0);
    h.close();
    expect(h.fw.exports.sessionState()).toBe(SessionState.Idle);
    expect(h.fw.exports.pollDelayMs(h.now)).toBe(-1);
    expect(h.advance(3600_000)).toEqual([]);
    expect(h.connections).toHaveLength(1); // and the host loop opened no other connection
  });

  it("does not reconnect after the host's own DISCONNECT", () => {
    const h = connectedWith(5, { keepalive: 0 });
    expect(disconnect(h.fw)).toBe(0);
    expect(parse(h.transmit(), 5)).toMatchObject([{ cmd: "disconnect" }]);
    h.close(); // the broker closes after our DISCONNECT
    expect(h.fw.exports.sessionState()).toBe(SessionState.Idle);
    expect(h.advance(3600_000)).toEqual([]);
    expect(h.connections).toHaveLength(1); // and the host loop opened no other connection
  });
});

describe("the CONNECT of a reconnect", () => {
  it("carries the Assigned Client Identifier of the previous CONNACK (MQTT 5, 3.2.2.3.7)", () => {
    const h = new Harness().configure({ clientId: "", version: 5, keepalive: 0 });
    const [first] = parse(h.open(), 5);
    expect(first.clientId).toBe("");
    h.send(connack(5, false, { assignedClientIdentifier: "srv-assigned-42" }));
    expect(reconnect(h, 5).clientId).toBe("srv-assigned-42");
  });

  it("keeps the rest of the CONNECT intact when it splices in the assigned id", () => {
    const opts = { clientId: "", version: 5 as const, keepalive: 30, username: "u", password: "p",
      will: { topic: "w/t", payload: "bye", qos: 1 }, properties: { sessionExpiryInterval: 10 } };
    const h = new Harness().configure(opts);
    const [first] = parse(h.open(), 5);
    h.send(connack(5, false, { assignedClientIdentifier: "id-7" }));
    const again = reconnect(h, 5);
    const strip = (p: Packet) => ({ ...p, clientId: undefined, clean: undefined, length: undefined });
    expect(strip(again)).toEqual(strip(first));
  });

  it.each(cases)("sets Clean Start as the session requires: $name", (c) => {
    const props = c.sessionExpiryInterval === undefined ? undefined : { sessionExpiryInterval: c.sessionExpiryInterval };
    const h = new Harness().configure({ clientId: "cs", version: c.version, clean: c.clean, keepalive: 0, properties: props });
    const [first] = parse(h.open(), c.version);
    h.send(connack(c.version));
    const second = reconnect(h, c.version);
    expect([first.clean, second.clean]).toEqual(c.expect);
  });

  it("keeps Clean Start 1 on a retry when no connection ever succeeded (MQTT 5, Session Expiry > 0)", () => {
    const h = new Harness().configure({ clientId: "cs", version: 5, keepalive: 0, properties: { sessionExpiryInterval: 60 } });
    h.open();
    expect(reconnect(h, 5).clean).toBe(true);
  });
});
