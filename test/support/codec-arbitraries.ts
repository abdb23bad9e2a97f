// fast-check generators of valid MQTT packets as mqtt-packet objects, for the differential
// tests: packets a server may send to a client, and commands a client may give. Only valid
// packets are generated (a rejection by our strict decoder would say nothing about agreement).
import fc from "fast-check";
import type { Packet, Version } from "./codec-packets.ts";

const LEVELS = ["a", "b", "sensor", "temp", "$SYS", "", "ü", "日本", "🙂", "x y", "0"];

/** UTF-8 text without U+0000 [MQTT-1.5.4-2] (graphemes: never a lone surrogate). */
export const text = (maxLength = 12) =>
  fc.string({ unit: "grapheme", maxLength }).filter((s) => !s.includes("\u0000"));

/** Topic Names: no wildcards [MQTT-3.3.2-2], at least one character [MQTT-4.7.3-1]. */
export const topicName = fc.oneof(
  fc.array(fc.constantFrom(...LEVELS), { minLength: 1, maxLength: 5 }).map((l) => l.join("/")),
  text(16),
).filter((t) => t.length > 0 && !/[+#]/.test(t));

/** Topic Filters: '+' as a whole level, '#' only as the whole last level (4.7.1). */
export const topicFilter = fc.tuple(
  fc.array(fc.constantFrom(...LEVELS, "+"), { minLength: 1, maxLength: 4 }),
  fc.boolean(),
).map(([l, hash]) => (hash ? [...l, "#"] : l).join("/")).filter((f) => f.length > 0);

export const bytes = (maxLength = 48) => fc.uint8Array({ maxLength }).map((b) => Buffer.from(b));
export const packetId = fc.integer({ min: 1, max: 65535 });
const u16 = fc.integer({ min: 0, max: 65535 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const varint = fc.integer({ min: 1, max: 268435455 });

/**
 * User Properties, a name possibly repeated. The first value of a repeated name is never empty:
 * mqtt-packet 9.0.2's parser tests that value for truth and then overwrites it (k="" then k=""
 * parses as k=""), a bug of the reference, not a disagreement worth shrinking towards.
 */
export const userProperties = fc.dictionary(
  text(6).filter((k) => k !== "__proto__"),
  fc.oneof(text(5), fc.tuple(text(5).filter((v) => v !== ""), fc.array(text(5), { minLength: 1, maxLength: 2 })).map(([a, rest]) => [a, ...rest])),
  { minKeys: 1, maxKeys: 2 },
);

const opt = <T extends Record<string, fc.Arbitrary<unknown>>>(r: T) => fc.record(r, { requiredKeys: [] });
const reasonString = text(10);

/** Codes a server may send, per packet (5.0 tables 3-1 ... 3-11, "sent by" column). */
export const CODES = {
  connack: [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f],
  puback: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrel: [0x00, 0x92],
  suback: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  unsuback: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
  serverDisconnect: [0x00, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2],
  clientDisconnect: [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99],
};

const publishProperties = (fromServer: boolean) => opt({
  payloadFormatIndicator: fc.boolean(),
  messageExpiryInterval: u32,
  contentType: text(),
  responseTopic: topicName,
  correlationData: bytes(16),
  userProperties,
  ...(fromServer ? { topicAlias: fc.integer({ min: 1, max: 65535 }), subscriptionIdentifier: fc.oneof(varint, fc.array(varint, { minLength: 2, maxLength: 3 })) } : {}),
});

function publish(version: Version, fromServer: boolean): fc.Arbitrary<Packet> {
  return fc.record({
    topic: topicName, payload: bytes(), qos: fc.constantFrom(0, 1, 2), retain: fc.boolean(), dup: fc.boolean(),
    messageId: fromServer ? packetId : fc.integer({ min: 1, max: 12 }),
    properties: version === 5 ? publishProperties(fromServer) : fc.constant(undefined),
    aliasOnly: fc.boolean(),
  }).map(({ aliasOnly, ...p }) => {
    const q: Packet = { cmd: "publish", ...p, dup: p.qos > 0 && p.dup && fromServer };
    const alias = (p.properties as { topicAlias?: number } | undefined)?.topicAlias;
    if (fromServer && aliasOnly && alias) q.topic = ""; // a Topic Alias may stand for the name (3.3.2.3.4)
    return q;
  });
}

const ackProperties = opt({ reasonString, userProperties });

/** Packets a server sends to a client, valid in `version`. */
export function serverPacket(version: Version): Record<string, fc.Arbitrary<Packet>> {
  const v5 = version === 5;
  const ack = (cmd: string, codes: number[]) => fc.record({
    messageId: packetId,
    reasonCode: v5 ? fc.constantFrom(...codes) : fc.constant(undefined),
    properties: v5 ? ackProperties : fc.constant(undefined),
  }).map((p) => ({ cmd, ...p }));
  return {
    connack: v5
      ? fc.record({
        reasonCode: fc.constantFrom(...CODES.connack), sessionPresent: fc.boolean(),
        properties: opt({
          sessionExpiryInterval: u32, receiveMaximum: fc.integer({ min: 1, max: 65535 }), maximumQoS: fc.constantFrom(0, 1),
          retainAvailable: fc.boolean(), maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }), assignedClientIdentifier: text(),
          topicAliasMaximum: u16, reasonString, userProperties, wildcardSubscriptionAvailable: fc.boolean(),
          subscriptionIdentifiersAvailable: fc.boolean(), sharedSubscriptionAvailable: fc.boolean(), serverKeepAlive: u16,
          responseInformation: text(), serverReference: text(), authenticationMethod: text(), authenticationData: bytes(16),
        }),
      }).map((p) => ({ cmd: "connack", ...p, sessionPresent: p.reasonCode === 0 && p.sessionPresent }))
      : fc.record({ returnCode: fc.integer({ min: 0, max: 5 }), sessionPresent: fc.boolean() })
        .map((p) => ({ cmd: "connack", ...p, sessionPresent: p.returnCode === 0 && p.sessionPresent })),
    publish: publish(version, true),
    puback: ack("puback", CODES.puback),
    pubrec: ack("pubrec", CODES.puback),
    pubrel: ack("pubrel", CODES.pubrel),
    pubcomp: ack("pubcomp", CODES.pubrel),
    suback: fc.record({
      messageId: packetId,
      granted: fc.array(fc.constantFrom(...(v5 ? CODES.suback : [0, 1, 2, 0x80])), { minLength: 1, maxLength: 8 }),
      properties: v5 ? ackProperties : fc.constant(undefined),
    }).map((p) => ({ cmd: "suback", ...p })),
    unsuback: v5
      ? fc.record({ messageId: packetId, granted: fc.array(fc.constantFrom(...CODES.unsuback), { minLength: 1, maxLength: 8 }), properties: ackProperties })
        .map((p) => ({ cmd: "unsuback", ...p }))
      : packetId.map((messageId) => ({ cmd: "unsuback", messageId })),
    pingresp: fc.constant({ cmd: "pingresp" }),
    ...(v5 ? {
      disconnect: fc.record({ reasonCode: fc.constantFrom(...CODES.serverDisconnect), properties: opt({ reasonString, userProperties, serverReference: text() }) })
        .map((p) => ({ cmd: "disconnect", ...p })),
      auth: fc.record({
        reasonCode: fc.constantFrom(0x00, 0x18),
        properties: fc.record({ authenticationMethod: text(), authenticationData: bytes(16), reasonString, userProperties }, { requiredKeys: ["authenticationMethod"] }),
      }).map((p) => ({ cmd: "auth", ...p })),
    } : {}),
  };
}

/** Commands a client gives (as the packets they produce), valid in `version`. */
export function clientPacket(version: Version): Record<string, fc.Arbitrary<Packet>> {
  const v5 = version === 5;
  const subscription = v5
    ? fc.oneof(
      fc.record({ topic: topicFilter, qos: fc.constantFrom(0, 1, 2), nl: fc.boolean(), rap: fc.boolean(), rh: fc.constantFrom(0, 1, 2) }),
      fc.record({ topic: topicFilter.map((f) => `$share/g/${f}`), qos: fc.constantFrom(0, 1, 2), nl: fc.constant(false), rap: fc.boolean(), rh: fc.constantFrom(0, 1, 2) }),
    )
    : fc.record({ topic: topicFilter, qos: fc.constantFrom(0, 1, 2) });
  const willProps = opt({
    willDelayInterval: u32, payloadFormatIndicator: fc.boolean(), messageExpiryInterval: u32, contentType: text(),
    responseTopic: topicName, correlationData: bytes(8), userProperties,
  });
  return {
    connect: fc.record({
      clientId: text(), clean: fc.boolean(), keepalive: u16,
      username: fc.option(text(), { nil: undefined }), password: fc.option(bytes(8), { nil: undefined }),
      will: fc.option(fc.record({ topic: topicName, payload: bytes(16), qos: fc.constantFrom(0, 1, 2), retain: fc.boolean(),
        properties: v5 ? willProps : fc.constant(undefined) }), { nil: undefined }),
      properties: v5 ? opt({
        sessionExpiryInterval: u32, receiveMaximum: fc.integer({ min: 1, max: 16 }), maximumPacketSize: fc.integer({ min: 128, max: 0xffffffff }),
        topicAliasMaximum: fc.integer({ min: 0, max: 8 }), requestResponseInformation: fc.boolean(), requestProblemInformation: fc.boolean(),
        userProperties, authenticationMethod: text(), authenticationData: bytes(8),
      }) : fc.constant(undefined),
    }).map((p) => ({
      cmd: "connect", protocolId: "MQTT", protocolVersion: version, ...p,
      // [MQTT-3.1.3-7] in 3.1.1; mqtt-packet's generator demands it in 5.0 too, where it is not a rule.
      clean: p.clean || p.clientId === "",
      // [MQTT-3.1.2-22] in 3.1.1; mqtt-packet demands it in 5.0 too (tx-valid-v5.json covers a 5.0 password alone).
      username: p.password !== undefined ? (p.username ?? "") : p.username,
    })),
    publish: publish(version, false),
    subscribe: fc.record({
      messageId: fc.integer({ min: 1, max: 12 }), subscriptions: fc.array(subscription, { minLength: 1, maxLength: 4 }),
      properties: v5 ? opt({ subscriptionIdentifier: varint, userProperties }) : fc.constant(undefined),
    }).map((p) => ({ cmd: "subscribe", ...p })),
    unsubscribe: fc.record({
      messageId: fc.integer({ min: 1, max: 12 }), unsubscriptions: fc.array(topicFilter, { minLength: 1, maxLength: 4 }),
      properties: v5 ? opt({ userProperties }) : fc.constant(undefined),
    }).map((p) => ({ cmd: "unsubscribe", ...p })),
    puback: packetId.map((messageId) => ({ cmd: "puback", messageId })),
    pubrec: packetId.map((messageId) => ({ cmd: "pubrec", messageId })),
    pubrel: fc.integer({ min: 1, max: 12 }).map((messageId) => ({ cmd: "pubrel", messageId })),
    pubcomp: packetId.map((messageId) => ({ cmd: "pubcomp", messageId })),
    disconnect: v5
      ? fc.record({ reasonCode: fc.constantFrom(...CODES.clientDisconnect), properties: opt({ sessionExpiryInterval: u32, reasonString, userProperties }) })
        .map((p) => ({ cmd: "disconnect", ...p }))
      : fc.constant({ cmd: "disconnect" }),
    ...(v5 ? {
      pubrelUnknown: packetId.map((messageId) => ({ cmd: "pubrel", messageId, reasonCode: 0x92 })),
      pubcompUnknown: packetId.map((messageId) => ({ cmd: "pubcomp", messageId, reasonCode: 0x92 })),
      auth: fc.record({
        reasonCode: fc.constantFrom(0x18, 0x19),
        properties: fc.record({ authenticationMethod: text(), authenticationData: bytes(8), reasonString, userProperties }, { requiredKeys: ["authenticationMethod"] }),
      }).map((p) => ({ cmd: "auth", ...p })),
    } : {}),
  };
}
