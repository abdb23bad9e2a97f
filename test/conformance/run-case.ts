// Runs one mosquitto sequence: a fake broker on a loopback port plays the case while a
// TcpDriver connects our firmware to it. Returns what both sides saw; the test judges it.
import { FakeBroker, play, type Match, type Outcome, type Script, type Step } from "../support/fake-broker.ts";
import { TcpDriver, type DriverRecord } from "../support/tcp-driver.ts";
import { parseHex, type MosquittoCase } from "./mosquitto-cases.ts";
import { performCommand } from "./mosquitto-commands.ts";
import { describeDiff, packetDiff, packetName } from "./packet-diff.ts";
import { deviationsFor, excuse, type Deviation } from "./deviations.ts";

export const PACKET_TIMEOUT_MS = 1000;
export const CLOSE_TIMEOUT_MS = 1000;
const ACCEPT_TIMEOUT_MS = 1000;
const LIFETIME_MS = 4000;

/** The broker's default CONNACK: success; v5 with Receive Maximum 20. */
export const DEFAULT_CONNACK = { 4: parseHex("20 02 00 00"), 5: parseHex("20 06 00 00 03 21 00 14") } as const;

export interface CaseRun {
  /** The protocol version the client ran (differs from the case's only by a protocol-version deviation). */
  version: 4 | 5;
  expectDisconnect: boolean;
  deviations: Deviation[];
  outcome: Outcome;
  driver: DriverRecord;
}

/** Exact bytes, or the same meaning with every differing field excused by a packet-field deviation. */
function matcher(version: 4 | 5, deviations: Deviation[]): (expected: Buffer, actual: Buffer) => Match {
  return (expected, actual) => {
    const diffs = packetDiff(expected, actual, version);
    const packet = packetName(expected);
    const explained = diffs.filter((d) => excuse(deviations, packet, d)).map(describeDiff);
    const unexplained = diffs.filter((d) => !excuse(deviations, packet, d)).map(describeDiff);
    const problems = unexplained.length ? [`${unexplained.join("; ")} (expected ${expected.toString("hex")}, got ${actual.toString("hex")})`] : [];
    return { exact: expected.equals(actual), problems, explained };
  };
}

function steps(c: MosquittoCase): Step[] {
  return c.msgs.map((m): Step => {
    if (m.type === "send") return { kind: "send", bytes: parseHex(m.payload), note: m.comment };
    if (m.type === "recv") return { kind: "expect", bytes: parseHex(m.payload), note: m.comment };
    return { kind: "deliver", topic: m.topic ?? "", payload: Buffer.from(m.payload ?? ""), qos: (m.qos ?? 0) as 0 | 1 | 2 };
  });
}

export async function runCase(c: MosquittoCase): Promise<CaseRun> {
  const deviations = deviationsFor(c);
  const asVersion = deviations.find((d) => d.kind === "protocol-version");
  const version = (asVersion?.kind === "protocol-version" ? asVersion.runAs : c.version) as 4 | 5;
  const asOutcome = deviations.find((d) => d.kind === "outcome");
  const expectDisconnect = asOutcome?.kind === "outcome" ? asOutcome.expect === "disconnect" : c.expectDisconnect;
  const script: Script = {
    version,
    // `connect: false` in mosquitto's runner leaves the CONNECT unread in the socket; ours reads
    // it without checking it, so later packets line up (all such cases expect a disconnect).
    connect: c.connect ? { protocolVersion: version, clientId: "fuzzish", keepalive: 60, clean: c.cleanStart } : undefined,
    connack: c.connack ? DEFAULT_CONNACK[version] : undefined,
    steps: steps(c),
    expectDisconnect,
    match: matcher(version, deviations),
    packetTimeoutMs: PACKET_TIMEOUT_MS,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
  };
  const broker = await FakeBroker.listen();
  const driver = new TcpDriver({
    port: broker.port,
    connect: { version, clientId: "fuzzish", keepalive: 60, clean: c.cleanStart },
    onConnected: c.command ? (fw) => performCommand(fw, c.command!, version) : undefined,
    lifetimeMs: LIFETIME_MS,
  });
  try {
    const conn = await broker.accept(ACCEPT_TIMEOUT_MS);
    const outcome: Outcome = conn ? await play(conn, script) : { connectProblems: ["the client did not connect"], steps: [] };
    conn?.destroy();
    driver.stop();
    return { version, expectDisconnect, deviations, outcome, driver: await driver.done };
  } finally {
    driver.stop();
    await broker.close();
  }
}
