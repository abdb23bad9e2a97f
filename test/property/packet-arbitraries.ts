// fast-check generators of valid packets a server may send to a client, as mqtt-packet objects
// (both protocol versions). Values stay inside what the specification allows, so every packet
// generated here must be accepted by the client's decoder.
import fc from "fast-check";
import { fixture, type Packet, type Version } from "../support/session-tools.ts";

const codes = fixture<{ v5: Record<string, number[]>; v4: Record<string, number[]> }>("property/reason-codes.json");

/** A UTF-8 string the specification allows: well-formed, no U+0000 [MQTT-1.5.4-1/2]. */
export const mqttString = (maxLength = 20) =>
  fc.string({ unit: fc.oneof(fc.constantFrom("a", "/", " ", "é", "€", "😀"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })), maxLength })
    .filter((s) => !s.includes("\u0000") && Buffer.from(s, "utf8").toString("utf8") === s);

/** A topic name: at least one character, no wildcards [MQTT-3.3.2-2]. */
export const topicName = mqttString(30).filter((s) => s.length > 0 && !s.includes("+") && !s.includes("#"));

// Small ids often, so that acknowledgements meet the client's own in-flight packets.
const packetId = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 65535 }));
const u16 = fc.integer({ min: 0, max: 65535 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
// Values are non-empty: mqtt-packet's parser folds a repeated key with an empty value into one.
const userValue = mqttString(6).filter((s) => s.length > 0);
// Keys named like Object.prototype members are covered by their own test (user-property-names.test.ts).
const userKey = mqttString(8).filter((k) => !(k in Object.prototype));
const userProperties = fc.dictionary(userKey, fc.oneof(userValue, fc.array(userValue, { minLength: 2, maxLength: 3 })),
  { minKeys: 1, maxKeys: 3 });

/** Optional properties: each key present or absent independently; undefined when none. */
function props(model: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Packet | undefined> {
  return fc.record(model, { requiredKeys: [] }).map((p) => (Object.keys(p).length ? p : undefined));
}

const ackProps = props({ reasonString: mqttString(), userProperties });

function connack(v: Version): fc.Arbitrary<Packet> {
  if (v === 4) {
    return fc.record({ code: fc.constantFrom(...codes.v4.connack), sp: fc.boolean() })
      .map(({ code, sp }) => ({ cmd: "connack", returnCode: code, sessionPresent: code === 0 && sp }));
  }
  return fc.record({
    code: fc.constantFrom(...codes.v5.connack),
    sp: fc.boolean(),
    properties: props({
      sessionExpiryInterval: u32, receiveMaximum: fc.integer({ min: 1, max: 65535 }), maximumQoS: fc.constantFrom(0, 1),
      retainAvailable: fc.boolean(), maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }),
      assignedClientIdentifier: mqttString(), topicAliasMaximum: u16, reasonString: mqttString(), userProperties,
      wildcardSubscriptionAvailable: fc.boolean(), subscriptionIdentifiersAvailable: fc.boolean(),
      sharedSubscriptionAvailable: fc.boolean(), serverKeepAlive: u16, responseInformation: mqttString(),
      serverReference: mqttString(), authenticationMethod: mqttString(), authenticationData: bytes(20),
    }),
  }).map(({ code, sp, properties }) => ({ cmd: "connack", reasonCode: code, sessionPresent: code === 0 && sp, properties }));
}

function publish(v: Version, aliasMax = 65535, aliasOnly = true): fc.Arbitrary<Packet> {
  const properties = v === 4 ? fc.constant(undefined) : props({
    payloadFormatIndicator: fc.boolean(), messageExpiryInterval: u32, contentType: mqttString(),
    responseTopic: topicName, correlationData: bytes(16),
    subscriptionIdentifier: fc.oneof(fc.integer({ min: 1, max: 268435455 }), fc.array(fc.integer({ min: 1, max: 268435455 }), { minLength: 2, maxLength: 3 })),
    topicAlias: fc.integer({ min: 1, max: aliasMax }), userProperties,
  });
  return fc.record({ topic: topicName, qos: fc.constantFrom(0, 1, 2), dup: fc.boolean(), retain: fc.boolean(), messageId: packetId,
    payload: bytes(200), properties, emptyTopic: fc.boolean() })
    .map(({ topic, qos, dup, retain, messageId, payload, properties, emptyTopic }) => {
      const p: Packet = { cmd: "publish", topic, qos, dup: qos > 0 && dup, retain, payload };
      if (qos > 0) p.messageId = messageId;
      if (properties) p.properties = properties;
      // With a Topic Alias the topic may be empty (the receiver resolves it) [MQTT-3.3.2-? 3.3.2.3.4].
      if (properties?.topicAlias !== undefined && emptyTopic && aliasOnly) p.topic = "";
      return p;
    });
}

function ack(v: Version, cmd: "puback" | "pubrec" | "pubrel" | "pubcomp"): fc.Arbitrary<Packet> {
  if (v === 4) return packetId.map((messageId) => ({ cmd, messageId }));
  return fc.record({ messageId: packetId, reasonCode: fc.constantFrom(...codes.v5[cmd]), properties: ackProps })
    .map((p) => ({ cmd, ...p }));
}

function suback(v: Version): fc.Arbitrary<Packet> {
  const granted = fc.array(fc.constantFrom(...(v === 4 ? codes.v4.suback : codes.v5.suback)), { minLength: 1, maxLength: 8 });
  if (v === 4) return fc.record({ messageId: packetId, granted }).map((p) => ({ cmd: "suback", ...p }));
  return fc.record({ messageId: packetId, granted, properties: ackProps }).map((p) => ({ cmd: "suback", ...p }));
}

function unsuback(v: Version): fc.Arbitrary<Packet> {
  if (v === 4) return packetId.map((messageId) => ({ cmd: "unsuback", messageId }));
  return fc.record({ messageId: packetId, granted: fc.array(fc.constantFrom(...codes.v5.unsuback), { minLength: 1, maxLength: 8 }),
    properties: ackProps }).map((p) => ({ cmd: "unsuback", ...p }));
}

const disconnect = fc.record({ reasonCode: fc.constantFrom(...codes.v5.disconnect),
  properties: props({ reasonString: mqttString(), serverReference: mqttString(), userProperties }) })
  .map((p) => ({ cmd: "disconnect", ...p }));

// A server's AUTH carries Success or Continue (Table 3-11) and always its Authentication
// Method (3.15.2.2.2: omitting it is a Protocol Error); a bare Success has no properties at all.
const auth = fc.oneof(
  fc.constant({ cmd: "auth", reasonCode: 0 }),
  fc.record({ reasonCode: fc.constantFrom(...codes.v5.auth.filter((c: number) => c !== 25)),
    properties: fc.record({ authenticationMethod: mqttString(), authenticationData: bytes(20), reasonString: mqttString(), userProperties },
      { requiredKeys: ["authenticationMethod"] }) })
    .map((p) => ({ cmd: "auth", ...p })),
);

/** Any packet a server may send to a client of this version. */
export function serverPacket(v: Version): fc.Arbitrary<Packet> {
  const common = [connack(v), publish(v), ack(v, "puback"), ack(v, "pubrec"), ack(v, "pubrel"), ack(v, "pubcomp"),
    suback(v), unsuback(v), fc.constant({ cmd: "pingresp" })];
  return v === 4 ? fc.oneof(...common) : fc.oneof(...common, disconnect, auth);
}

/**
 * A packet a connected session accepts without earlier state: no CONNACK; Topic Aliases within the
 * smallest maximum the MQTT 5 profiles announce (8) and never alias-only.
 */
export function sessionInput(v: Version): fc.Arbitrary<Packet> {
  const list = [publish(v, 8, false), ack(v, "puback"), ack(v, "pubrec"), ack(v, "pubrel"), ack(v, "pubcomp"), suback(v), unsuback(v),
    fc.constant({ cmd: "pingresp" })];
  return fc.oneof(...list);
}
