// Fleets of firmware sensors against real brokers (the embedded aedes and a mosquitto started
// for the test): every message published is delivered and counted exactly, impaired links and
// outages are honoured, shards split a fleet disjointly and completely.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSim } from "../../sim/main.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";

const dirs: string[] = [];
let mosquitto: Mosquitto;

interface SimResult { code: number; out: string; err: string; report: FleetReport }

async function sim(args: string[]): Promise<SimResult> {
  const dir = mkdtempSync(join(tmpdir(), "mote-fleet-"));
  dirs.push(dir);
  let out = "";
  let err = "";
  const code = await runSim([...args, "--report", dir, "--quiet"], { out: (t) => (out += t), err: (t) => (err += t) });
  const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport;
  return { code, out, err, report };
}

beforeAll(async () => {
  mosquitto = await startMosquitto({ quiet: true, listeners: ["tls"] });
});

afterAll(async () => {
  await mosquitto?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("a fleet against the embedded broker", () => {
  let r: SimResult;
  beforeAll(async () => {
    r = await sim(["--sensors", "50", "--duration", "3s", "--interval", "250ms", "--qos", "1", "--seed", "7"]);
  }, 60_000);

  it("exits 0 and ends with the line 'report: <path>'", () => {
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim().split("\n").at(-1)).toMatch(/^report: .*report\.json$/);
  });

  it("delivers every published message exactly once and counts it", () => {
    const m = r.report.messages;
    expect(r.report.sensors).toBe(50);
    expect(m.published).toBeGreaterThanOrEqual(50 * 10);
    expect(m.delivered).toBe(m.published);
    expect(m.lost).toBe(0);
    expect(m.duplicates).toBe(0);
  });

  it("counts one CONNECT per sensor and one PUBLISH per message on the wire", () => {
    expect(r.report.bytesByPacketType.CONNECT.packets).toBe(50);
    expect(r.report.bytesByPacketType.PUBLISH.packets).toBe(r.report.messages.published);
    expect(r.report.bytesReceivedByPacketType.PUBACK.packets).toBe(r.report.messages.published);
  });

  it("records every sensor connected on the timeline", () => {
    expect(Math.max(...r.report.connections.timeline.map((p) => p.connected))).toBe(50);
    expect(r.report.connections.connects).toBe(50);
    expect(r.report.connections.reconnects).toBe(0);
  });
});

describe("a fleet against mosquitto", () => {
  it("delivers every QoS 1 message with MQTT 3.1.1, exactly counted", async () => {
    const r = await sim(["--broker", mosquitto.url(), "--sensors", "50", "--duration", "3s", "--interval", "250ms", "--client-prefix", "q1-"]);
    expect(r.code, r.err).toBe(0);
    expect(r.report.broker).toBe(mosquitto.url());
    expect(r.report.messages.published).toBeGreaterThanOrEqual(500);
    expect(r.report.messages.delivered).toBe(r.report.messages.published);
    expect(r.report.messages.lost).toBe(0);
  }, 60_000);

  it("delivers every QoS 2 message exactly once with MQTT 5", async () => {
    const r = await sim(["--broker", mosquitto.url(), "-V", "5", "--qos", "2", "--sensors", "50", "--duration", "3s", "--interval", "250ms",
      "--model", "gps", "--payload", "binary", "--client-prefix", "q2-"]);
    expect(r.code, r.err).toBe(0);
    expect(r.report.protocol).toBe("5.0");
    expect(r.report.messages.delivered).toBe(r.report.messages.published);
    expect(r.report.messages.duplicates).toBe(0);
    expect(r.report.bytesReceivedByPacketType.PUBCOMP.packets).toBe(r.report.messages.published);
  }, 60_000);

  it("delivers every message over TLS when given the broker's CA (--cafile)", async () => {
    const r = await sim(["--broker", mosquitto.url("tls"), "--cafile", mosquitto.certs.caCert, "--sensors", "10", "--duration", "2s",
      "--interval", "250ms", "--client-prefix", "tls-"]);
    expect(r.code, r.err).toBe(0);
    expect(r.report.messages.published).toBeGreaterThanOrEqual(50);
    expect(r.report.messages.delivered).toBe(r.report.messages.published);
  }, 60_000);

  it("refuses a broker certificate it cannot verify, with one line and exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-fleet-"));
    dirs.push(dir);
    let err = "";
    const code = await runSim(["--broker", mosquitto.url("tls"), "--sensors", "2", "--duration", "1s", "--report", dir, "--quiet"],
      { out: () => {}, err: (t) => (err += t) });
    expect(code).toBe(1);
    expect(err).toMatch(/^mote sim: .*certificate/i);
    expect(err.trim().split("\n")).toHaveLength(1);
  }, 60_000);

  it("sends smaller PUBLISH packets with MQTT 5 topic aliases on than off", async () => {
    const common = ["--broker", mosquitto.url(), "-V", "5", "--sensors", "10", "--duration", "2s", "--interval", "200ms", "--topic", "building-7/floor-3/{group}/{id}/{model}"];
    const on = await sim([...common, "--client-prefix", "alias-on-"]);
    const off = await sim([...common, "--client-prefix", "alias-off-", "--topic-aliases", "off"]);
    for (const r of [on, off]) expect(r.report.messages.delivered).toBe(r.report.messages.published);
    const perPublish = (r: SimResult) => r.report.bytesByPacketType.PUBLISH.bytesPerPacket;
    const g = off.report.groups[0].message;
    // Off: every PUBLISH carries the topic. On: only each sensor's first; later ones carry a 3-byte alias property.
    expect(Math.abs(perPublish(off) - g.mqtt5.total)).toBeLessThanOrEqual(3);
    const firsts = on.report.sensors / on.report.messages.published;
    const expected = g.mqtt5Alias.total + (g.mqtt5.total - g.mqtt5Alias.total) * firsts;
    expect(Math.abs(perPublish(on) - expected)).toBeLessThanOrEqual(3);
    expect(g.mqtt5.total - g.mqtt5Alias.total).toBeGreaterThan(30);
  }, 60_000);

  it("reports a broker that goes away mid-run as errors and lost messages, without crashing", async () => {
    const doomed = await startMosquitto({ quiet: true });
    try {
      const running = sim(["--broker", doomed.url(), "--sensors", "10", "--duration", "3s", "--interval", "200ms", "--drain", "2s", "--client-prefix", "doomed-"]);
      await new Promise((r) => setTimeout(r, 1500));
      await doomed.stop();
      const r = await running;
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/QoS 1 messages lost/);
      expect(r.report.messages.lost).toBeGreaterThan(0);
      expect(r.report.messages.delivered + r.report.messages.lost).toBe(r.report.messages.published);
      expect(r.report.errors.map((e) => e.kind)).toEqual(expect.arrayContaining(["observer", "transport"]));
    } finally {
      await doomed.stop();
    }
  }, 60_000);

  it("splits a fleet into shards that are disjoint and together complete", async () => {
    const common = ["--broker", mosquitto.url(), "--sensors", "50", "--duration", "2s", "--interval", "250ms", "--client-prefix", "shard-"];
    const [a, b] = await Promise.all([sim([...common, "--shard", "1/2"]), sim([...common, "--shard", "2/2"])]);
    const ids = (r: SimResult) => Array.from({ length: r.report.shard.lastId - r.report.shard.firstId + 1 }, (_, i) => r.report.shard.firstId + i);
    const all = [...ids(a), ...ids(b)].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a.report.sensors + b.report.sensors).toBe(50);
    for (const r of [a, b]) {
      expect(r.code, r.err).toBe(0);
      expect(r.report.messages.delivered).toBe(r.report.messages.published);
      expect(r.report.messages.lost).toBe(0);
    }
  }, 60_000);
});

