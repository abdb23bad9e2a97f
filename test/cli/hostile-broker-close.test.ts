// mote against brokers that end a connection badly (issue 9): closed before CONNACK, a server
// DISCONNECT after which the broker neither reads nor closes, a broker gone silent, a protocol
// violation from a broker that keeps sending, a PUBLISH trickled forever. Whatever the broker
// does, mote must close the socket completely within a bounded time, then reconnect or exit
// with one line. Each mote run has a hard time limit, so a hang fails as a timeout.
import { afterEach, describe, expect, it } from "vitest";
import { BrokerPool, brokerArgs, versionArgs, HostileBroker, cleanStart, connack, disconnect, packetId, serve, typeName, type Behaviour } from "../support/hostile-broker.ts";
import { killAll, lines, mote, sleep, waitFor, type Proc, type Result } from "./helpers.ts";

const pool = new BrokerPool();
const listen = (behaviour: Behaviour) => pool.listen(behaviour);
const at = brokerArgs;

afterEach(async () => {
  killAll();
  await pool.closeAll();
});
const now = () => performance.now();

/** The result of a mote run and the moment it ended. */
const ended = (p: Proc) => p.done.then((r) => ({ ...r, at: now() }));

/** Waits for cond; fails with what mote and the broker did when it does not hold within ms. */
async function within(ms: number, what: string, cond: () => boolean, p: Proc, b: HostileBroker): Promise<void> {
  await waitFor(() => cond() || p.child.exitCode !== null || p.child.signalCode !== null, what, ms).catch(() => {});
  await sleep(50); // a last look after an exit: the condition may have come with it
  if (!cond()) {
    const state = p.child.exitCode === null && p.child.signalCode === null ? "still running" : `exited ${p.child.exitCode ?? p.child.signalCode}`;
    throw new Error(`${what}: not within ${ms} ms; mote ${state}, stderr ${JSON.stringify(p.stderr)}\n${b.describe()}`);
  }
}

/** Asserts one run: exit status, no kill by the time limit, one stderr line holding `text`. */
function expectOneLine(r: Result, label: string, code: number, text: string): void {
  expect({ code: r.code, timedOut: r.timedOut }, `${label}: ${JSON.stringify(r.stderr)}`).toEqual({ code, timedOut: false });
  expect(lines(r.stderr), label).toHaveLength(1);
  expect(r.stderr, label).toContain(text);
}

/** Connection 0: CONNACK, the client's first packet, then DISCONNECT `reason`, and it neither reads nor closes. Later ones are served. */
function disconnectsThenHangs(version: 4 | 5, reason: number, sent: { at: number }): Behaviour {
  return async (conn, i) => {
    if (i > 0) return serve(conn, version);
    if (!(await conn.nextPacket(5000))) return;
    conn.write(connack(version));
    if (!(await conn.nextPacket(5000))) return; // SUBSCRIBE or PUBLISH
    conn.write(disconnect(reason));
    sent.at = now();
    conn.stopReading();
    await conn.untilClosed();
  };
}

describe("a broker that closes the connection before CONNACK [MQTT-3.2.0-1]", () => {
  it.each([
    ["with no byte", Buffer.alloc(0)],
    ["after one byte of a CONNACK (0x20)", Buffer.from([0x20])],
  ])("%s: sub and pub, 3.1.1 and 5.0, exit 1 within 5 s with one line, without retrying", async (_, sent) => {
    const b = await listen(async (conn) => {
      if (!(await conn.nextPacket(5000))) return;
      conn.write(sent);
      conn.close();
    });
    const commands = [["sub", "-t", "#"], ["pub", "-q", "1", "-t", "t", "-m", "x"]];
    const runs = ([4, 5] as const).flatMap((v) => commands.map((c) => ({ label: `${c[0]} ${v}`, run: mote([...c, ...at(b), ...versionArgs(v)], { timeoutMs: 6000 }).done })));
    for (const { label, run } of runs) {
      const r = await run;
      expectOneLine(r, label, 1, "connection closed by the broker before CONNACK");
      expect(r.ms, label).toBeLessThan(5000);
    }
    expect(b.connections).toHaveLength(4);
  });
});

