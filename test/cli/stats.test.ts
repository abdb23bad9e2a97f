// mote --stats: the byte accounting a user reads before flashing anything. The numbers must be
// the packets' real sizes: a 3.1.1 QoS 1 PUBLISH is 2 + 2 + topic + 2 + payload bytes, a PUBACK 4.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broker, killAll, mote, type Broker } from "./helpers.ts";

let b: Broker;

beforeAll(async () => {
  b = await broker();
});

afterAll(async () => {
  killAll();
  await b?.stop();
});

/** The --stats row of a packet type: [sent packets, sent bytes, received packets, received bytes]. */
function row(stderr: string, name: string): number[] {
  const line = stderr.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "\t"));
  if (!line) throw new Error(`no ${name} row in:\n${stderr}`);
  return line.trim().split(/\s{2,}/).slice(1).map(Number);
}

describe("mote pub --stats", () => {
  it("reports the exact bytes of each packet type, MQTT 3.1.1 QoS 1", async () => {
    const topic = "stats/t";
    const payload = "21.5";
    const r = await mote(["pub", "-p", String(b.port), "-t", topic, "-m", payload, "-q", "1", "--repeat", "3", "--stats"]).done;
    expect(r.code).toBe(0);
    expect(row(r.stderr, "PUBLISH")).toEqual([3, 3 * (2 + 2 + topic.length + 2 + payload.length), 0, 0]);
    expect(row(r.stderr, "PUBACK")).toEqual([0, 0, 3, 12]);
    expect(row(r.stderr, "CONNACK")).toEqual([0, 0, 1, 4]);
    expect(row(r.stderr, "DISCONNECT")).toEqual([1, 2, 0, 0]);
  });

  it("shows MQTT 5 topic aliases making repeated publishes smaller", async () => {
    const topic = "stats/a/rather/long/topic/name";
    const r = await mote(["pub", "-V", "5", "-p", String(b.port), "-t", topic, "-m", "x", "-q", "0", "--repeat", "3", "--stats"]).done;
    expect(r.code).toBe(0);
    const [packets, bytes] = row(r.stderr, "PUBLISH");
    expect(packets).toBe(3);
    // First: topic and alias (2 + 2 + topic + props 1 + 3 + payload); then an empty topic and the alias.
    const first = 2 + 2 + topic.length + 1 + 3 + 1;
    const repeat = 2 + 2 + 1 + 3 + 1;
    expect(bytes).toBe(first + 2 * repeat);
  });
});
