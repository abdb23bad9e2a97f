// The simulator's impaired link: the --link flag and its wording in reports, the delays a shaped
// transport adds (latency, bandwidth, jitter, TCP-like loss) without losing or reordering a byte,
// the socket lifecycle it keeps, and the outage schedule that cuts a group's transports.
// Real timers and real streams; every wait is bounded.
import { readFileSync } from "node:fs";
import { createServer, connect, type AddressInfo, type Server } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { duplexPair } from "../../sim/inproc.ts";
import {
  DIRECT, describeLink, isDirect, OutageSchedule, parseLinkSpec, RETRANSMIT_TIMEOUT_MS, shapeLink, type LinkModel,
} from "../../sim/link-model.ts";
import { outagesFrom } from "../../sim/link-spec.ts";
import { outageErrors } from "../../sim/outage.ts";
import { Prng } from "../../host/prng.ts";

const specs = JSON.parse(readFileSync(new URL("../fixtures/sim/link-specs.json", import.meta.url), "utf8")) as {
  valid: { spec: string; model: Partial<LinkModel> }[];
  invalid: { spec: string; error: string }[];
};

/** Timers fire late under load (CI runs two heavy suites at once), never early; this is how late a delivery may be. */
const LATE_MS = 75;
const WAIT_LIMIT_MS = 5000;

const model = (m: Partial<LinkModel>): LinkModel => ({ latencyMs: 0, jitterMs: 0, loss: 0, bandwidthBps: 0, outages: [], ...m });

/** The simulator's seeded PRNG (host/prng.ts), so a run can be replayed. */
function seeded(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

/** What a stream emits from now on, with the time each chunk arrived. */
function collect(s: Duplex) {
  const chunks: { atMs: number; bytes: Buffer }[] = [];
  s.on("data", (bytes: Buffer) => chunks.push({ atMs: performance.now(), bytes }));
  return { chunks, bytes: () => Buffer.concat(chunks.map((c) => c.bytes)) };
}

/** Resolves once `s` has emitted `n` bytes in all; fails after WAIT_LIMIT_MS. */
function received(s: Duplex, n: number): Promise<{ chunks: { atMs: number; bytes: Buffer }[]; bytes: Buffer }> {
  const got = collect(s);
  return new Promise((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error(`only ${got.bytes().length} of ${n} bytes arrived`)), WAIT_LIMIT_MS);
    s.on("data", () => {
      if (got.bytes().length < n) return;
      clearTimeout(limit);
      resolve({ chunks: got.chunks, bytes: got.bytes() });
    });
  });
}

