// Loads the Eclipse Mosquitto broker-to-client sequences (test/fixtures/conformance/mosquitto-sequences,
// EPL-2.0 / EDL-1.0, see the README there) and resolves each test against its group, as
// mosquitto's test/lib/msg_sequence_test.py does: a test-level key overrides the group's, and
// group_msgs are played before the test's own msgs.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SEQUENCES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "conformance", "mosquitto-sequences");

export interface SequenceMsg { type: "send" | "recv" | "publish"; payload: string; comment?: string; topic?: string; qos?: number }

interface RawTest {
  name: string;
  msgs: SequenceMsg[];
  ver?: number;
  connect?: boolean;
  connack?: boolean;
  expect_disconnect?: boolean;
  clean_start?: boolean;
  command?: string;
  comment?: string;
}
interface RawGroup extends Omit<RawTest, "name" | "msgs"> { group: string; tests: RawTest[]; group_msgs?: SequenceMsg[]; disable?: boolean }

export interface MosquittoCase {
  file: string;
  group: string;
  name: string;
  /** 3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
  version: 3 | 4 | 5;
  /** false: the broker does not check the client's CONNECT. */
  connect: boolean;
  /** false: the broker sends no default CONNACK (the msgs carry the server's first packet). */
  connack: boolean;
  expectDisconnect: boolean;
  cleanStart: boolean;
  command?: string;
  msgs: SequenceMsg[];
  comment?: string;
}

export interface CaseFile { file: string; groups: { group: string; cases: MosquittoCase[] }[] }

/** "10 0F 0006 4D51" -> bytes (the data files use plain hex tokens only). */
export function parseHex(s: string): Buffer {
  const compact = s.replace(/\s+/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(compact)) throw new Error(`not hex bytes: ${s}`);
  return Buffer.from(compact, "hex");
}

function resolve(file: string, g: RawGroup, t: RawTest): MosquittoCase {
  return {
    file,
    group: g.group,
    name: t.name,
    version: (t.ver ?? g.ver ?? 4) as 3 | 4 | 5,
    connect: t.connect ?? g.connect ?? true,
    connack: t.connack ?? g.connack ?? true,
    expectDisconnect: t.expect_disconnect ?? g.expect_disconnect ?? true,
    cleanStart: t.clean_start ?? g.clean_start ?? true,
    command: t.command ?? g.command,
    msgs: [...(g.group_msgs ?? []), ...t.msgs],
    comment: t.comment,
  };
}

export function loadMosquittoCases(dir = SEQUENCES_DIR): CaseFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const groups = JSON.parse(readFileSync(join(dir, file), "utf8")) as RawGroup[];
      return {
        file,
        groups: groups.filter((g) => !g.disable).map((g) => ({ group: g.group, cases: g.tests.map((t) => resolve(file, g, t)) })),
      };
    });
}