describe("link models", () => {
  it("adds the group's one-way latency to publish-to-delivery latency", async () => {
    const r = await sim(["--sensors", "10", "--duration", "2s", "--interval", "200ms", "--link", "latency=150ms"]);
    expect(r.code, r.err).toBe(0);
    expect(r.report.latencyMs.p50).toBeGreaterThanOrEqual(150);
    expect(r.report.latencyMs.p50).toBeLessThan(150 + 60);
    expect(r.report.groups[0].link).toContain("150 ms");
  }, 60_000);

  it("delays each message by its serialisation time at the group's bandwidth", async () => {
    const r = await sim(["--sensors", "2", "--duration", "4s", "--interval", "1s", "--link", "bandwidth=2400"]);
    expect(r.code, r.err).toBe(0);
    const g = r.report.groups[0];
    const lineMs = (g.message.mqtt311.total * 8 * 1000) / 2400; // about 200 ms for a 60-byte PUBLISH
    expect(r.report.latencyMs.p50).toBeGreaterThanOrEqual(Math.floor(lineMs) - 5);
    expect(r.report.latencyMs.p50).toBeLessThan(lineMs + 60);
  }, 60_000);

  it("reconnects after an outage and loses no QoS 1 message", async () => {
    const r = await sim(["--sensors", "20", "--duration", "6s", "--interval", "200ms", "--drain", "15s", "--link", "outage=2s@1500ms"]);
    expect(r.code, r.err).toBe(0);
    expect(r.report.connections.reconnects).toBeGreaterThanOrEqual(20);
    expect(r.report.connections.transportErrors).toBeGreaterThanOrEqual(20);
    expect(r.report.messages.lost).toBe(0);
    expect(r.report.messages.delivered).toBe(r.report.messages.published);
    const during = r.report.connections.timeline.filter((p) => p.tS >= 1.8 && p.tS <= 3.3);
    expect(during.length).toBeGreaterThan(0);
    expect(Math.max(...during.map((p) => p.connected))).toBe(0);
  }, 60_000);

  it("leaves out an optional modem group, with a warning, when socat is missing (npm start on a bare machine)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-fleet-"));
    dirs.push(dir);
    const config = join(dir, "fleet.json");
    writeFileSync(config, JSON.stringify({ sensors: 6, groups: [{ name: "plain" }, { name: "field", count: 2, optional: true, modem: "bg96" }] }));
    const path = process.env.PATH;
    process.env.PATH = dir; // no socat here
    let r: SimResult;
    try {
      r = await sim(["--config", config, "--duration", "1s", "--interval", "200ms"]);
    } finally {
      process.env.PATH = path;
    }
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("mote sim: group 'field' left out: emulated modems need socat on the PATH");
    expect(r.report.groups.map((g) => [g.name, g.sensors])).toEqual([["plain", 4], ["field", 0]]);
    expect(r.report.errors.map((e) => e.kind)).toContain("left out");
    expect(r.report.messages.delivered).toBe(r.report.messages.published);
  }, 60_000);

  it("runs a group through emulated modems on real ptys", async () => {
    const r = await sim(["--sensors", "2", "--duration", "3s", "--interval", "500ms", "--modem", "esp-at@115200"]);
    expect(r.code, r.err).toBe(0);
    expect(r.report.groups[0].link).toBe("esp-at modem at 115200 baud");
    expect(r.report.messages.published).toBeGreaterThanOrEqual(4);
    expect(r.report.messages.delivered).toBe(r.report.messages.published);
  }, 60_000);
});
