// mote pub against a real mosquitto, checked with mosquitto_sub: QoS 0/1/2, retained, -l with
// many lines in flight, -f/-s/-n, --repeat, MQTT 5 properties, -L / --url (TCP and WebSocket),
// and the refusals that must fail the command (broker reason codes, too large, bad login).
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broker, killAll, lines, mosquittoSub, mote, type Broker } from "./helpers.ts";

let b: Broker;
let strict: Broker;
let dir: string;
let port: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mote-cli-pub-"));
  chmodSync(dir, 0o755);
  const acl = join(dir, "acl");
  writeFileSync(acl, "user mote\ntopic readwrite ok/#\n");
  chmodSync(acl, 0o644);
  [b, strict] = await Promise.all([
    broker({ listeners: ["ws"], extraConfig: ["max_queued_messages 100000"] }), // mosquitto drops beyond 1,000 queued for a slow subscriber
    broker({ users: { mote: "secret" }, extraConfig: [`acl_file ${acl}`, "max_packet_size 200"] }),
  ]);
  port = String(b.port);
});

afterAll(async () => {
  killAll();
  await Promise.all([b?.stop(), strict?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A mosquitto_sub that is subscribed when this resolves. */
async function watcher(id: string, topic: string, args: string[], br = b) {
  const p = mosquittoSub(["-p", String(br.port), "-i", id, "-t", topic, ...args]);
  await br.subscribed(id);
  return p;
}

describe("mote pub", () => {
  it("publishes at QoS 0, 1 and 2", async () => {
    const sub = await watcher("w-qos", "pub/qos", ["-q", "2", "-C", "3", "-F", "%q %t %p"]);
    const runs = await Promise.all([0, 1, 2].map((q) => mote(["pub", "-p", port, "-t", "pub/qos", "-m", `q${q}`, "-q", String(q)]).done));
    for (const r of runs) expect(r).toMatchObject({ code: 0, stderr: "", stdout: "" });
    const got = await sub.done;
    expect(got.code).toBe(0);
    expect(lines(got.stdout).sort()).toEqual(["0 pub/qos q0", "1 pub/qos q1", "2 pub/qos q2"]);
  });

  it("publishes a retained message with -r, seen by a later subscriber", async () => {
    const r = await mote(["pub", "-p", port, "-t", "pub/retained", "-m", "kept", "-r", "-q", "1"]).done;
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const got = await mosquittoSub(["-p", port, "-t", "pub/retained", "-C", "1", "-F", "%r %p"]).done;
    expect(got.stdout).toBe("1 kept\n");
  });

  it("sends 2,000 stdin lines with -l at QoS 1, all of them, in order", async () => {
    const sent = Array.from({ length: 2000 }, (_, i) => `line-${i}`);
    const sub = await watcher("w-lines", "pub/lines", ["-q", "1", "-C", "2000"]);
    const r = await mote(["pub", "-p", port, "-t", "pub/lines", "-l", "-q", "1"], { input: sent.join("\n") + "\n" }).done;
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const got = await sub.done;
    expect(got.code).toBe(0);
    expect(lines(got.stdout)).toEqual(sent);
  });

  it("sends every line with -l, the empty one and a last one without newline included", async () => {
    const sub = await watcher("w-edge", "pub/edge", ["-C", "3", "-F", "[%p]"]);
    const r = await mote(["pub", "-p", port, "-t", "pub/edge", "-l"], { input: "a\n\nlast" }).done;
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((await sub.done).stdout).toBe("[a]\n[]\n[last]\n");
  });

  it("sends a file (-f), all of stdin (-s) and an empty message (-n)", async () => {
    const file = join(dir, "payload.bin");
    writeFileSync(file, "from a file\nwith two lines");
    const sub = await watcher("w-src", "pub/src", ["-C", "3", "-F", "%l:%x"]);
    for (const args of [["-f", file], ["-s"], ["-n"]]) {
      const r = await mote(["pub", "-p", port, "-t", "pub/src", "-q", "1", ...args], { input: "stdin\x00bytes" }).done;
      expect(r).toMatchObject({ code: 0, stderr: "" });
    }
    const hex = (s: string) => Buffer.from(s).toString("hex");
    expect(lines((await sub.done).stdout)).toEqual([`26:${hex("from a file\nwith two lines")}`, `11:${hex("stdin\x00bytes")}`, "0:"]);
  });

  it("repeats a message with --repeat and --repeat-delay", async () => {
    const sub = await watcher("w-rep", "pub/rep", ["-C", "3"]);
    const r = await mote(["pub", "-p", port, "-t", "pub/rep", "-m", "again", "-q", "1", "--repeat", "3", "--repeat-delay", "0.2"]).done;
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((await sub.done).stdout).toBe("again\nagain\nagain\n");
  });

  it("sends MQTT 5 user properties with -V 5 -D publish user-property", async () => {
    const sub = await watcher("w-v5", "pub/v5", ["-V", "5", "-C", "1", "-F", "%P|%C|%p"]);
    const r = await mote(["pub", "-p", port, "-t", "pub/v5", "-m", "hi", "-V", "5", "-q", "1", "-D", "publish", "user-property", "unit", "C",
      "-D", "publish", "user-property", "unit", "F", "-D", "publish", "content-type", "text/plain"]).done;
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((await sub.done).stdout).toBe("unit:C unit:F|text/plain|hi\n");
  });

  it("takes the broker from -L mqtt://host:port/topic and --url (TCP and WebSocket)", async () => {
    const sub = await watcher("w-url", "pub/url/#", ["-C", "2", "-v"]);
    const viaL = mote(["pub", "-L", `mqtt://127.0.0.1:${port}/pub/url/L`, "-m", "one"]).done;
    const viaWs = mote(["pub", "--url", `ws://127.0.0.1:${b.mosquitto.ports.ws}`, "-t", "pub/url/ws", "-m", "two", "-q", "1"]).done;
    for (const r of await Promise.all([viaL, viaWs])) expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(lines((await sub.done).stdout).sort()).toEqual(["pub/url/L one", "pub/url/ws two"]);
  });

  it("fails with the reason code when the broker refuses a message (v5 PUBACK 0x87)", async () => {
    const r = await mote(["pub", "-p", String(strict.port), "-u", "mote", "-P", "secret", "-V", "5", "-t", "denied/x", "-m", "no", "-q", "1"]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("mote pub: publish to 'denied/x' refused by the broker: Not authorized (0x87)\n");
  });

  it("fails, never drops silently, a message above the broker's Maximum Packet Size", async () => {
    const r = await mote(["pub", "-p", String(strict.port), "-u", "mote", "-P", "secret", "-V", "5", "-t", "ok/big", "-m", "x".repeat(300)]).done;
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^mote pub: publish to 'ok\/big' failed: the message \(300 bytes of payload\) is too large/);
  });

  it("counts the failures of -l and still sends the rest", async () => {
    const sub = await watcher("w-mixed", "ok/mixed", ["-q", "1", "-C", "2", "-u", "mote", "-P", "secret"], strict);
    const r = await mote(["pub", "-p", String(strict.port), "-u", "mote", "-P", "secret", "-V", "5", "-t", "ok/mixed", "-l", "-q", "1"],
      { input: `small\n${"y".repeat(300)}\nsmall again\n` }).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/too large .*\n$/);
    expect(lines(r.stderr)).toHaveLength(1);
    expect((await sub.done).stdout).toBe("small\nsmall again\n");
  });

  it("exits at once when the broker refuses the connection (bad login), with its reason code", async () => {
    const r = await mote(["pub", "-p", String(strict.port), "-u", "mote", "-P", "wrong", "-t", "ok/x", "-m", "x"]).done;
    expect(r.code).toBe(5); // as mosquitto_pub: the CONNACK return code (3.1.1: 5, not authorised)
    expect(r.stderr).toBe("mote pub: connection refused: Not authorized (0x87)\n"); // mosquitto 2.0.11 answers a bad password so
    expect(r.ms).toBeLessThan(5000);
  });
});
