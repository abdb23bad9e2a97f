// The host loop (host/link.ts) on virtual time against a scripted peer: what it writes, what it
// reports, and that every connection it is done with is closed whatever the peer does.
import { describe, expect, it } from "vitest";
import { EventType, Option } from "../../host/abi.ts";
import { configure } from "../../host/commands.ts";
import type { FirmwareEvent } from "../../host/events.ts";
import { Firmware } from "../../host/firmware.ts";
import { CLOSE_GRACE_MS, Link, type ClosedInfo } from "../../host/link.ts";
import { VirtualClock } from "../../host/virtual-clock.ts";
import { VirtualConnection, PAIR_LATENCY_MS } from "../support/virtual-pair.ts";

const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);
/** A server DISCONNECT, MQTT 5: reason 0x8b Server shutting down, no properties. */
const DISCONNECT_8B = Buffer.from([0xe0, 0x02, 0x8b, 0x00]);

function setup(version: 4 | 5 = 4) {
  const clock = new VirtualClock();
  const fw = new Firmware("default");
  fw.exports.setOption(Option.AutoReconnect, 1);
  fw.exports.setOption(Option.Seed, 1);
  expect(configure(fw, { version, clientId: "link", keepalive: 0 })).toBe(0);
  const conns: VirtualConnection[] = [];
  const toBroker: Buffer[][] = [];
  const events: FirmwareEvent[] = [];
  const closed: ClosedInfo[] = [];
  const link = new Link(fw, {
    clock,
    open: () => {
      const c = new VirtualConnection(clock, conns.length, false);
      const got: Buffer[] = [];
      c.broker.onData = (b) => got.push(b);
      conns.push(c);
      toBroker.push(got);
      return c;
    },
    onEvent: (ev) => events.push(ev),
    onTransportClosed: (info) => closed.push(info),
  });
  return { clock, fw, link, conns, toBroker, events, closed };
}

const names = (evs: FirmwareEvent[]) => evs.map((e) => e.name);

describe("host loop (Link)", () => {
  it("writes CONNECT once the connection is open and reports Connected on CONNACK", () => {
    const s = setup();
    s.link.start();
    s.clock.advance(10);
    expect(Buffer.concat(s.toBroker[0])[0]).toBe(0x10);
    s.conns[0].broker.write(CONNACK);
    s.clock.advance(10);
    expect(names(s.events)).toEqual(["Connected"]);
  });

  it("reports a close before CONNACK as such (beforeConnack), and one after it as not", () => {
    const s = setup();
    s.link.start();
    s.clock.advance(10);
    s.conns[0].broker.close();
    s.clock.advance(10);
    expect(s.closed).toEqual([{ beforeConnack: true }]);
    expect(s.clock.runUntil(() => s.conns.length === 2, 60_000), "reconnects after the delay").toBe(true);
    s.clock.advance(10);
    s.conns[1].broker.write(CONNACK);
    s.clock.advance(10);
    s.conns[1].broker.close();
    s.clock.advance(10);
    expect(s.closed).toEqual([{ beforeConnack: true }, { beforeConnack: false }]);
  });

  it("half-closes after a server DISCONNECT and destroys the connection CLOSE_GRACE_MS later when the peer keeps it open", () => {
    const s = setup(5);
    s.link.start();
    s.clock.advance(10);
    s.conns[0].broker.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]));
    s.clock.advance(10);
    const sentAt = s.clock.now();
    s.conns[0].broker.write(DISCONNECT_8B);
    s.clock.advance(CLOSE_GRACE_MS + 10);
    const log = s.conns[0].broker.log;
    expect(names(s.events)).toEqual(["Connected", "ServerDisconnect"]);
    expect(log.clientEndAt).toBe(sentAt + PAIR_LATENCY_MS);
    expect(log.clientDestroyAt).toBe(log.clientEndAt! + CLOSE_GRACE_MS);
    expect(s.closed.length).toBe(1);
  });

  it("feeds nothing the peer sends after the connection is over", () => {
    const s = setup(5);
    s.link.start();
    s.clock.advance(10);
    s.conns[0].broker.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]));
    s.conns[0].broker.write(DISCONNECT_8B);
    s.clock.advance(5);
    const bytesIn = s.fw.counters().bytesIn;
    // A QoS 0 PUBLISH 't' 'x' that would be a Message event if it were fed.
    s.conns[0].broker.write(Buffer.from([0x30, 0x06, 0x00, 0x01, 0x74, 0x00, 0x78, 0x79]));
    s.clock.advance(5);
    expect(s.fw.counters().bytesIn).toBe(bytesIn);
    expect(names(s.events)).not.toContain("Message");
  });

  it("drop() closes a connection whose stream never says 'close'", () => {
    const s = setup();
    s.link.start();
    s.clock.advance(10);
    s.conns[0].emit = () => true; // a stream that swallows its own events
    s.link.drop();
    s.clock.advance(1);
    expect(s.closed.length).toBe(1);
    expect(s.link.open).toBe(false);
  });

  it("end() sends DISCONNECT, half-closes and is fully closed within the grace", () => {
    const s = setup();
    s.link.start();
    s.clock.advance(10);
    s.conns[0].broker.write(CONNACK);
    s.clock.advance(10);
    s.link.end();
    s.clock.advance(CLOSE_GRACE_MS);
    const sent = Buffer.concat(s.toBroker[0]);
    expect(sent.subarray(sent.length - 2)).toEqual(Buffer.from([0xe0, 0x00]));
    expect(s.conns[0].broker.log.clientDestroyAt).toBeDefined();
    expect(s.link.open).toBe(false);
    s.clock.advance(120_000);
    expect(s.conns.length, "no reconnect after end()").toBe(1);
    expect(s.events.filter((e) => e.type === EventType.ReconnectDue)).toEqual([]);
  });
});

describe("host loop (Link): opening is bounded", () => {
  it("gives up a connection that never opens after openTimeoutMs, with an ETIMEDOUT error, and retries later", async () => {
    const { EventEmitter } = await import("node:events");
    const clock = new VirtualClock();
    const fw = new Firmware("default");
    fw.exports.setOption(Option.AutoReconnect, 1);
    expect(configure(fw, { version: 4, clientId: "open", keepalive: 0 })).toBe(0);
    const opened: { destroyed: boolean }[] = [];
    const errors: string[] = [];
    const link = new Link(fw, {
      clock,
      openTimeoutMs: 3000,
      open: () => {
        // A TCP connect whose SYN is never answered: connecting forever.
        const c = Object.assign(new EventEmitter(), {
          connecting: true, destroyed: false,
          write: () => true, end: () => {}, destroy: () => { c.destroyed = true; },
        });
        opened.push(c);
        return c;
      },
      onTransportError: (e) => errors.push(`${(e as NodeJS.ErrnoException).code}: ${e.message}`),
    });
    link.start();
    clock.advance(2999);
    expect(errors).toEqual([]);
    clock.advance(1);
    expect(errors).toEqual(["ETIMEDOUT: no connection within 3000 ms"]);
    expect(opened[0].destroyed).toBe(true);
    expect(link.open).toBe(false);
    expect(clock.runUntil(() => opened.length === 2, 60_000), "a reconnect follows").toBe(true);
  });
});
