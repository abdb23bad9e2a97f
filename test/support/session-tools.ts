// Tools for the session and property suites: broker packets built with mqtt-packet (an
// independent encoder), client bytes parsed with mqtt-packet (an independent decoder), a
// connected Harness from a CONNACK object, fixture loading, and memory snapshots.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import mqttPacket from "mqtt-packet";
import { Harness } from "./harness.ts";
import type { ConnectOptions } from "../../host/commands.ts";
import { Region } from "../../host/abi.ts";
import type { FirmwareEvent } from "../../host/events.ts";
import type { Firmware } from "../../host/firmware.ts";

export type Version = 4 | 5;
// mqtt-packet's packet objects are loosely typed; tests read fields by name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Packet = Record<string, any>;

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** Reads a JSON data file under test/fixtures/. */
export function fixture<T>(relPath: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, relPath), "utf8")) as T;
}

/** Encodes a broker packet with mqtt-packet. */
export function gen(packet: Packet, version: Version): Buffer {
  const b = mqttPacket.generate(packet as mqttPacket.Packet, { protocolVersion: version });
  // mqtt-packet returns an empty buffer instead of throwing for some invalid objects.
  if (b.length === 0) throw new Error(`mqtt-packet could not encode ${JSON.stringify(packet)}`);
  return b;
}

/** Parses bytes into packets with mqtt-packet; throws when they are not whole valid packets. */
export function parse(bytes: Buffer, version: Version): Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const out: Packet[] = [];
  let error: Error | undefined;
  parser.on("packet", (p: Packet) => out.push(p));
  parser.on("error", (e: Error) => { error ??= e; });
  const left = parser.parse(bytes);
  if (error) throw new Error(`mqtt-packet rejected client bytes ${bytes.toString("hex")}: ${error.message}`);
  if (left !== 0) throw new Error(`${left} trailing bytes in ${bytes.toString("hex")}`);
  return out;
}

/** The command names of packets, in order (e.g. ["publish", "pubrel"]). */
export const cmds = (packets: Packet[]) => packets.map((p) => p.cmd as string);

/** A CONNACK object; sessionPresent and properties (v5) as mqtt-packet names them. */
export function connack(version: Version, sessionPresent = false, properties?: Packet, code = 0): Buffer {
  const p: Packet = { cmd: "connack", sessionPresent, returnCode: code };
  if (version === 5) { p.reasonCode = code; if (properties) p.properties = properties; }
  return gen(p, version);
}

/**
 * A configured client, its CONNECT sent, CONNACK received (with the given properties).
 * Throws unless the client reports Connected.
 */
export function connectedWith(version: Version, options: ConnectOptions = {}, connackProps?: Packet,
  profile = "default"): Harness {
  const h = new Harness(profile).configure({ clientId: "test", version, ...options });
  h.open();
  const ev = h.send(connack(version, false, connackProps));
  if (ev[0]?.name !== "Connected") throw new Error(`not connected: ${JSON.stringify(ev)}`);
  h.transmit();
  return h;
}

/**
 * The broker closes the connection; the client waits for ReconnectDue and the Link opens a new
 * connection. Returns the CONNECT packet sent on it.
 */
export function reconnect(h: Harness, version: Version): Packet {
  h.close();
  h.until("ReconnectDue", h.fw.budget("RECONNECT_MAX_MS") + 1);
  const [pkt] = parse(h.open(), version);
  return pkt;
}

/** Event names, in order. */
export const names = (events: FirmwareEvent[]) => events.map((e) => e.name);

/** A PUBLISH from the broker. */
export function brokerPublish(version: Version, topic: string, payload: Buffer | string, qos = 0,
  messageId?: number, extra: Packet = {}): Buffer {
  const p: Packet = { cmd: "publish", topic, payload, qos, retain: false, dup: false, ...extra };
  if (qos > 0) p.messageId = messageId ?? 1;
  return gen(p, version);
}

/** An acknowledgement (puback, pubrec, pubrel, pubcomp) from the broker. */
export function ack(version: Version, cmd: "puback" | "pubrec" | "pubrel" | "pubcomp", messageId: number,
  reasonCode?: number): Buffer {
  const p: Packet = { cmd, messageId };
  if (version === 5 && reasonCode !== undefined) p.reasonCode = reasonCode;
  return gen(p, version);
}

/** Every region the firmware reports, as [start, end) byte ranges, sorted (from the module's own table). */
export function regionRanges(fw: Firmware): [number, number][] {
  const out: [number, number][] = [];
  for (let r = 0; r < fw.exports.regionCount(); r++) {
    const off = fw.exports.regionOffset(r);
    out.push([off, off + fw.exports.regionSize(r)]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/**
 * Memory that processing input must leave alone: SCRATCH, PROPS and CONNECT (host-owned or built
 * by configure), and every byte outside the regions the module reports (constant tables, unused
 * memory). A write there is a write the region table does not declare.
 */
export function frozenOnInput(fw: Firmware): [number, number][] {
  const ranges = [Region.Scratch, Region.Props, Region.Connect].map((r) => {
    const off = fw.exports.regionOffset(r);
    return [off, off + fw.exports.regionSize(r)] as [number, number];
  });
  let at = 0;
  for (const [start, end] of regionRanges(fw)) {
    if (start > at) ranges.push([at, start]);
    at = Math.max(at, end);
  }
  ranges.push([at, fw.memory.byteLength]);
  return ranges;
}

/** Copies memory ranges for a later comparison. */
export function snapshot(fw: Firmware, ranges: [number, number][]): Buffer[] {
  return ranges.map(([a, b]) => Buffer.from(fw.memory.subarray(a, b)));
}

/** Index of the first range that differs from its snapshot, or -1. */
export function changedRange(fw: Firmware, ranges: [number, number][], before: Buffer[]): number {
  return ranges.findIndex(([a, b], i) => !before[i].equals(fw.memory.subarray(a, b)));
}

/** Clears the properties for the next command (MQTT 5 profiles only: 3.1.1-only builds have none). */
export function noProperties(fw: Firmware): void {
  if (fw.budget("MQTT5_ENABLED") && fw.exports.propsSet(0) !== 0) throw new Error("propsSet(0) failed");
}

/**
 * Streams a PUBLISH: publishBegin, then publishWrite in pieces of `piece` bytes through SCRATCH.
 * Returns the packet id (or the first negative status) and the values publishWrite returned.
 */
export function streamPublish(fw: Firmware, topic: string, payload: Buffer, qos: number, piece: number,
  retain = false): { id: number; left: number[] } {
  noProperties(fw);
  const t = fw.scratchWrite(0, Buffer.from(topic, "utf8"));
  const id = fw.exports.publishBegin(0, t, payload.length, qos, retain ? 1 : 0);
  const left: number[] = [];
  if (id < 0) return { id, left };
  for (let off = 0; off < payload.length; off += piece) {
    const part = payload.subarray(off, off + piece);
    fw.scratchWrite(0, part);
    left.push(fw.exports.publishWrite(0, part.length));
  }
  return { id, left };
}

/** One pass of the host loop (it runs until quiet); returns the events it polled and every byte sent so far. */
export function settle(h: Harness): { events: FirmwareEvent[]; bytes: Buffer } {
  const events = h.service();
  return { events, bytes: h.transmit() };
}
