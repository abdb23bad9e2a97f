// Decides, for each entry of mqtt-packet's fixtures, which of our client's behaviours it tests:
// decoding (a packet type a client receives, in that protocol version), encoding (a type a
// client sends, when our commands can express it), refusing (parse errors; commands the spec
// forbids), or nothing (with the reason from mqtt-packet-fixture-notes.json).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hexBytes, type Packet, type Version } from "../support/codec-packets.ts";
import { VECTOR_DIR } from "../support/codec-vectors.ts";

export const FIXTURE_FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "conformance", "mqtt-packet-fixtures.json");

interface Entry { kind: string; args: unknown[] }

interface Expectation { reason?: string; reasonAnyOf?: string[]; expect?: Packet; rule?: string; why: string }
interface EncodeNote {
  refused?: string | string[];
  dropProperties?: string[];
  equivalentHex?: string;
  rule?: string;
  why: string;
}
interface Notes {
  decode: Record<string, Expectation>;
  encode: Record<string, EncodeNote>;
  notApplicable: Record<string, string>;
}

export const NOTES = JSON.parse(readFileSync(join(VECTOR_DIR, "mqtt-packet-fixture-notes.json"), "utf8")) as Notes;

/** Packet types a client receives / sends, per protocol version. */
const RX: Record<Version, number[]> = { 4: [2, 3, 4, 5, 6, 7, 9, 11, 13], 5: [2, 3, 4, 5, 6, 7, 9, 11, 13, 14, 15] };
const TX: Record<Version, number[]> = { 4: [1, 3, 4, 5, 6, 7, 8, 10, 12, 14], 5: [1, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15] };
const SERVER_ONLY = [1, 8, 10, 12];
const TYPE_OF: Record<string, number> = {
  connect: 1, connack: 2, publish: 3, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7, subscribe: 8, suback: 9,
  unsubscribe: 10, unsuback: 11, pingreq: 12, pingresp: 13, disconnect: 14, auth: 15,
};
const PARSE_KINDS = ["parse_generate", "parse_and_generate", "parse_only", "parse_generate_defaults"];
const GENERATE_KINDS = ["parse_generate", "parse_and_generate", "parse_generate_defaults", "generate_only"];

export interface Plan {
  index: number;
  kind: string;
  name: string;
  version: Version;
  /** The fixture's bytes (undefined for generate errors); bigLength for {"$big_len": n}. */
  bytes?: Buffer;
  bigLength?: number;
  /** The packet as mqtt-packet parses it (the fully specified object for parse_generate_defaults). */
  packet?: Packet;
  /** What to check. */
  decode?: { expect?: Packet; reject?: Expectation; instead?: Expectation; stream?: boolean };
  encode?: { input: Packet; note?: EncodeNote; mqtt31: boolean };
  refuse?: { input: Packet; note: EncodeNote; mqtt31: boolean };
  parseError?: Expectation & { serverOnly: boolean };
  notApplicable?: string;
  /** Everything the generate-side error fixtures pass to mqtt-packet (for not-applicable checks). */
  generateArgs?: { cmds: string[]; packet: Packet; version: Version };
}

function bytesOf(v: unknown): { bytes?: Buffer; bigLength?: number } {
  const o = v as { $hex?: string; $big_len?: number } | undefined;
  if (o?.$hex !== undefined) return { bytes: hexBytes(o.$hex) };
  if (o?.$big_len !== undefined) return { bigLength: o.$big_len };
  return {};
}

/** mqtt-packet's object may carry {"$hex"} values (our helpers take them as they are). */
function versionOf(packet: Packet | undefined, opts: unknown): Version {
  const pv = (opts as { protocolVersion?: number } | undefined)?.protocolVersion ?? (packet?.cmd === "connect" ? (packet.protocolVersion as number) : undefined);
  return pv === 5 ? 5 : 4; // MQTT 3.1 (3) shares the 3.1.1 layout of every packet but CONNECT
}