describe("a broker that sends DISCONNECT and then neither reads nor closes its socket (5.0 [MQTT-3.14.4-2])", () => {
  it("sub closes that socket within 2 s of the DISCONNECT, prints the reason once and reconnects", async () => {
    const sent = { at: 0 };
    const b = await listen(disconnectsThenHangs(5, 0x8b, sent)); // Server shutting down
    const sub = mote(["sub", ...at(b), "-V", "5", "-t", "#"], { timeoutMs: 12_000 });
    await within(5000, "the broker's DISCONNECT", () => sent.at > 0, sub, b);
    const first = b.connections[0];
    await within(2000, "connection 0 closed by the client", () => first.releasedAt !== undefined, sub, b);
    expect(first.releasedAt! - sent.at).toBeLessThan(2000);
    await within(5000, "a second CONNECT", () => b.connections[1]?.connect !== undefined, sub, b);
    expect(lines(sub.stderr)).toHaveLength(1);
    expect(sub.stderr).toContain("Server shutting down (0x8b)");
    expect(sub.child.exitCode).toBe(null); // still running: it reconnected
    sub.kill();
  });

  it("--quiet silences the reason line, in sub and in pub (which then completes its message)", async () => {
    const [forSub, forPub] = [{ at: 0 }, { at: 0 }];
    const [bs, bp] = await Promise.all([listen(disconnectsThenHangs(5, 0x8b, forSub)), listen(disconnectsThenHangs(5, 0x8b, forPub))]);
    const sub = mote(["sub", "--quiet", ...at(bs), "-V", "5", "-t", "#"], { timeoutMs: 12_000 });
    const pub = mote(["pub", "--quiet", ...at(bp), "-V", "5", "-q", "1", "-t", "t", "-m", "x"], { timeoutMs: 12_000 });
    await within(8000, "sub's second CONNECT", () => bs.connections[1]?.connect !== undefined, sub, bs);
    expect(sub.stderr).toBe("");
    expect(sub.child.exitCode).toBe(null);
    sub.kill();
    const r = await pub.done;
    expect({ code: r.code, stderr: r.stderr, timedOut: r.timedOut }, bp.describe()).toEqual({ code: 0, stderr: "", timedOut: false });
    expect(bp.connections.length).toBeGreaterThanOrEqual(2);
  });
});

describe("a broker that goes silent after 10 acknowledgements, socket open (keep alive, PINGRESP timeout)", () => {
  /** Connection 0 acknowledges 10 PUBLISHes, then answers nothing, PINGREQ included; later connections answer everything. */
  const silentAfterTen = (version: 4 | 5): Behaviour => async (conn, i) => {
    let published = 0;
    await serve(conn, version, (p) => {
      if (i === 0 && typeName(p) === "PUBLISH") published++;
      return i > 0 || published <= 10;
    });
  };

  it("pub -q 1 --repeat 30 -k 5 -c: closes the dead connection, resumes the session, exits 0 with all 30 delivered [MQTT-4.4.0-1]", async () => {
    // -k 5 (the smallest keep alive mote takes): PINGREQ 5 s after the last packet, 10 s for PINGRESP (PINGRESP_TIMEOUT_MS).
    const run = async (version: 4 | 5) => {
      const b = await listen(silentAfterTen(version));
      const r = await mote(["pub", ...at(b), ...versionArgs(version), "-i", `silent-${version}`, "-c", "-q", "1", "--repeat", "30", "-k", "5", "-t", "t", "-m", "x"], { timeoutMs: 40_000 }).done;
      return { b, r };
    };
    for (const { b, r } of await Promise.all([run(4), run(5)])) {
      const label = `${b.describe()}\nstderr ${JSON.stringify(r.stderr)}`;
      expect({ code: r.code, timedOut: r.timedOut }, label).toEqual({ code: 0, timedOut: false });
      const [first, ...later] = b.connections;
      expect(first.releasedAt, label).toBeDefined();
      expect(later.every((c) => !cleanStart(c.connect!)), label).toBe(true);
      const publishes = b.connections.flatMap((c) => c.packets.filter((p) => typeName(p) === "PUBLISH"));
      expect(publishes.filter((p) => (p[0] & 0x08) === 0), label).toHaveLength(30); // DUP clear: each message once
      const unanswered = packetId(first.packets.filter((p) => typeName(p) === "PUBLISH")[10]);
      expect(later.some((c) => c.packets.some((p) => typeName(p) === "PUBLISH" && (p[0] & 0x08) !== 0 && packetId(p) === unanswered)), label).toBe(true); // [MQTT-3.3.1-1]
    }
  }, 50_000);
});

