// The fault matrix: each fault x each moment x both MQTT versions, on virtual time. A Device
// (the real host loop, host/link.ts, with the firmware) talks to a virtual broker that fails
// once, on its first connection, at one moment. Every case asserts the outcome (recovery, or one
// error before the first CONNACK), a bound on virtual time, and that every connection the client
// gave up on was fully closed within CLOSE_GRACE_MS of its half-close, whatever the broker did.
import { describe, expect, it } from "vitest";
import { type Device } from "../../host/device.ts";
import { connectAsync } from "../../host/device-connect.ts";
import { CLOSE_GRACE_MS } from "../../host/link.ts";
import { VirtualClock } from "../../host/virtual-clock.ts";
import { FAULTS, HELLO, MOMENTS, VirtualBroker, type Fault, type Moment } from "../support/virtual-broker.ts";
import { PAIR_LATENCY_MS } from "../support/virtual-pair.ts";
import { runUntil, settleWithin } from "../support/virtual-run.ts";

const KEEPALIVE_S = 5;
/** Keep alive, then the PINGRESP timeout (10 s), the grace, the longest first reconnect delay, and slack. */
const RECOVERY_BOUND_MS = KEEPALIVE_S * 1000 + 10_000 + CLOSE_GRACE_MS + 1000 + 5000;

/** How the first connection attempt ends when the fault hits the CONNACK. */
const CONNACK_FAULT_ERROR: Partial<Record<Fault, { error: RegExp; withinMs: number }>> = {
  close: { error: /^connection closed by the broker before CONNACK$/, withinMs: 100 },
  closeMidPacket: { error: /^connection closed by the broker before CONNACK$/, withinMs: 100 },
  holdOpen: { error: /^no CONNACK in time/, withinMs: 10_000 + 100 },
  blackhole: { error: /^no CONNACK in time/, withinMs: 10_000 + 100 },
  disconnect: { error: /^the broker disconnected: Server shutting down \(0x8b\)$/, withinMs: 100 },
};

interface Case { version: 4 | 5; fault: Fault; moment: Moment }
const CASES: Case[] = ([4, 5] as const).flatMap((version) =>
  FAULTS.filter((f) => version === 5 || f !== "disconnect") // a 3.1.1 server has no DISCONNECT
    .flatMap((fault) => MOMENTS.map((moment) => ({ version, fault, moment }))));

function start(c: Case) {
  const clock = new VirtualClock();
  const broker = new VirtualBroker(clock, c);
  const errors: string[] = [];
  const messages: string[] = [];
  const connecting = connectAsync("mqtt://virtual", {
    protocolVersion: c.version,
    clientId: "matrix",
    clean: c.version === 5, // 5.0: Clean Start with a Session Expiry Interval keeps the session
    properties: c.version === 5 ? { sessionExpiryInterval: 3600 } : undefined,
    keepalive: KEEPALIVE_S,
    seed: 42,
    reconnect: true,
    clock,
    transport: { kind: "virtual", open: () => broker.open(), wireBytes: () => undefined },
  }, (d) => {
    d.on("error", (e: Error) => errors.push(e.message));
    d.on("message", (topic: string, payload: Buffer) => messages.push(`${topic} ${payload}`));
  });
  return { clock, broker, errors, messages, connecting };
}

/** The client fully closed every connection it half-closed, within the grace (plus the pair's latency). */
function expectClosedWithinGrace(broker: VirtualBroker): void {
  for (const log of broker.connections) {
    if (log.clientEndAt === undefined) continue;
    const closedAt = Math.min(log.clientDestroyAt ?? Infinity, log.brokerCloseAt ?? Infinity);
    expect(closedAt - log.clientEndAt, `connection ${log.index}`).toBeLessThanOrEqual(CLOSE_GRACE_MS + 2 * PAIR_LATENCY_MS);
  }
}

async function endAndCheck(clock: VirtualClock, broker: VirtualBroker, d: Device): Promise<void> {
  const ended = await settleWithin(clock, d.end(), CLOSE_GRACE_MS + 100);
  expect(ended.ok).toBe(true);
  expect(await runUntil(clock, () => broker.connections.every((l) => l.clientDestroyAt !== undefined || l.brokerCloseAt !== undefined), 100),
    "no connection is left open after end()").toBe(true);
  expectClosedWithinGrace(broker);
}

/** What the client does at the moment under test, and how it must end. */
async function exercise(c: Case, clock: VirtualClock, broker: VirtualBroker, d: Device, messages: string[]): Promise<void> {
  switch (c.moment) {
    case "beforeConnack":
    case "midPublish": {
      const r = await settleWithin(clock, d.publish("t/up", "m1", { qos: 1 }), RECOVERY_BOUND_MS);
      expect(r.ok).toBe(true);
      expect(broker.delivered.get("m1")).toBeGreaterThanOrEqual(1);
      return;
    }
    case "midPubrel": {
      const r = await settleWithin(clock, d.publish("t/up", "m2", { qos: 2 }), RECOVERY_BOUND_MS);
      expect(r.ok).toBe(true);
      expect(broker.delivered.get("m2"), "a QoS 2 message arrives exactly once [MQTT-4.3.3-3]").toBe(1);
      return;
    }
    case "afterSuback": {
      const r = await settleWithin(clock, d.subscribe("t/#", { qos: 1 }), 1000);
      expect(r.ok).toBe(true);
      expect(await runUntil(clock, () => broker.helloAcked, RECOVERY_BOUND_MS), "the QoS 1 message is acknowledged").toBe(true);
      expect(messages).toContain(`${HELLO.topic} ${HELLO.payload}`);
      return;
    }
  }
}

describe("fault matrix on virtual time", () => {
  it(`has ${CASES.length} cases`, () => {
    expect(CASES.length).toBe(2 * MOMENTS.length * FAULTS.length - MOMENTS.length);
  });

  for (const c of CASES) {
    it(`MQTT ${c.version === 4 ? "3.1.1" : "5.0"}: ${c.fault} at ${c.moment}`, async () => {
      const { clock, broker, errors, messages, connecting } = start(c);
      const expectedError = c.moment === "beforeConnack" ? CONNACK_FAULT_ERROR[c.fault] : undefined;
      const t0 = clock.now();
      const connected = await settleWithin(clock, connecting, 15_000);
      if (expectedError) {
        // The first connection failed before CONNACK: one error, no retry, everything closed.
        expect(connected.ok).toBe(false);
        expect((connected as { error: Error }).error.message).toMatch(expectedError.error);
        expect(clock.now() - t0).toBeLessThanOrEqual(expectedError.withinMs + CLOSE_GRACE_MS);
        expect(await runUntil(clock, () => broker.connections.every((l) => l.clientDestroyAt !== undefined || l.brokerCloseAt !== undefined), CLOSE_GRACE_MS + 10)).toBe(true);
        expectClosedWithinGrace(broker);
        await runUntil(clock, () => false, 60_000);
        expect(broker.connections.length, "no reconnect after a failed first connection").toBe(1);
        return;
      }
      expect(connected.ok, `connected (errors: ${errors.join("; ")})`).toBe(true);
      const d = (connected as { value: Device }).value;
      await exercise(c, clock, broker, d, messages);
      expectClosedWithinGrace(broker);
      await endAndCheck(clock, broker, d);
    });
  }
});
