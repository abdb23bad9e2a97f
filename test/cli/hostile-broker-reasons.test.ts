// mote says why (issue 9): the reason code and name of a server DISCONNECT (with its Server
// Reference), the last reason when -W times out, a wrong-type acknowledgement, and a topic alias
// that is legal MQTT but beyond this profile's budget. Scripted brokers on loopback; each mote
// run has a hard time limit.
import { afterEach, describe, expect, it } from "vitest";
import { BrokerPool, brokerArgs, versionArgs, ack, connack, disconnect, packetId, serve, typeName, type Behaviour } from "../support/hostile-broker.ts";
import { killAll, lines, mote, sleep, waitFor } from "./helpers.ts";

const pool = new BrokerPool();
const listen = (behaviour: Behaviour) => pool.listen(behaviour);
const at = brokerArgs;

afterEach(async () => {
  killAll();
  await pool.closeAll();
});

describe("a server DISCONNECT is reported with its reason (5.0)", () => {
  it("0x9d Server moved: one line with the reason and the Server Reference", async () => {
    const reference = Buffer.from("other.example:1883");
    const b = await listen(async (conn, i) => {
      if (i > 0) return serve(conn, 5);
      if (!(await conn.nextPacket(5000))) return;
      conn.write(connack(5));
      if (!(await conn.nextPacket(5000))) return; // SUBSCRIBE
      conn.write(disconnect(0x9d, Buffer.concat([
        Buffer.from([0x1c, 0x00, reference.length]), // Server Reference (28), UTF-8 string length
        reference,
      ])));
      conn.close(); // as it should [MQTT-3.14.4-2]: only the reporting is under test
    });
    const sub = mote(["sub", ...at(b), "-V", "5", "-t", "#"], { timeoutMs: 10_000 });
    await waitFor(() => sub.stderr.includes("\n") || sub.child.exitCode !== null, "a line on stderr", 5000).catch(() => {});
    const said = lines(sub.stderr).filter((l) => l.includes("Server moved (0x9d)"));
    expect(said, `stderr ${JSON.stringify(sub.stderr)}\n${b.describe()}`).toHaveLength(1);
    expect(said[0]).toContain("other.example:1883");
    sub.kill();
  });

  it("-W 3 against a broker that answers every CONNECT with DISCONNECT 0x89: exit 27, the last line names the reason", async () => {
    const b = await listen(async (conn) => {
      if (!(await conn.nextPacket(5000))) return;
      conn.write(Buffer.concat([connack(5), disconnect(0x89)])); // Server busy, right after CONNACK
      conn.close();
    });
    const r = await mote(["sub", ...at(b), "-V", "5", "-t", "#", "-W", "3"], { timeoutMs: 10_000 }).done;
    const label = `stderr ${JSON.stringify(r.stderr)}\n${b.describe()}`;
    expect({ code: r.code, timedOut: r.timedOut }, label).toEqual({ code: 27, timedOut: false });
    const last = lines(r.stderr).at(-1) ?? "";
    expect(last, label).toMatch(/^mote sub: timed out/);
    expect(last, label).toContain("Server busy (0x89)");
  });
});

describe("a wrong-type acknowledgement is reported once, and the right one still completes the message", () => {
  /**
   * Answers the PUBLISH with `wrong` (same packet identifier), then 500 ms later with the
   * acknowledgement its QoS calls for (5.0 [MQTT-4.3.2-3] QoS 1 waits for PUBACK, [MQTT-4.3.3-3]
   * QoS 2 for PUBREC); serve() answers the PUBREL with PUBCOMP.
   */
  const wrongThenRight = (version: 4 | 5, wrong: number, right: number): Behaviour => async (conn) => {
    await serve(conn, version, (p) => {
      if (typeName(p) !== "PUBLISH") return;
      const id = packetId(p);
      conn.write(ack(wrong, id));
      void sleep(500).then(() => conn.write(ack(right, id)));
      return false;
    });
  };
  const cases = [
    { qos: 2, wrong: 0x40, right: 0x50, words: ["PUBACK", "QoS 2"] }, // PUBACK, then PUBREC
    { qos: 1, wrong: 0x70, right: 0x40, words: ["PUBCOMP", "QoS 1"] }, // PUBCOMP, then PUBACK
  ];

  it.each(cases)("pub -q $qos gets $words.0 first: one line naming it and the QoS, exit 0 (3.1.1 and 5.0)", async ({ qos, wrong, right, words }) => {
    const run = async (version: 4 | 5) => {
      const b = await listen(wrongThenRight(version, wrong, right));
      const r = await mote(["pub", ...at(b), ...versionArgs(version), "-q", String(qos), "-t", "t", "-m", "x"], { timeoutMs: 10_000 }).done;
      return { version, b, r };
    };
    for (const { version, b, r } of await Promise.all([run(4), run(5)])) {
      const label = `${version}: stderr ${JSON.stringify(r.stderr)}\n${b.describe()}`;
      expect({ code: r.code, timedOut: r.timedOut }, label).toEqual({ code: 0, timedOut: false });
      expect(lines(r.stderr).filter((l) => words.every((w) => l.includes(w))), label).toHaveLength(1);
    }
  });
});

describe("a topic alias beyond this profile's budget (5.0)", () => {
  it("a PUBLISH mapping alias 1 to a 200-byte topic: exit 1, the line says it is our budget, DISCONNECT 0x83 sent", async () => {
    const topic = Buffer.alloc(200, "a");
    const aliased = Buffer.concat([
      Buffer.from([0x30, 0xcf, 0x01]),        // PUBLISH QoS 0, Remaining Length 207 = 2 + 200 + 1 + 3 + 1
      Buffer.from([0x00, 0xc8]), topic,       // Topic Name: 200 bytes
      Buffer.from([0x03, 0x23, 0x00, 0x01]),  // Property Length 3: Topic Alias (35) = 1, within our Topic Alias Maximum
      Buffer.from("x"),                       // Payload
    ]);
    const b = await listen(async (conn) => {
      await serve(conn, 5, (p) => {
        if (typeName(p) === "SUBSCRIBE") setImmediate(() => conn.write(aliased)); // after serve's SUBACK
      });
    });
    const r = await mote(["sub", ...at(b), "-V", "5", "-t", "#"], { timeoutMs: 10_000 }).done;
    const label = b.describe();
    expect({ code: r.code, timedOut: r.timedOut, stdout: r.stdout }, label).toEqual({ code: 1, timedOut: false, stdout: "" });
    expect(r.stderr, label).toBe("mote sub: topic alias 1 maps a 200-byte topic; this profile keeps at most 64 bytes per alias (TOPIC_ALIAS_TOPIC_BYTES): disconnected with 0x83\n");
    expect(b.connections[0].packets.filter((p) => typeName(p) === "DISCONNECT").map((p) => p[2]), label).toEqual([0x83]); // Implementation specific error
  });
});