describe("a broker that breaks the protocol and keeps sending [MQTT-4.8.0-1]", () => {
  it("sub exits 1 within 2.5 s of the violation with one line, 3.1.1 (PUBACK of length 0) and 5.0 (reserved type 0)", async () => {
    const run = async (version: 4 | 5, malformed: Buffer) => {
      const sent = { at: 0 };
      const b = await listen(async (conn) => {
        if (!(await conn.nextPacket(5000))) return;
        conn.write(connack(version));
        if (!(await conn.nextPacket(5000))) return; // SUBSCRIBE
        conn.write(malformed);
        sent.at = now();
        await conn.trickle(Buffer.alloc(0), 50, 0x00); // a byte every 50 ms, never closing
      });
      const r = await ended(mote(["sub", ...at(b), ...versionArgs(version), "-t", "#"], { timeoutMs: 10_000 }));
      return { version, r, sent };
    };
    const runs = await Promise.all([
      run(4, Buffer.from([0x40, 0x00])), // PUBACK, Remaining Length 0: 3.1.1 wants exactly 2 (the Packet Identifier)
      run(5, Buffer.from([0x00, 0x00])), // packet type 0 is reserved: forbidden in both directions
    ]);
    for (const { version, r, sent } of runs) {
      expectOneLine(r, `${version}`, 1, "broke the protocol");
      expect(r.at - sent.at, `${version}`).toBeLessThan(2500);
    }
  });
});

describe("a broker that trickles a PUBLISH forever and never answers PINGREQ", () => {
  /** PUBLISH QoS 0 to "t" announcing 10 MiB: at a byte per 200 ms it never ends. */
  const endless = (version: 4 | 5) => Buffer.from([
    0x30,                   // PUBLISH, QoS 0
    0x80, 0x80, 0x80, 0x05, // Remaining Length 5 * 128^3 = 10,485,760
    0x00, 0x01, 0x74,       // Topic Name "t"
    ...(version === 5 ? [0x00] : []), // 5.0: Property Length 0
  ]); // then payload bytes "x", one at a time

  it("sub -k 5 closes the socket within 17 s of CONNACK (5 s keep alive + 10 s for PINGRESP + grace) and reconnects", async () => {
    const run = async (version: 4 | 5) => {
      const connackAt = { at: 0 };
      const b = await listen(async (conn, i) => {
        if (i > 0) return serve(conn, version);
        if (!(await conn.nextPacket(5000))) return;
        conn.write(connack(version));
        connackAt.at = now();
        await conn.trickle(endless(version), 200);
      });
      const sub = mote(["sub", ...at(b), ...versionArgs(version), "-k", "5", "-t", "#"], { timeoutMs: 28_000 });
      await within(5000, "CONNACK", () => connackAt.at > 0, sub, b);
      await within(17_000 - (now() - connackAt.at), `${version}: connection 0 closed by the client`, () => b.connections[0].releasedAt !== undefined, sub, b);
      expect(b.connections[0].packets.map(typeName)).toContain("PINGREQ");
      await within(4000, `${version}: a second CONNECT`, () => b.connections[1]?.connect !== undefined, sub, b);
      sub.kill();
    };
    await Promise.all([run(4), run(5)]);
  }, 30_000);
});