function once<T extends unknown[]>(s: Duplex, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error(`no '${event}' within ${WAIT_LIMIT_MS} ms`)), WAIT_LIMIT_MS);
    s.once(event, (...args: unknown[]) => {
      clearTimeout(limit);
      resolve(args as T);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const activeTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((f) => f()));

/** A shaped link over an in-process pipe: `near` is what the sensor uses, `far` is the broker's end. */
function shapedPair(m: Partial<LinkModel>, seed = 1): { near: Duplex; far: Duplex } {
  const [inner, far] = duplexPair();
  const near = shapeLink(inner, model(m), seeded(seed));
  cleanup.push(() => near.destroy());
  return { near, far };
}

describe("parseLinkSpec", () => {
  it.each(specs.valid)("parses '$spec'", ({ spec, model: m }) => {
    expect(parseLinkSpec(spec)).toEqual(model(m));
  });

  it.each(specs.invalid)("rejects '$spec' with one line naming the part", ({ spec, error }) => {
    expect(() => parseLinkSpec(spec)).toThrow(expect.objectContaining({ kind: "usage", message: error }));
  });

  it("gives DIRECT for 'direct', and only DIRECT is direct", () => {
    expect(isDirect(parseLinkSpec("direct"))).toBe(true);
    expect(isDirect(DIRECT)).toBe(true);
    expect(isDirect(parseLinkSpec("outage=1s@1s"))).toBe(false);
    expect(isDirect(parseLinkSpec("loss=1%"))).toBe(false);
  });
});

describe("describeLink", () => {
  it("calls a direct link 'direct'", () => {
    expect(describeLink(DIRECT)).toBe("direct");
  });

  it("names every impairment of a full model, in a fixed order", () => {
    const m = parseLinkSpec("outage=5s@10s/30s,bandwidth=9600,loss=1%,jitter=50ms,latency=200ms");
    expect(describeLink(m)).toBe("latency 200 ms ± 50 ms, loss 1%, 9600 bit/s, outage 5 s at 10 s every 30 s");
  });

  it("shows percentages and line rates as the flag wrote them", () => {
    expect(describeLink(parseLinkSpec("loss=7%,bandwidth=64k,outage=500ms@2s;1s@9s"))).toBe("loss 7%, 64 kbit/s, outage 0.5 s at 2 s, outage 1 s at 9 s");
  });

  it("says long outages in whole minutes, hours and days, and a daily window at its time of day", () => {
    expect(describeLink(parseLinkSpec("outage=2h@02:00/1d"))).toBe("outage 2 h at 02:00 every 1 d");
    expect(describeLink(parseLinkSpec("outage=90s@10m/6h"))).toBe("outage 90 s at 10 min every 6 h");
  });
});

describe("outagesFrom", () => {
  const daily = parseLinkSpec("outage=2h@02:00/1d").outages;

  it("starts a daily window at its time of day when the run starts at midnight (virtual time)", () => {
    expect(outagesFrom(daily, 0)[0].atS).toBe(2 * 3600);
  });

  it("moves it to the next such time of day when the run starts later (real time)", () => {
    expect(outagesFrom(daily, 3 * 3600)[0].atS).toBe(23 * 3600);
    expect(outagesFrom(daily, 3600)[0].atS).toBe(3600);
  });

  it("leaves outages counted from the start alone", () => {
    const o = parseLinkSpec("outage=5s@10s/30s").outages;
    expect(outagesFrom(o, 5000)).toEqual(o);
  });
});

describe("a shaped link delays what crosses it", () => {
  it("returns the transport itself when nothing is shaped", () => {
    const [inner] = duplexPair();
    cleanup.push(() => inner.destroy());
    expect(shapeLink(inner, DIRECT, seeded(1))).toBe(inner);
  });

  it("adds the latency from the sensor to the broker", async () => {
    const { near, far } = shapedPair({ latencyMs: 100 });
    const arrived = received(far, 3);
    const sentMs = performance.now();
    near.write("abc");
    const { chunks } = await arrived;
    expect(chunks[0].atMs - sentMs).toBeGreaterThanOrEqual(100);
    expect(chunks[0].atMs - sentMs).toBeLessThan(100 + LATE_MS);
  });

  it("adds the latency from the broker to the sensor", async () => {
    const { near, far } = shapedPair({ latencyMs: 100 });
    const arrived = received(near, 3);
    const sentMs = performance.now();
    far.write("abc");
    const { chunks } = await arrived;
    expect(chunks[0].atMs - sentMs).toBeGreaterThanOrEqual(100);
    expect(chunks[0].atMs - sentMs).toBeLessThan(100 + LATE_MS);
  });

  it("serialises chunks at the line rate: 10,000 bytes at 80 kbit/s take 1 s", async () => {
    const { near, far } = shapedPair({ bandwidthBps: 80_000 });
    const arrived = received(far, 10_000);
    const sentMs = performance.now();
    for (let i = 0; i < 10; i++) near.write(Buffer.alloc(1000, i));
    const { chunks } = await arrived;
    const tookMs = chunks.at(-1)!.atMs - sentMs;
    expect(tookMs).toBeGreaterThan(850);
    expect(tookMs).toBeLessThan(1150);
  });

  it("never reorders chunks under jitter", async () => {
    const { near, far } = shapedPair({ jitterMs: 30 });
    const sent = Array.from({ length: 200 }, (_, i) => Buffer.from(`<${i}>`));
    const all = Buffer.concat(sent);
    const arrived = received(far, all.length);
    for (const chunk of sent) near.write(chunk);
    expect((await arrived).bytes.equals(all)).toBe(true);
  });

  it("delays lost chunks by the retransmission timeout but delivers every byte in order", async () => {
    const { near, far } = shapedPair({ loss: 0.3 }, 12);
    const sent = Array.from({ length: 100 }, (_, i) => Buffer.from(`<${i}>`));
    const all = Buffer.concat(sent);
    const arrived = received(far, all.length);
    const sentMs = performance.now();
    for (const chunk of sent) near.write(chunk);
    const { chunks, bytes } = await arrived;
    expect(bytes.equals(all)).toBe(true);
    expect(chunks.some((c) => c.atMs - sentMs >= RETRANSMIT_TIMEOUT_MS)).toBe(true);
  });

  it("ends the inner transport only after the queued bytes reached it", async () => {
    const { near, far } = shapedPair({ latencyMs: 50 });
    const got = collect(far);
    const ended = once(far, "end");
    near.write("last words");
    near.end();
    await ended;
    expect(got.bytes().toString()).toBe("last words");
  });
});

describe("a shaped link keeps a socket's lifecycle", () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function listen(onConnection: (s: Duplex) => void = () => {}): Promise<number> {
    server = createServer(onConnection);
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    return (server.address() as AddressInfo).port;
  }

  it("is usable at once when the inner transport is", () => {
    const { near } = shapedPair({ latencyMs: 50 });
    expect((near as { connecting?: boolean }).connecting).toBe(false);
  });

  it("announces 'connect' one round trip after the inner socket connected", async () => {
    const port = await listen();
    const socket = connect(port, "127.0.0.1");
    const near = shapeLink(socket, model({ latencyMs: 50 }), seeded(1));
    cleanup.push(() => near.destroy());
    expect((near as { connecting?: boolean }).connecting).toBe(true);
    const innerAt = once(socket, "connect").then(() => performance.now());
    await once(near, "connect");
    expect(performance.now() - (await innerAt)).toBeGreaterThanOrEqual(100 - 1);
    expect((near as { connecting?: boolean }).connecting).toBe(false);
  });

  it("announces 'connect' before the bytes the server sent at once", async () => {
    const port = await listen((s) => s.end("hello"));
    const near = shapeLink(connect(port, "127.0.0.1"), model({ latencyMs: 20 }), seeded(1));
    cleanup.push(() => near.destroy());
    const order: string[] = [];
    near.on("connect", () => order.push("connect"));
    near.on("data", (b: Buffer) => order.push(b.toString()));
    await once(near, "close");
    expect(order).toEqual(["connect", "hello"]);
  });

  it("passes on the inner socket's refused connect as 'error' then 'close'", async () => {
    const port = await listen();
    await new Promise((r) => server!.close(r));
    const near = shapeLink(connect(port, "127.0.0.1"), model({ latencyMs: 20 }), seeded(1));
    const events: string[] = [];
    near.on("error", (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
    await once(near, "close");
    expect(events).toEqual(["error ECONNREFUSED"]);
  });

  it("closes after the inner transport closed, once the latency has passed", async () => {
    const { near, far } = shapedPair({ latencyMs: 50 });
    const closed = once(near, "close").then(() => performance.now());
    const cutMs = performance.now();
    far.destroy();
    expect((await closed) - cutMs).toBeGreaterThanOrEqual(50 - 1);
  });

  it("destroyed with bytes queued, delivers nothing more and leaves no timer behind", async () => {
    const timersBefore = activeTimers();
    const { near, far } = shapedPair({ latencyMs: 100 });
    const up = collect(far);
    const down = collect(near);
    let dataAfterClose = false;
    near.on("close", () => near.on("data", () => (dataAfterClose = true)));
    near.write("up");
    far.write("down");
    expect(activeTimers()).toBeGreaterThan(timersBefore);
    near.destroy();
    expect(activeTimers()).toBe(timersBefore);
    await sleep(150);
    expect(up.chunks).toEqual([]);
    expect(down.chunks).toEqual([]);
    expect(dataAfterClose).toBe(false);
  });
});

describe("OutageSchedule", () => {
  const START_MS = 1000;

  it("is down only between an outage's start and its end", () => {
    let nowMs = START_MS;
    const s = new OutageSchedule([{ atS: 0.3, forS: 0.3, everyS: 0 }], START_MS, () => nowMs);
    const downAt = (elapsedMs: number) => ((nowMs = START_MS + elapsedMs), s.isDown());
    expect([downAt(0), downAt(299), downAt(300), downAt(599), downAt(600), downAt(5000)]).toEqual([false, false, true, true, false, false]);
  });

  it("counts every repetition of every outage that has started", () => {
    let nowMs = START_MS;
    const s = new OutageSchedule([{ atS: 1, forS: 0.5, everyS: 2 }, { atS: 4, forS: 1, everyS: 0 }], START_MS, () => nowMs);
    const startedAt = (elapsedMs: number) => ((nowMs = START_MS + elapsedMs), s.started);
    expect([startedAt(999), startedAt(1000), startedAt(2999), startedAt(3000), startedAt(4000), startedAt(10_000)]).toEqual([0, 1, 1, 2, 3, 6]);
  });

  it("destroys a tracked transport with 'link down (scheduled outage)' when an outage starts", async () => {
    const s = new OutageSchedule([{ atS: 0.3, forS: 0.3, everyS: 0 }], performance.now());
    const [t, far] = duplexPair();
    cleanup.push(() => (s.stop(), far.destroy()));
    s.track(t);
    s.start();
    const [err] = await once<[NodeJS.ErrnoException]>(t, "error");
    expect(s.isDown()).toBe(true);
    expect([err.message, err.code]).toEqual(["link down (scheduled outage)", "ENETDOWN"]);
  });

  it("still cuts when its timer fires a hair before the outage starts (one clock reading per decision)", async () => {
    const START = 1_000;
    let script: number[] = [];
    let elapsed = 0;
    const s = new OutageSchedule([{ atS: 0.05, forS: 1, everyS: 0 }], START, () => START + (script.length > 0 ? script.shift()! : elapsed));
    const [t, far] = duplexPair();
    cleanup.push(() => (s.stop(), far.destroy()));
    s.track(t);
    s.start();
    // The timer's first reading is 0.1 ms early; every later one is just after the start.
    script = [49.9];
    elapsed = 50.05;
    const [err] = await once<[NodeJS.ErrnoException]>(t, "error");
    expect(err.code).toBe("ENETDOWN");
  });

  it("cuts the transports of each repetition and counts it", async () => {
    const s = new OutageSchedule([{ atS: 0.1, forS: 0.1, everyS: 0.2 }], performance.now());
    cleanup.push(() => s.stop());
    s.start();
    for (const expected of [1, 2]) {
      while (s.isDown()) await sleep(10);
      const [t] = duplexPair();
      s.track(t);
      await once(t, "error");
      expect(s.started).toBe(expected);
    }
  });

  it("cuts a transport tracked during an outage at once", async () => {
    const s = new OutageSchedule([{ atS: 0, forS: 10, everyS: 0 }], performance.now());
    const [t] = duplexPair();
    s.track(t);
    const [err] = await once<[Error]>(t, "error");
    expect(err.message).toBe("link down (scheduled outage)");
  });

  it("cuts nothing once stopped", async () => {
    const s = new OutageSchedule([{ atS: 0.1, forS: 0.1, everyS: 0 }], performance.now());
    const [t] = duplexPair();
    cleanup.push(() => t.destroy());
    s.track(t);
    s.start();
    s.stop();
    await sleep(200);
    expect(t.destroyed).toBe(false);
  });

  it("gives a refused transport, an attempt rather than a cut: connecting, then 'error' and 'close' on a later tick", async () => {
    const t = new OutageSchedule([], performance.now()).refused();
    expect((t as { connecting?: boolean }).connecting).toBe(true);
    const events: string[] = [];
    t.on("error", (e: NodeJS.ErrnoException) => events.push(`error ${e.code} ${e.message}`));
    t.on("connect", () => events.push("connect"));
    await once(t, "close");
    expect(events).toEqual(["error ENETDOWN link down (scheduled outage): connection attempt failed"]);
  });

  it("tells the cuts of live links from the connection attempts made while down", () => {
    const errors = [
      { kind: "transport", count: 50, example: "link down (scheduled outage)" },
      { kind: "transport", count: 8250, example: "link down (scheduled outage): connection attempt failed" },
      { kind: "transport", count: 2, example: "read ECONNRESET" },
    ];
    expect(outageErrors(errors)).toEqual({ cuts: 50, attempts: 8250 });
  });
});
