// Loads the hand-written codec vectors in test/vectors/*.json (format: test/vectors/README.md).
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hexBytes, type Packet, type Version } from "./codec-packets.ts";

export const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "vectors");

interface Common {
  name: string;
  version: Version;
  /** Hex with spaces between fields (and "|" between groups of fields). */
  hex: string;
  /** What each field of hex is (data files cannot hold comments). */
  fields: string;
  rule?: string;
  /** Profiles to run on (default: default, plus tiny for 3.1.1). */
  profiles?: string[];
}

/** A packet a client receives (server to client). */
export interface RxVector extends Common {
  direction: "server-to-client";
  /** The decoded packet (mqtt-packet naming) for a valid packet. */
  expect?: Packet;
  /** For an invalid packet: the reason code ("0x81"), or several when the spec names none; or incomplete. */
  reject?: { reason?: string; reasonAnyOf?: string[]; incomplete?: boolean };
  /** When mqtt-packet writes the same packet in another valid form (e.g. always with a Property Length). */
  mqttPacketWrites?: string;
  /** Why mqtt-packet's parser refuses this valid packet (a known limitation of the reference, not of ours). */
  mqttPacketRejects?: string;
}

/** A packet a client sends (client to server). */
export interface TxVector extends Common {
  direction: "client-to-server";
  /** The command input, and what the bytes mean (mqtt-packet naming). */
  packet: Packet;
  /** Properties the firmware adds to CONNECT from its budget (Receive Maximum, Topic Alias Maximum). */
  budgetProperties?: Record<string, unknown>;
  /** CONNECT options of the session the packet is sent in. */
  session?: Record<string, unknown>;
}

/** A command the client must refuse. */
export interface RefusalVector {
  name: string;
  version: Version;
  direction: "client-to-server";
  packet: Packet;
  session?: Record<string, unknown>;
  /** Status name (BadArgument, Unsupported, ...) or PropertyError (the host's property writer refused); a list when either is right. */
  refused: string | string[];
  fields: string;
  rule?: string;
  profiles?: string[];
}

export interface VectorFile<T> {
  file: string;
  description: string;
  vectors: T[];
}

export function loadVectorFile<T>(file: string): VectorFile<T> {
  const data = JSON.parse(readFileSync(join(VECTOR_DIR, file), "utf8")) as { description: string; vectors: T[] };
  return { file, description: data.description, vectors: data.vectors };
}

export function vectorFiles(prefix: string): string[] {
  return readdirSync(VECTOR_DIR).filter((f) => f.startsWith(prefix) && f.endsWith(".json")).sort();
}

export const rxVectorFiles = () => vectorFiles("rx-").map((f) => loadVectorFile<RxVector>(f));
export const txVectorFiles = () => vectorFiles("tx-valid").map((f) => loadVectorFile<TxVector>(f));
export const refusalVectorFiles = () => vectorFiles("tx-refused").map((f) => loadVectorFile<RefusalVector>(f));

export function profilesOf(v: { version: Version; profiles?: string[] }): string[] {
  return v.profiles ?? (v.version === 4 ? ["default", "tiny"] : ["default"]);
}

export const bytesOf = (v: { hex: string }) => hexBytes(v.hex);

/** "0x81" -> 129. */
export const code = (s: string) => Number.parseInt(s, 16);

export function rejectCodes(v: RxVector): number[] {
  const r = v.reject ?? {};
  return r.reason !== undefined ? [code(r.reason)] : (r.reasonAnyOf ?? []).map(code);
}
