// Incoming messages as the Device hands them on: whole ones at once; one larger than the
// firmware's RX buffer arrives in chunks, each passed on as it comes ("messageChunk") and the
// whole reassembled for "message" when it is no larger than the caller allows.
import type { FirmwareEvent } from "./events.ts";
import type { MessageInfo, QoS } from "./device-options.ts";

/** Largest message reassembled by default (bytes): larger ones only come as chunks. */
export const MAX_MESSAGE_BYTES_DEFAULT = 16 * 1024 * 1024;

export interface ChunkInfo extends MessageInfo {
  offset: number;
  total: number;
  last: boolean;
}

export class MessageAssembly {
  private chunk: { topic: string; parts: Buffer[]; size: number; info: MessageInfo } | undefined;

  constructor(
    private readonly onMessage: (topic: string, payload: Buffer, info: MessageInfo) => void,
    private readonly onChunk: (topic: string, chunk: Buffer, info: ChunkInfo) => void,
  ) {}

  /** One Message event from the firmware. */
  add(ev: FirmwareEvent, maxMessageBytes: number): void {
    const info: MessageInfo = {
      qos: (ev.qos ?? 0) as QoS, retain: !!ev.retain, dup: !!ev.dup, messageId: ev.packetId, properties: ev.properties, topicAlias: ev.alias || undefined,
    };
    const payload = ev.payload ?? Buffer.alloc(0);
    if (ev.first && ev.last) return this.onMessage(ev.topic ?? "", payload, info);
    if (ev.first) this.chunk = { topic: ev.topic ?? "", parts: [], size: 0, info };
    const c = this.chunk;
    if (!c) return;
    this.onChunk(c.topic, payload, { offset: ev.offset ?? 0, total: ev.total ?? 0, last: !!ev.last, ...c.info });
    if ((ev.total ?? 0) <= maxMessageBytes) {
      c.parts.push(payload);
      c.size += payload.length;
    }
    if (ev.last) {
      if (c.size === (ev.total ?? -1)) this.onMessage(c.topic, Buffer.concat(c.parts, c.size), c.info);
      this.chunk = undefined;
    }
  }

  /** The connection closed: a message in pieces never completes on the next one. */
  reset(): void {
    this.chunk = undefined;
  }
}
