// The raw bridge (`mote bridge`): a board whose MQTT client talks over its UART, with no modem and
// no AT commands, reaches a broker through this laptop. raw-bridge.ts moves the bytes, framed by
// the one framer (host/mqtt-framer.ts) and paced by the one pacer (host/pacer.ts);
// connect-signature.ts finds a session's start, transcript.ts records what crossed.
import { parseBrokerUrl } from "../url.ts";
import { transportFor } from "../transports/select.ts";
import { RawBridge } from "./raw-bridge.ts";
import type { Bridge, BridgeOptions } from "./types.ts";

export { Framer } from "../mqtt-framer.ts";
export { connectSignature } from "./connect-signature.ts";
export { formatTranscriptEntry, TRANSCRIPT_BYTES, type TranscriptDirection, type TranscriptEntry } from "./transcript.ts";
export type { Bridge, BridgeOptions, BridgeStats, PacketTable } from "./types.ts";

/** Opens the serial port and starts bridging; rejects when the port cannot be opened. */
export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const transport = transportFor(parseBrokerUrl(o.url), o.tls ?? {});
  const bridge = new RawBridge(o, transport);
  await bridge.opened;
  return bridge;
}
