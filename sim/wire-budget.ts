// What a message costs on the wire: a PUBLISH field by field (3.1.1 and 5.0, with and without a
// topic alias), and estimates of the TCP/IP and TLS bytes around MQTT traffic. The estimates rest
// on the named assumptions below, which the report prints beside its numbers.
import type { FleetReport, GroupReport, MessageBytes } from "./report-types.ts";

/** The Remaining Length varint holds 7 bits per byte [MQTT-2.2.3]. */
const VARINT_BITS_PER_BYTE = 7;
const TOPIC_LENGTH_BYTES = 2;
const PACKET_ID_BYTES = 2;
const PACKET_TYPE_BYTES = 1;
/** Topic Alias property: identifier 0x23 and a two-byte integer [MQTT-3.3.2.3.4]. */
const TOPIC_ALIAS_PROPERTY_BYTES = 3;

/** IPv4 (20) + TCP (20) + the timestamps option padded to 12, as Linux sends on every segment. */
const TCP_IP_HEADER_BYTES = 52;
/** A pure ACK carries no payload: just the headers. */
const TCP_ACK_BYTES = TCP_IP_HEADER_BYTES;
/** SYN and SYN-ACK carry 20 more option bytes (MSS, SACK permitted, window scale, timestamps). */
const TCP_SYN_BYTES = 60;
/** SYN, SYN-ACK, ACK, then FIN, ACK, FIN, ACK: 2 x 60 + 5 x 52 = 380 bytes per connection. */
const TCP_CONNECTION_BYTES = 2 * TCP_SYN_BYTES + 5 * TCP_IP_HEADER_BYTES;
/** Ethernet MTU 1500 minus the 40 bytes of IP and TCP headers (the timestamps come out of it, ignored). */
const TCP_MSS_BYTES = 1460;

/** TLS 1.3 record: 5 header + 1 inner content type + 16 AEAD tag (AES-GCM or ChaCha20-Poly1305). */
const TLS_RECORD_BYTES = 22;
// The handshake is an estimate: a full TLS 1.3 handshake (no resumption), x25519 key share, a
// server chain of an ECDSA P-256 leaf (~1,100 bytes DER with SANs and SCTs) and one intermediate
// (~900 bytes), no client certificate, and two session tickets as OpenSSL sends by default.
/** ClientHello with SNI, one x25519 key share, groups and signature algorithms. */
const TLS_CLIENT_HELLO_BYTES = 300;
/** ServerHello, ChangeCipherSpec, EncryptedExtensions, Certificate, CertificateVerify, Finished. */
const TLS_SERVER_FLIGHT_BYTES = 2_300;
/** ChangeCipherSpec and Finished. */
const TLS_CLIENT_FINISHED_BYTES = 64;
/** Two NewSessionTicket records. */
const TLS_SESSION_TICKETS_BYTES = 500;
const TLS_HANDSHAKE_FLIGHTS = [TLS_CLIENT_HELLO_BYTES, TLS_SERVER_FLIGHT_BYTES, TLS_CLIENT_FINISHED_BYTES, TLS_SESSION_TICKETS_BYTES];
const TLS_HANDSHAKE_BYTES = TLS_HANDSHAKE_FLIGHTS.reduce((a, b) => a + b, 0);
/** Each flight travels in its own segments, each answered by an ACK. */
const TLS_HANDSHAKE_SEGMENTS = TLS_HANDSHAKE_FLIGHTS.reduce((n, b) => n + Math.ceil(b / TCP_MSS_BYTES), 0);

const SECONDS_PER_DAY = 86_400;
const DAYS_PER_MONTH = 30;

export const OVERHEAD: FleetReport["overhead"] = {
  tcpIpHeaderBytes: TCP_IP_HEADER_BYTES,
  tcpAckBytes: TCP_ACK_BYTES,
  tcpConnectionBytes: TCP_CONNECTION_BYTES,
  tlsRecordBytes: TLS_RECORD_BYTES,
  tlsHandshakeBytes: TLS_HANDSHAKE_BYTES,
};

