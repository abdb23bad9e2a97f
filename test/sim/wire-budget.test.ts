// The wire budget: PUBLISH sizes field by field must equal what a real encoder (mqtt-packet)
// writes, and the TCP/IP and TLS estimates must follow the stated assumptions exactly.
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { OVERHEAD, perSensorBudget, publishBytes, withTcpIp, withTls } from "../../sim/wire-budget.ts";

interface Case { version: 4 | 5; topicBytes: number; payloadBytes: number; qos: 0 | 1 | 2; alias?: boolean; contentTypeBytes?: number }

/** Content Type property: identifier, two-byte length, the string [MQTT-3.3.2.3.9]. */
const CONTENT_TYPE_OVERHEAD_BYTES = 3;
const MESSAGE_ID = 7;
const TOPIC_ALIAS = 1;

// Remaining Length varint boundaries sit at 127/128, 16383/16384 and 2097151/2097152 bytes.
// Each case's comment gives the Remaining Length it produces.
const CASES: Case[] = [
  { version: 4, topicBytes: 1, payloadBytes: 0, qos: 0 }, // 3
  { version: 4, topicBytes: 20, payloadBytes: 40, qos: 1 }, // 64
  { version: 4, topicBytes: 10, payloadBytes: 115, qos: 0 }, // 127: the last 1-byte varint
  { version: 4, topicBytes: 10, payloadBytes: 116, qos: 0 }, // 128: the first 2-byte varint
  { version: 4, topicBytes: 10, payloadBytes: 113, qos: 2 }, // 127
  { version: 4, topicBytes: 10, payloadBytes: 114, qos: 2 }, // 128
  { version: 4, topicBytes: 100, payloadBytes: 16_281, qos: 0 }, // 16383
  { version: 4, topicBytes: 100, payloadBytes: 16_282, qos: 0 }, // 16384
  { version: 4, topicBytes: 100, payloadBytes: 2_097_047, qos: 1 }, // 2097151: the last 3-byte varint
  { version: 4, topicBytes: 100, payloadBytes: 2_097_048, qos: 1 }, // 2097152: the first 4-byte varint
  { version: 5, topicBytes: 20, payloadBytes: 40, qos: 0 }, // 63
  { version: 5, topicBytes: 20, payloadBytes: 40, qos: 1 }, // 65
  { version: 5, topicBytes: 20, payloadBytes: 40, qos: 2, alias: true }, // 48
  { version: 5, topicBytes: 10, payloadBytes: 114, qos: 0 }, // 127
  { version: 5, topicBytes: 10, payloadBytes: 115, qos: 0 }, // 128
  { version: 5, topicBytes: 10, payloadBytes: 119, qos: 1, alias: true }, // 127
  { version: 5, topicBytes: 10, payloadBytes: 120, qos: 1, alias: true }, // 128
  { version: 5, topicBytes: 100, payloadBytes: 16_278, qos: 1 }, // 16383
  { version: 5, topicBytes: 100, payloadBytes: 16_279, qos: 1 }, // 16384
  { version: 5, topicBytes: 100, payloadBytes: 16_377, qos: 0, alias: true }, // 16383
  { version: 5, topicBytes: 100, payloadBytes: 16_378, qos: 0, alias: true }, // 16384
  { version: 5, topicBytes: 8, payloadBytes: 30, qos: 1, contentTypeBytes: 20 }, // 66: other properties
  { version: 5, topicBytes: 8, payloadBytes: 30, qos: 1, alias: true, contentTypeBytes: 121 }, // property length 127
  { version: 5, topicBytes: 8, payloadBytes: 30, qos: 1, alias: true, contentTypeBytes: 122 }, // property length 128: 2-byte varint
];

function encoded(c: Case): Buffer {
  const properties: Record<string, unknown> = {};
  if (c.alias) properties.topicAlias = TOPIC_ALIAS;
  if (c.contentTypeBytes) properties.contentType = "c".repeat(c.contentTypeBytes);
  return mqttPacket.generate(
    {
      cmd: "publish",
      topic: c.alias ? "" : "t".repeat(c.topicBytes),
      payload: Buffer.alloc(c.payloadBytes),
      qos: c.qos,
      messageId: c.qos > 0 ? MESSAGE_ID : undefined,
      retain: false,
      dup: false,
      ...(c.version === 5 ? { properties } : {}),
    } as mqttPacket.IPublishPacket,
    { protocolVersion: c.version },
  );
}

const ours = (c: Case) => publishBytes({
  version: c.version, topicBytes: c.topicBytes, payloadBytes: c.payloadBytes, qos: c.qos, alias: c.alias,
  extraPropertyBytes: c.contentTypeBytes ? CONTENT_TYPE_OVERHEAD_BYTES + c.contentTypeBytes : 0,
});

const label = (c: Case) =>
  `v${c.version} QoS ${c.qos} topic ${c.topicBytes} payload ${c.payloadBytes}${c.alias ? " alias" : ""}${c.contentTypeBytes ? ` contentType ${c.contentTypeBytes}` : ""}`;

