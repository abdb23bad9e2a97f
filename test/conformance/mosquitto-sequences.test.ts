// All 1,343 Eclipse Mosquitto broker-to-client sequences (EPL-2.0 / EDL-1.0, copyright Roger
// Light and the Eclipse Mosquitto contributors; see test/fixtures/conformance/README.md), each
// played by a fake broker on 127.0.0.1 against our firmware over a real TCP connection.
//
// Per case: the client's CONNECT carries the expected fields; every `recv` packet matches
// (by bytes, or by meaning where deviations.json says why the bytes differ); the command, if
// any, got packet identifier 1; then either the client closed the connection (a v5 client that
// detected the error first sends DISCONNECT with its reason code, >= 0x80, section 4.13.1) or
// it is still alive and acknowledges a QoS 1 PUBLISH. Cases run 16 at a time in a pool ahead
// of the tests.
import { afterAll, describe, expect, test } from "vitest";
import { EventType } from "../../host/abi.ts";
import { loadMosquittoCases, type MosquittoCase } from "./mosquitto-cases.ts";
import { runCase, type CaseRun } from "./run-case.ts";
import { Pool } from "./case-pool.ts";

const FILES = loadMosquittoCases();
const ALL = FILES.flatMap((f) => f.groups.flatMap((g) => g.cases));
const pool = new Pool<MosquittoCase, CaseRun>(ALL, runCase, 16);
const LABEL = { 3: "3.1", 4: "3.1.1", 5: "5.0" } as const;
const disconnectCodes = new Map<number, number>();

/** The reason code of a DISCONNECT packet (absent = 0x00 Normal disconnection, 3.14.2.1). */
const disconnectReason = (p: Buffer): number => (p[1] >= 1 ? p[2] : 0);

/** What happened, in the shape of what the case expects (so a failure shows one readable diff). */
function verdict(c: MosquittoCase, run: CaseRun) {
  const o = run.outcome;
  const end = o.end;
  const disconnects = end?.expected === "disconnect" ? end.packets.filter((p) => p[0] === 0xe0).map(disconnectReason) : [];
  const violation = run.driver.events.find((e) => e.type === EventType.ProtocolViolation);
  return {
    problems: [...o.connectProblems, ...o.steps.flatMap((s) => s.problems), ...(end?.expected === "alive" ? end.problems : [])],
    commandPacketId: run.driver.onConnectedResult,
    end: end === undefined ? "not reached" : end.expected === "alive" ? (end.answered ? "alive" : "not alive") : end.closed ? "closed by client" : "still open",
    // A v5 client that finds the server broke the protocol says why before closing (4.13.1):
    // exactly one DISCONNECT carrying the violation's reason code, an error code (>= 0x80).
    disconnectReasons: disconnects,
    errorReason: run.version === 5 && violation ? violation.reason >= 0x80 : undefined,
  };
}

function expected(c: MosquittoCase, run: CaseRun, got: ReturnType<typeof verdict>) {
  const violation = run.driver.events.find((e) => e.type === EventType.ProtocolViolation);
  return {
    problems: [],
    commandPacketId: c.command ? 1 : undefined,
    end: run.expectDisconnect ? "closed by client" : "alive",
    // Otherwise (the server ended it, or 3.1.1 where DISCONNECT has no code) any v5 DISCONNECT must still be an error code.
    disconnectReasons: run.version === 5 && violation ? [violation.reason] : got.disconnectReasons.filter((r) => run.version === 4 || r >= 0x80),
    errorReason: run.version === 5 && violation ? true : undefined,
  };
}

for (const file of FILES) {
  describe(file.file, () => {
    for (const group of file.groups) {
      describe(group.group, () => {
        for (const c of group.cases) {
          test(`${c.name.trim()} (v${LABEL[c.version]})`, async () => {
            const run = await pool.result(c);
            const got = verdict(c, run);
            for (const r of got.disconnectReasons) disconnectCodes.set(r, (disconnectCodes.get(r) ?? 0) + 1);
            expect(got, JSON.stringify({ events: run.driver.events.map((e) => `${e.name}:${e.reason}`), steps: run.outcome.steps })).toEqual(expected(c, run, got));
          }, 20_000);
        }
      });
    }
  });
}

afterAll(() => {
  const codes = [...disconnectCodes].sort((a, b) => a[0] - b[0]).map(([r, n]) => `0x${r.toString(16)}:${n}`);
  console.log(`mosquitto sequences: DISCONNECT reason codes sent by the client: ${codes.join(" ") || "none"}`);
});
