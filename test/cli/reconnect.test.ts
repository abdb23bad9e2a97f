// mote survives a dropped connection: a TCP proxy between mote and mosquitto cuts every
// connection (no DISCONNECT, as a broken link would); the Device reconnects by itself. sub
// resubscribes on a clean session and resumes with -c (messages queued while it was away come
// through, no new SUBSCRIBE); pub -l gets every line through at QoS 1 (at least once: a line
// whose PUBACK was cut off with the connection is sent again, with DUP).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broker, DropProxy, killAll, lines, mosquittoPub, mosquittoSub, mote, waitFor, type Broker } from "./helpers.ts";

let b: Broker;
let proxy: DropProxy;

beforeAll(async () => {
  b = await broker();
  proxy = await new DropProxy(b.port).listen();
});

afterAll(async () => {
  killAll();
  await proxy?.close();
  await b?.stop();
});

const publish = async (topic: string, message: string) => {
  expect((await mosquittoPub(["-p", String(b.port), "-t", topic, "-m", message, "-q", "1"]).done).code).toBe(0);
};

describe("mote over a connection that drops", () => {
  it("sub reconnects and resubscribes after a drop (clean session)", async () => {
    const sub = mote(["sub", "-h", "127.0.0.1", "-p", String(proxy.port), "-i", "r-clean", "-t", "r/clean", "-q", "1", "-C", "2"]);
    await b.subscribed("r-clean");
    await publish("r/clean", "before");
    await waitFor(() => sub.stdout === "before\n", "the first message");
    proxy.dropAll();
    await b.subscribed("r-clean", 2); // a new connection, a new SUBSCRIBE
    await publish("r/clean", "after");
    const r = await sub.done;
    expect(r).toMatchObject({ code: 0, stdout: "before\nafter\n", stderr: "" });
  });

  it("sub -c resumes its session: what was queued while it was away arrives, without a new SUBSCRIBE", async () => {
    const sub = mote(["sub", "-h", "127.0.0.1", "-p", String(proxy.port), "-i", "r-kept", "-c", "-t", "r/kept", "-q", "1", "-C", "3"]);
    await b.subscribed("r-kept");
    await publish("r/kept", "one");
    await b.waitLog("Received PUBACK from r-kept"); // else "one" would come again, rightly (QoS 1 is at least once)
    proxy.blocked = true;
    proxy.dropAll();
    await waitFor(() => /Client r-kept closed its connection|Socket error on client r-kept/.test(b.log()), "mosquitto to see r-kept go");
    await publish("r/kept", "two");
    await publish("r/kept", "three");
    proxy.blocked = false;
    const r = await sub.done;
    expect(r).toMatchObject({ code: 0, stdout: "one\ntwo\nthree\n", stderr: "" });
    expect(b.count("Received SUBSCRIBE from r-kept\n")).toBe(1);
    expect(b.count("New client connected from 127.0.0.1")).toBeGreaterThanOrEqual(2);
  });

  it("pub -l carries on after a drop: every line arrives at QoS 1", async () => {
    const watch = mosquittoSub(["-p", String(b.port), "-i", "r-watch", "-t", "r/lines", "-q", "1"]);
    await b.subscribed("r-watch");
    const pub = mote(["pub", "-h", "127.0.0.1", "-p", String(proxy.port), "-i", "r-pub", "-t", "r/lines", "-l", "-q", "1"], { keepStdin: true });
    pub.write("1\n2\n3\n");
    await b.waitLog("Sending PUBACK to r-pub", 3);
    proxy.dropAll();
    pub.write("4\n5\n");
    await b.waitLog("New client connected from 127.0.0.1", 2); // mosquitto_sub, then mote: at least its first connection
    pub.write("6\n");
    pub.endInput();
    const r = await pub.done;
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const all = ["1", "2", "3", "4", "5", "6"];
    await waitFor(() => all.every((l) => lines(watch.stdout).includes(l)), "all six lines at the subscriber");
    watch.kill("SIGTERM");
    expect([...new Set(lines(watch.stdout))]).toEqual(all);
    expect(b.count("Client r-pub closed its connection.") + b.count("Client r-pub has exceeded") + b.count("Socket error on client r-pub")).toBeGreaterThanOrEqual(1);
  });
});
