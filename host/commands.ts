// Typed wrappers for the firmware's commands: strings and payloads go into SCRATCH, the
// command gets offsets. Return values are the firmware's: packet id (>= 0) or -Status.
import type { Firmware } from "./firmware.ts";
import { CONFIGURE_KEEP_SESSION, PacketType, Status } from "./abi.ts";
import {
  encodeProperties, setProperties, type ConnectProperties, type DisconnectProperties, type PublishProperties, type SubscribeProperties,
  type UnsubscribeProperties, type WillProperties,
} from "./properties.ts";

/** Quality of service: 0 at most once, 1 at least once, 2 exactly once. */
export type QoS = 0 | 1 | 2;

export interface ConnectOptions {
  version?: 4 | 5;
  clientId?: string;
  clean?: boolean;
  keepalive?: number;
  username?: string;
  password?: string | Buffer;
  will?: { topic: string; payload: string | Buffer; qos?: number; retain?: boolean; properties?: WillProperties };
  properties?: ConnectProperties;
  /** A fresh CONNECT for the configured session, which is kept (between connections only): credentials that expire. */
  keepSession?: boolean;
}

const toBuf = (v: string | Uint8Array) => (typeof v === "string" ? Buffer.from(v, "utf8") : v);

/**
 * The CONNECT properties, with the limits this profile's budget imposes announced unless the
 * caller set them: Receive Maximum (inbound QoS 2 slots), Topic Alias Maximum (inbound alias
 * slots) and Maximum Packet Size (when the profile caps it).
 */
export function connectProperties(fw: Firmware, o: ConnectOptions): ConnectProperties | undefined {
  if ((o.version ?? 4) !== 5) return o.properties;
  const p: ConnectProperties = { ...o.properties };
  p.receiveMaximum ??= fw.budget("INBOUND_QOS2_SLOTS");
  const aliases = fw.budget("TOPIC_ALIAS_IN_SLOTS");
  if (aliases > 0) p.topicAliasMaximum ??= aliases;
  const maxPacket = fw.budget("MAX_INBOUND_PACKET_BYTES");
  if (maxPacket < 268435455) p.maximumPacketSize ??= maxPacket;
  return p;
}

export function configure(fw: Firmware, o: ConnectOptions): number {
  const connectProps = encodeProperties(connectProperties(fw, o));
  setProperties(fw, Buffer.concat([connectProps, encodeProperties(o.will?.properties)]));
  const connectPropsLen = connectProps.length;
  let off = 0;
  const field = (v: string | Uint8Array | undefined): [number, number] => {
    if (v === undefined) return [0, -1];
    const start = off;
    off = fw.scratchWrite(off, toBuf(v));
    return [start, off - start];
  };
  const [idOff, idLen] = field(o.clientId ?? "");
  const [uOff, uLen] = field(o.username);
  const [pOff, pLen] = field(o.password);
  const [wtOff, wtLen] = field(o.will?.topic);
  const [wpOff, wpLen] = field(o.will?.payload);
  const clean = (o.clean === false ? 0 : 1) | (o.keepSession ? CONFIGURE_KEEP_SESSION : 0);
  return fw.exports.configure(o.version ?? 4, clean, o.keepalive ?? 60, idOff, idLen, uOff, uLen, pOff, pLen,
    wtOff, wtLen, wpOff, wpLen, o.will?.qos ?? 0, o.will?.retain ? 1 : 0, connectPropsLen);
}

export function publish(fw: Firmware, topic: string, payload: string | Uint8Array, qos = 0, retain = false,
  properties?: PublishProperties): number {
  setProperties(fw, encodeProperties(properties));
  return publishBytes(fw, toBuf(topic), toBuf(payload), qos, retain);
}

/**
 * PUBLISH with the properties already in PROPS: the packet id (0 for QoS 0) or -Status. The
 * payload goes in SCRATCH-sized pieces (the outbox entry is sized for all of it), so it may be
 * larger than SCRATCH; the topic must fit SCRATCH (TooLarge otherwise).
 */
export function publishBytes(fw: Firmware, topic: Uint8Array, payload: Uint8Array, qos: number, retain: boolean): number {
  if (topic.length > fw.scratchSize) return -Status.TooLarge;
  fw.scratchWrite(0, topic);
  const id = fw.exports.publishBegin(0, topic.length, payload.length, qos, retain ? 1 : 0);
  if (id < 0) return id;
  for (let off = 0; off < payload.length; off += fw.scratchSize) {
    const piece = payload.subarray(off, off + fw.scratchSize);
    fw.scratchWrite(0, piece);
    fw.exports.publishWrite(0, piece.length);
  }
  return id;
}

export interface SubscriptionRequest {
  topic: string;
  qos?: QoS;
  /** No Local: not our own messages back (MQTT 5). */
  nl?: boolean;
  /** Retain As Published (MQTT 5). */
  rap?: boolean;
  /** Retain Handling (MQTT 5): 0 send retained messages, 1 only for a new subscription, 2 never. */
  rh?: 0 | 1 | 2;
}

/** Lays out filters as on the wire (length, filter[, options]) in SCRATCH; returns the end offset. */
function layout(fw: Firmware, subs: SubscriptionRequest[], withOptions: boolean): number {
  let off = 0;
  for (const s of subs) {
    const f = Buffer.from(s.topic, "utf8");
    const hdr = Buffer.from([f.length >> 8, f.length & 0xff]);
    off = fw.scratchWrite(off, hdr);
    off = fw.scratchWrite(off, f);
    if (withOptions) {
      const o = (s.qos ?? 0) | (s.nl ? 4 : 0) | (s.rap ? 8 : 0) | ((s.rh ?? 0) << 4);
      off = fw.scratchWrite(off, Buffer.from([o]));
    }
  }
  return off;
}

/**
 * SUBSCRIBE or UNSUBSCRIBE with the properties already in PROPS: the packet id, or -Status.
 * No Local on a shared subscription is a Protocol Error [MQTT-3.8.3-4]; the firmware leaves this
 * one check to the host (it costs firmware bytes and only guards against a wrong call).
 */
export function request(fw: Firmware, type: PacketType.SUBSCRIBE | PacketType.UNSUBSCRIBE, subs: SubscriptionRequest[]): number {
  const sub = type === PacketType.SUBSCRIBE;
  if (sub && subs.some((s) => s.nl && s.topic.startsWith("$share/"))) return -Status.BadArgument;
  return fw.exports.request(type, 0, layout(fw, subs, sub));
}

export function subscribe(fw: Firmware, subs: SubscriptionRequest[], properties?: SubscribeProperties): number {
  setProperties(fw, encodeProperties(properties));
  return request(fw, PacketType.SUBSCRIBE, subs);
}

export function unsubscribe(fw: Firmware, topics: string[], properties?: UnsubscribeProperties): number {
  setProperties(fw, encodeProperties(properties));
  return request(fw, PacketType.UNSUBSCRIBE, topics.map((topic) => ({ topic })));
}

export function disconnect(fw: Firmware, reason = 0, properties?: DisconnectProperties): number {
  setProperties(fw, encodeProperties(properties));
  return fw.exports.disconnect(reason);
}