/** Acknowledgements our client sends carry no properties and reason 0 (or 0x92 for PUBREL/PUBCOMP). */
function expressible(p: Packet): boolean {
  if (!["puback", "pubrec", "pubrel", "pubcomp"].includes(p.cmd)) return true;
  const props = p.properties as object | undefined;
  if (props && Object.keys(props).length > 0) return false;
  const rc = (p.reasonCode ?? 0) as number;
  return rc === 0 || (rc === 0x92 && (p.cmd === "pubrel" || p.cmd === "pubcomp"));
}

const isMqtt31 = (p: Packet | undefined) => p?.cmd === "connect" && p.protocolId === "MQIsdp" && p.protocolVersion === 3;

export function planOf(index: number, e: Entry): Plan {
  const a = e.args;
  let name = String(a[0]);
  let packet: Packet | undefined;
  let hexArg: unknown;
  let opts: unknown;
  let input: Packet | undefined;
  let cmds: string[] = [];
  switch (e.kind) {
    case "parse_error": hexArg = a[1]; opts = a[2]; break;
    case "generate_error": input = a[1] as Packet; opts = a[2]; break;
    case "generate_error_multi": cmds = a[0] as string[]; name = String(a[1]); input = a[2] as Packet; opts = a[3]; break;
    case "write_stream_error": input = a[1] as Packet; break;
    case "parse_generate_defaults": input = a[1] as Packet; hexArg = a[2]; packet = a[3] as Packet; opts = a[4]; break;
    default: packet = a[1] as Packet; input = packet; hexArg = a[2]; opts = a[3];
  }
  const version = versionOf(packet ?? input, opts);
  const plan: Plan = { index, kind: e.kind, name, version, packet, ...bytesOf(hexArg) };
  const key = String(index);
  const type = plan.bytes ? plan.bytes[0] >> 4 : TYPE_OF[(packet ?? input)?.cmd ?? ""];

  if (NOTES.notApplicable[key]) {
    plan.notApplicable = NOTES.notApplicable[key];
    if (input && e.kind.includes("error")) plan.generateArgs = { cmds: cmds.length ? cmds : [input.cmd], packet: input, version };
    return plan;
  }
  if (e.kind === "parse_error") {
    const note = NOTES.decode[key];
    const serverOnly = SERVER_ONLY.includes(type) && !note;
    plan.parseError = { ...(note ?? { reasonAnyOf: ["0x81", "0x82"], why: "a client never receives this packet type" }), serverOnly };
    return plan;
  }
  if (PARSE_KINDS.includes(e.kind) && RX[version].includes(type)) {
    const note = NOTES.decode[key];
    if (plan.bigLength !== undefined) plan.decode = { stream: true };
    else if (note?.expect) plan.decode = { expect: note.expect, instead: note };
    else plan.decode = note ? { reject: note } : { expect: packet };
  }
  const encodeNote = NOTES.encode[key];
  const sendInput = e.kind === "parse_generate_defaults" ? packet! : input!;
  if (e.kind.startsWith("generate_error") && encodeNote?.refused !== undefined) {
    plan.refuse = { input: sendInput, note: encodeNote, mqtt31: isMqtt31(sendInput) };
  } else if (GENERATE_KINDS.includes(e.kind) && TX[version].includes(type) && plan.bigLength === undefined) {
    if (encodeNote?.refused !== undefined) plan.refuse = { input: sendInput, note: encodeNote, mqtt31: isMqtt31(sendInput) };
    else if (encodeNote || expressible(sendInput)) plan.encode = { input: sendInput, note: encodeNote, mqtt31: isMqtt31(sendInput) };
  }
  return plan;
}

export function loadPlans(): Plan[] {
  const entries = JSON.parse(readFileSync(FIXTURE_FILE, "utf8")) as Entry[];
  return entries.map((e, i) => planOf(i, e));
}

/** Which notes a plan used (so that a stale note shows up). */
export function notesUsed(p: Plan): string[] {
  const k = String(p.index);
  const used: string[] = [];
  if (p.notApplicable) used.push(`notApplicable.${k}`);
  if (p.decode?.reject || p.decode?.instead || (p.parseError && NOTES.decode[k])) used.push(`decode.${k}`);
  if (p.encode?.note || p.refuse) used.push(`encode.${k}`);
  return used;
}