/** Bytes of the Variable Byte Integer that encodes n [MQTT-1.5.5]. */
function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 2 ** (VARINT_BITS_PER_BYTE * bytes)) bytes++;
  return bytes;
}

/**
 * Bytes of one PUBLISH field by field. version 4 = 3.1.1, 5 = 5.0. alias: with 5.0, the topic is
 * replaced by a Topic Alias property (topic length 0 + property 0x23 two-byte alias).
 * extraPropertyBytes: other v5 properties (default 0).
 */
export function publishBytes(o: {
  version: 4 | 5;
  topicBytes: number;
  payloadBytes: number;
  qos: 0 | 1 | 2;
  alias?: boolean;
  extraPropertyBytes?: number;
}): MessageBytes {
  const v5 = o.version === 5;
  if (!v5 && (o.alias || o.extraPropertyBytes)) throw new Error("MQTT 3.1.1 has no properties (topic alias or other)");
  const topic = TOPIC_LENGTH_BYTES + (o.alias ? 0 : o.topicBytes);
  const packetId = o.qos > 0 ? PACKET_ID_BYTES : 0;
  const propertyBytes = (o.alias ? TOPIC_ALIAS_PROPERTY_BYTES : 0) + (o.extraPropertyBytes ?? 0);
  const properties = v5 ? varintBytes(propertyBytes) + propertyBytes : 0;
  const remaining = topic + packetId + properties + o.payloadBytes;
  const fixedHeader = PACKET_TYPE_BYTES + varintBytes(remaining);
  return { fixedHeader, topic, packetId, properties, payload: o.payloadBytes, total: fixedHeader + remaining };
}

/** TCP segments for `packets` packets of `bytes` in all, taking them as equally sized. */
function segments(bytes: number, packets: number): number {
  if (packets === 0) return 0;
  return packets * Math.max(1, Math.ceil(bytes / packets / TCP_MSS_BYTES));
}

/**
 * Estimated bytes on the wire for MQTT traffic of `packets` packets totalling `mqttBytes`, over
 * `connections` connections: a header per segment, one ACK per segment the other way, and each
 * connection's handshake and teardown. Ignores ACKs piggybacked on replies, so it errs high.
 */
export function withTcpIp(mqttBytes: number, packets: number, connections: number): number {
  return mqttBytes + segments(mqttBytes, packets) * (TCP_IP_HEADER_BYTES + TCP_ACK_BYTES) + connections * TCP_CONNECTION_BYTES;
}

/** As withTcpIp, with each MQTT packet in its own TLS record and a full handshake per connection. */
export function withTls(mqttBytes: number, packets: number, connections: number): number {
  const handshake = TLS_HANDSHAKE_BYTES + TLS_HANDSHAKE_SEGMENTS * (TCP_IP_HEADER_BYTES + TCP_ACK_BYTES);
  return withTcpIp(mqttBytes + packets * TLS_RECORD_BYTES, packets, connections) + connections * handshake;
}

/**
 * Per-day and per-month (30 days) extrapolation from a run, per sensor. Connections are not scaled:
 * a sensor that stays connected opens one connection a month, not one per run length.
 */
export function perSensorBudget(o: {
  upBytes: number;
  downBytes: number;
  upPackets: number;
  downPackets: number;
  connections: number;
  sensors: number;
  runSeconds: number;
}): GroupReport["perSensor"] {
  const perDay = SECONDS_PER_DAY / o.runSeconds / o.sensors;
  const perMonth = perDay * DAYS_PER_MONTH;
  const monthBytes = (o.upBytes + o.downBytes) * perMonth;
  const monthPackets = (o.upPackets + o.downPackets) * perMonth;
  const connections = Math.max(1, o.connections / o.sensors);
  return {
    upBytesPerDay: Math.round(o.upBytes * perDay),
    downBytesPerDay: Math.round(o.downBytes * perDay),
    upBytesPerMonth: Math.round(o.upBytes * perMonth),
    downBytesPerMonth: Math.round(o.downBytes * perMonth),
    withTcpIpBytesPerMonth: Math.round(withTcpIp(monthBytes, monthPackets, connections)),
    withTlsBytesPerMonth: Math.round(withTls(monthBytes, monthPackets, connections)),
  };
}