describe("publishBytes", () => {
  it.each(CASES.map((c) => [label(c), c] as const))("totals what mqtt-packet encodes: %s", (_, c) => {
    expect(ours(c).total).toBe(encoded(c).length);
  });

  it.each(CASES.map((c) => [label(c), c] as const))("has a fixed header of 1 + the Remaining Length varint: %s", (_, c) => {
    const bytes = encoded(c);
    let varint = 1;
    while (bytes[varint] & 0x80) varint++;
    expect(ours(c).fixedHeader).toBe(1 + varint);
  });

  it("adds its fields up to the total", () => {
    for (const c of CASES) {
      const b = ours(c);
      expect(b.fixedHeader + b.topic + b.packetId + b.properties + b.payload, label(c)).toBe(b.total);
    }
  });

  it("counts a 2-byte topic when a topic alias replaces the name", () => {
    expect(publishBytes({ version: 5, topicBytes: 30, payloadBytes: 10, qos: 1, alias: true }).topic).toBe(2);
  });

  it("counts the property length byte and the 3-byte alias property as properties", () => {
    expect(publishBytes({ version: 5, topicBytes: 30, payloadBytes: 10, qos: 1, alias: true }).properties).toBe(4);
    expect(publishBytes({ version: 5, topicBytes: 30, payloadBytes: 10, qos: 1 }).properties).toBe(1);
  });

  it("counts a packet identifier only at QoS 1 and 2", () => {
    expect([0, 1, 2].map((qos) => publishBytes({ version: 4, topicBytes: 5, payloadBytes: 5, qos: qos as 0 | 1 | 2 }).packetId))
      .toEqual([0, 2, 2]);
  });

  it("refuses a topic alias with MQTT 3.1.1", () => {
    expect(() => publishBytes({ version: 4, topicBytes: 5, payloadBytes: 5, qos: 0, alias: true })).toThrow(/3\.1\.1/);
  });
});

describe("the overhead estimates", () => {
  // Per segment: a 52-byte header and a 52-byte ACK back. Per connection: SYN and SYN-ACK of 60
  // bytes, then ACK, FIN, ACK, FIN, ACK of 52: 380 bytes.
  const SEGMENT_AND_ACK = 104;
  const CONNECTION = 380;
  // TLS handshake: 300 + 2,300 + 64 + 500 = 3,164 bytes in 1 + 2 + 1 + 1 = 5 segments.
  const HANDSHAKE_WITH_TCP = 3_164 + 5 * SEGMENT_AND_ACK;

  it("states the assumptions it uses", () => {
    expect(OVERHEAD).toEqual({ tcpIpHeaderBytes: 52, tcpAckBytes: 52, tcpConnectionBytes: CONNECTION, tlsRecordBytes: 22, tlsHandshakeBytes: 3_164 });
  });

  it("adds a header, an ACK and the connection to one 100-byte packet", () => {
    expect(withTcpIp(100, 1, 1)).toBe(100 + SEGMENT_AND_ACK + CONNECTION); // 584
  });

  it("splits a 3,000-byte packet into 3 segments of at most 1,460 bytes", () => {
    expect(withTcpIp(3_000, 1, 1)).toBe(3_000 + 3 * SEGMENT_AND_ACK + CONNECTION); // 3,692
  });

  it("sends ten 100-byte packets in ten segments", () => {
    expect(withTcpIp(1_000, 10, 1)).toBe(1_000 + 10 * SEGMENT_AND_ACK + CONNECTION); // 2,420
  });

  it("costs nothing without traffic", () => {
    expect(withTcpIp(0, 0, 0)).toBe(0);
    expect(withTls(0, 0, 0)).toBe(0);
  });

  it("adds a 22-byte record to the packet and a handshake to the connection with TLS", () => {
    expect(withTls(100, 1, 1)).toBe(122 + SEGMENT_AND_ACK + CONNECTION + HANDSHAKE_WITH_TCP); // 4,290
  });

  it("pays the connection costs once per connection", () => {
    expect(withTcpIp(100, 1, 3) - withTcpIp(100, 1, 1)).toBe(2 * CONNECTION);
    expect(withTls(100, 1, 3) - withTls(100, 1, 1)).toBe(2 * (CONNECTION + HANDSHAKE_WITH_TCP));
  });
});

describe("perSensorBudget", () => {
  const run = { upBytes: 1_000, downBytes: 500, upPackets: 10, downPackets: 10, connections: 1, sensors: 1, runSeconds: 60 };

  it("scales a 60 s run by 1,440 per day and by 30 days per month", () => {
    const b = perSensorBudget(run);
    expect([b.upBytesPerDay, b.downBytesPerDay]).toEqual([1_440_000, 720_000]);
    expect([b.upBytesPerMonth, b.downBytesPerMonth]).toEqual([43_200_000, 21_600_000]);
  });

  it("divides the run's bytes by the sensors", () => {
    const b = perSensorBudget({ ...run, sensors: 4, connections: 4 });
    expect(b.upBytesPerDay).toBe(360_000);
  });

  it("estimates the month with TCP/IP and TLS from the month's packets and one connection", () => {
    // Month: 1,500 bytes x 43,200 = 64,800,000 bytes in 20 x 43,200 = 864,000 packets of 75 bytes.
    const b = perSensorBudget(run);
    expect(b.withTcpIpBytesPerMonth).toBe(64_800_000 + 864_000 * 104 + 380);
    expect(b.withTlsBytesPerMonth).toBe(64_800_000 + 864_000 * (22 + 104) + 380 + 3_164 + 5 * 104);
  });

  it("counts at least one connection a month, and the run's reconnects once", () => {
    const none = perSensorBudget({ ...run, connections: 0 });
    const three = perSensorBudget({ ...run, connections: 3 });
    expect(none.withTcpIpBytesPerMonth).toBe(perSensorBudget(run).withTcpIpBytesPerMonth);
    expect(three.withTcpIpBytesPerMonth - none.withTcpIpBytesPerMonth).toBe(2 * 380);
  });

  it("rounds to whole bytes", () => {
    const b = perSensorBudget({ ...run, upBytes: 1, runSeconds: 7 });
    expect(Object.values(b).every(Number.isInteger)).toBe(true);
  });
});
