// mote sub against a real mosquitto, fed by mosquitto_pub: QoS 0/1/2 on several filters, -v and
// plain output, retained messages, -q as the subscription QoS, -C (normal DISCONNECT: no will)
// against a kill (the will goes out), -W with and without messages, MQTT 5 properties.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broker, killAll, lines, mosquittoPub, mosquittoSub, mote, waitFor, type Broker } from "./helpers.ts";

let b: Broker;
let port: string;

beforeAll(async () => {
  b = await broker();
  port = String(b.port);
});

afterAll(async () => {
  killAll();
  await b?.stop();
});

const publish = async (topic: string, message: string, ...args: string[]) => {
  const r = await mosquittoPub(["-p", port, "-t", topic, "-m", message, ...args]).done;
  expect(r.code).toBe(0);
};

describe("mote sub", () => {
  it("prints 'topic payload' with -v for messages at QoS 0, 1 and 2 on several filters, and exits after -C", async () => {
    const sub = mote(["sub", "-p", port, "-i", "s-qos", "-t", "sub/a/#", "-t", "sub/b", "-q", "2", "-v", "-C", "3"]);
    await b.subscribed("s-qos");
    await publish("sub/a/x", "zero", "-q", "0");
    await publish("sub/b", "one", "-q", "1");
    await publish("sub/a/y/z", "two words", "-q", "2");
    const r = await sub.done;
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(lines(r.stdout)).toEqual(["sub/a/x zero", "sub/b one", "sub/a/y/z two words"]);
    expect(b.log()).toContain("Received SUBSCRIBE from s-qos\n");
    expect(b.log()).toMatch(/\tsub\/a\/# \(QoS 2\)\n/);
  });

  it("prints the payload alone without -v, subscribes at the -q QoS, and gets retained messages", async () => {
    await publish("sub/kept", "old news", "-r", "-q", "1");
    const sub = mote(["sub", "-p", port, "-i", "s-plain", "-t", "sub/kept", "-t", "sub/live", "-q", "1", "-C", "2"]);
    await b.subscribed("s-plain");
    await publish("sub/live", "fresh", "-q", "1");
    const r = await sub.done;
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe("old news\nfresh\n");
    expect(b.log()).toMatch(/\tsub\/live \(QoS 1\)\n/);
    expect((await mosquittoPub(["-p", port, "-t", "sub/kept", "-r", "-n"]).done).code).toBe(0); // clear the retained message
  });

  it("ends -C with a normal DISCONNECT, so the will is not published; a killed sub's will is", async () => {
    const watch = mosquittoSub(["-p", port, "-i", "will-watch", "-t", "sub/will/#", "-v"]);
    await b.subscribed("will-watch");
    const polite = mote(["sub", "-p", port, "-i", "s-polite", "-t", "sub/c", "-C", "1", "--will-topic", "sub/will/polite", "--will-payload", "gone"]);
    const killed = mote(["sub", "-p", port, "-i", "s-killed", "-t", "sub/c", "--will-topic", "sub/will/killed", "--will-payload", "gone"]);
    await Promise.all([b.subscribed("s-polite"), b.subscribed("s-killed")]);
    await publish("sub/c", "bye");
    expect(await polite.done).toMatchObject({ code: 0, stdout: "bye\n", stderr: "" });
    await b.waitLog("Received DISCONNECT from s-polite\n");
    await waitFor(() => killed.stdout === "bye\n", "the second sub to print the message");
    killed.kill("SIGKILL");
    await waitFor(() => watch.stdout.includes("sub/will/killed gone\n"), "the will of the killed sub");
    watch.kill("SIGTERM");
    expect(watch.stdout).toBe("sub/will/killed gone\n");
  });

  it("ends with a normal DISCONNECT and status 0 on SIGTERM", async () => {
    const sub = mote(["sub", "-p", port, "-i", "s-term", "-t", "sub/term"]);
    await b.subscribed("s-term");
    sub.kill("SIGTERM");
    expect(await sub.done).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(b.log()).toContain("Received DISCONNECT from s-term\n");
  });

  it("-W exits with status 27 (mosquitto_sub's) when the time is up, whether or not something arrived", async () => {
    const quiet = mote(["sub", "-p", port, "-t", "sub/quiet", "-W", "1"]);
    const busy = mote(["sub", "-p", port, "-i", "s-busy", "-t", "sub/busy", "-W", "2"]);
    await b.subscribed("s-busy");
    await publish("sub/busy", "something");
    const [q, r] = await Promise.all([quiet.done, busy.done]);
    expect(q).toMatchObject({ code: 27, stdout: "", stderr: "mote sub: timed out after 1 s\n" });
    expect(q.ms).toBeGreaterThan(900);
    expect(q.ms).toBeLessThan(5000);
    expect(r).toMatchObject({ code: 27, stdout: "something\n", stderr: "mote sub: timed out after 2 s\n" });
  });

  it("speaks MQTT 5 with -V 5 and -D (connect, subscribe and disconnect properties)", async () => {
    const sub = mote(["sub", "-p", port, "-i", "s-v5", "-t", "sub/v5", "-V", "5", "-v", "-C", "1", "-D", "connect", "user-property", "who", "me",
      "-D", "subscribe", "subscription-identifier", "7", "-D", "disconnect", "session-expiry-interval", "0"]);
    await b.subscribed("s-v5");
    await publish("sub/v5", "five", "-V", "5", "-D", "publish", "user-property", "a", "b");
    const r = await sub.done;
    expect(r).toMatchObject({ code: 0, stdout: "sub/v5 five\n", stderr: "" });
    expect(b.log()).toMatch(/New client connected from .* as s-v5 \(p5, c1, k60\)/);
  });

  it("refuses bad filters and incompatible flags as usage errors (exit 2, one line)", async () => {
    const cases: [string[], RegExp][] = [
      [["-t", "a/#/b"], /^mote sub: invalid subscription topic 'a\/#\/b'/],
      [["-t", "a", "-c"], /^mote sub: -c needs a client id: give -i id/],
      [["-t", "a", "-V", "311", "-D", "connect", "receive-maximum", "5"], /^mote sub: -D \(MQTT 5 properties\) cannot be used with -V 311/],
      [["-t", "a", "-D", "publish", "user-property", "k", "v"], /^mote sub: -D publish: mote sub sends no PUBLISH properties/],
      [["-t", "a", "-D", "connect", "receive-maximum", "0"], /^mote sub: -D connect receive-maximum takes a whole number from 1 to 65535/],
      [["-t", "a", "--will-payload", "x"], /^mote sub: --will-payload needs --will-topic/],
      [["-t", "a", "--cert", "c.pem"], /^mote sub: --cert and --key go together/],
    ];
    const runs = await Promise.all(cases.map(([args]) => mote(["sub", "-p", port, ...args]).done));
    runs.forEach((r, i) => {
      expect(r.code, cases[i][0].join(" ")).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
      expect(lines(r.stderr)).toHaveLength(1);
    });
  });
});
