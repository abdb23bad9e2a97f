// How mote fails: one line on stderr, prefixed with the command, exit 1 at run time and 2 for
// usage, no stack trace, no endless retry before the first CONNACK. Also --help, a broker that
// breaks the protocol (a scripted fake on loopback), and TLS with good and bad certificates.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLAGS, flagsOf } from "../../host/cli/args.ts";
import { freePort } from "../support/free-port.ts";
import { broker, killAll, lines, mosquittoSub, mote, Proc, ROOT, type Broker } from "./helpers.ts";

let tlsBroker: Broker;

beforeAll(async () => {
  tlsBroker = await broker({ listeners: ["tls"] });
});

afterAll(async () => {
  killAll();
  await tlsBroker?.stop();
});

/**
 * A scripted broker: CONNACK to the CONNECT, then `reply` answers the client's next packets
 * (one per read: the client waits for CONNACK before it sends more). Records what the client sent.
 */
async function fakeBroker(version: 4 | 5, reply: (packet: Buffer) => Buffer | undefined) {
  const server = net.createServer();
  let resolveReceived!: (b: Buffer) => void;
  const received = new Promise<Buffer>((r) => { resolveReceived = r; });
  server.on("connection", (s) => {
    const got: Buffer[] = [];
    s.on("error", () => {});
    s.on("data", (d: Buffer) => {
      got.push(d);
      const answer = got.length === 1 ? Buffer.from(version === 5 ? "2003000000" : "20020000", "hex") : reply(d);
      if (answer) s.write(answer);
    });
    s.on("close", () => resolveReceived(Buffer.concat(got)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: String((server.address() as net.AddressInfo).port), received, close: () => server.close() };
}

/** PINGRESP with a reserved flag bit set: a Malformed Packet. */
const MALFORMED = Buffer.from("d100", "hex");

describe("mote errors", () => {
  it("exits 1 with one line, within a few seconds, when nothing listens on the port", async () => {
    const dead = String(await freePort());
    const [p, s] = await Promise.all([
      mote(["pub", "-h", "127.0.0.1", "-p", dead, "-t", "a", "-m", "b", "-q", "1"]).done,
      mote(["sub", "-h", "127.0.0.1", "-p", dead, "-t", "a"]).done,
    ]);
    expect(p).toMatchObject({ code: 1, stdout: "", stderr: `mote pub: cannot connect to 127.0.0.1:${dead}: connection refused\n` });
    expect(s).toMatchObject({ code: 1, stdout: "", stderr: `mote sub: cannot connect to 127.0.0.1:${dead}: connection refused\n` });
    expect(Math.max(p.ms, s.ms)).toBeLessThan(4000);
  });

  it("exits 2 with one line for bad flags", async () => {
    const cases: [string[], string][] = [
      [["pub", "-t", "a", "-m", "b", "--bogus"], "mote pub: unknown option '--bogus' (see mote pub --help)\n"],
      [["pub", "-t", "a", "-m", "b", "-q", "3"], "mote pub: -q takes 0 to 2, not 3 (see mote pub --help)\n"],
      [["pub", "-t", "a"], "mote pub: no message: give one of -m message, -f file, -s, -l or -n (see mote pub --help)\n"],
      [["pub", "-m", "a"], "mote pub: no topic: give -t topic (or -L) (see mote pub --help)\n"],
      [["pub", "-t", "a/+", "-m", "b"], "mote pub: invalid topic 'a/+': a topic to publish to cannot contain '+' or '#' (see mote pub --help)\n"],
      [["pub", "-t", "a", "-l", "--repeat", "2"], "mote pub: --repeat repeats one message: it does not go with -l (see mote pub --help)\n"],
      [["pub", "--url", "mqtt://h/topic", "-t", "a", "-m", "b"], "mote pub: --url takes no topic ('mqtt://h/topic'); give the topic with -t (see mote pub --help)\n"],
      [["pub", "--url", "mqtt://h", "-p", "1", "-t", "a", "-m", "b"], "mote pub: --url cannot be combined with -p (see mote pub --help)\n"],
      [["pub", "-t", "a", "-m", "b", "--insecure"], "mote pub: --insecure needs a TLS connection (--cafile, -p 8883, -L mqtts://, --url mqtts:// or wss://) (see mote pub --help)\n"],
      [["sub", "-t", "a", "-W", "0"], "mote sub: -W takes 1 to 2147483, not 0 (see mote sub --help)\n"],
      [["frob"], "mote: unknown command 'frob' (use mote pub, sub, sim, modem, board or bridge; see mote --help)\n"],
    ];
    const runs = await Promise.all(cases.map(([args]) => mote(args).done));
    runs.forEach((r, i) => expect(r, cases[i][0].join(" ")).toMatchObject({ code: 2, stdout: "", stderr: cases[i][1] }));
  });

  it("documents every flag in --help (exit 0), also through bin/mote", async () => {
    const [top, pub, sub] = await Promise.all([
      new Proc(`${ROOT}/bin/mote`, ["--help"]).done,
      new Proc(`${ROOT}/bin/mote`, ["pub", "--help"]).done,
      mote(["sub", "-t", "x", "--help"]).done,
    ]);
    for (const r of [top, pub, sub]) expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(top.stdout).toMatch(/mote pub/);
    expect(top.stdout).toMatch(/mote sub/);
    for (const [text, cmd] of [[pub.stdout, "pub"], [sub.stdout, "sub"]] as const) {
      for (const f of flagsOf(cmd)) for (const name of f.names) expect(text, `${cmd} ${name}`).toMatch(new RegExp(`(^|[ ,])${name.replace(/[-]/g, "\\-")}[ ,\\n]`, "m"));
      expect(text).toMatch(/user-property/);
    }
    expect(FLAGS.filter((f) => f.commands.includes("pub") && !f.commands.includes("sub")).every((f) => !sub.stdout.includes(`  ${f.names[0]} `))).toBe(true);
  });

  it("exits 1 with the reason when a v5 broker breaks the protocol, after sending DISCONNECT Malformed Packet", async () => {
    const rude = await fakeBroker(5, () => MALFORMED); // the answer to SUBSCRIBE
    const r = await mote(["sub", "-h", "127.0.0.1", "-p", rude.port, "-V", "5", "-t", "a"]).done;
    rude.close();
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "mote sub: the broker broke the protocol; sent DISCONNECT Malformed Packet (0x81)\n" });
    expect((await rude.received).subarray(-3).toString("hex")).toBe("e00181"); // DISCONNECT, reason 0x81
  });

  it("exits 1 when a 3.1.1 broker breaks the protocol (the connection is closed, no DISCONNECT in 3.1.1)", async () => {
    const rude = await fakeBroker(4, () => MALFORMED); // the answer to the first PUBLISH
    const p = mote(["pub", "-h", "127.0.0.1", "-p", rude.port, "-t", "a", "-l", "-q", "1"], { keepStdin: true });
    p.write("first\n");
    const r = await p.done;
    rude.close();
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "mote pub: the broker broke the protocol (Malformed Packet (0x81)); closed the connection\n" });
    expect((await rude.received).includes(0xe0)).toBe(false);
  });

  it("exits 1 when the broker refuses every subscription (SUBACK 0x80), with the filter and the code", async () => {
    const refusing = await fakeBroker(4, (p) => (p[0] === 0x82 ? Buffer.from([0x90, 0x03, p[2], p[3], 0x80]) : undefined));
    const r = await mote(["sub", "-h", "127.0.0.1", "-p", refusing.port, "-t", "a/#", "-q", "1"]).done;
    refusing.close();
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "mote sub: the broker refused the subscription: 'a/#' Unspecified error (0x80)\n" });
    expect((await refusing.received).subarray(-2).toString("hex")).toBe("e000"); // then a normal DISCONNECT
  });

  it("connects over TLS with --cafile, and fails in one line on a certificate it cannot trust", async () => {
    const certs = tlsBroker.mosquitto.certs;
    const tlsPort = String(tlsBroker.mosquitto.ports.tls);
    const watch = mosquittoSub(["-p", String(tlsBroker.port), "-i", "tls-watch", "-t", "tls/a", "-C", "1"]);
    await tlsBroker.subscribed("tls-watch");
    const [good, wrongCa, missing, viaUrl] = await Promise.all([
      mote(["pub", "-h", "localhost", "-p", tlsPort, "--cafile", certs.caCert, "-t", "tls/a", "-m", "secret", "-q", "1"]).done,
      mote(["pub", "-h", "localhost", "-p", tlsPort, "--cafile", certs.wrongCaCert, "-t", "tls/a", "-m", "x"]).done,
      mote(["sub", "-h", "localhost", "-p", tlsPort, "--cafile", "/nonexistent/ca.pem", "-t", "tls/a"]).done,
      mote(["sub", "--url", `mqtts://localhost:${tlsPort}`, "-t", "tls/a", "-W", "1"]).done, // Node's default roots: not our CA
    ]);
    expect(good).toMatchObject({ code: 0, stderr: "" });
    expect((await watch.done).stdout).toBe("secret\n");
    for (const r of [wrongCa, missing, viaUrl]) {
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(wrongCa.stderr).toMatch(/^mote pub: TLS to localhost:\d+ failed: .*certificate/);
    expect(missing.stderr).toBe("mote sub: cannot read CA file '/nonexistent/ca.pem': ENOENT\n");
    expect(viaUrl.stderr).toMatch(/^mote sub: TLS to localhost:\d+ failed: /);
  });
});
