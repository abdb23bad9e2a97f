// What the Device says when something goes wrong, in one place: the error type (with the MQTT
// reason code or the local status, and a kind a caller can act on) and the one-line texts for
// local refusals, server DISCONNECTs and transport failures. Broker text is made printable.
import { EventType, PacketType, Reason, Status, reasonText } from "./abi.ts";
import { MoteError, type ErrorKind } from "./errors.ts";
import type { FirmwareEvent } from "./events.ts";

/** MqttError is MoteError (host/errors.ts): the name MQTT.js users look for. */
export { MoteError as MqttError };

/** Local refusals in words. */
const STATUS_TEXT: Record<number, string> = {
  [Status.WouldBlock]: "the transmit buffer is full",
  [Status.OutboxFull]: "the outbox is full",
  [Status.TooLarge]: "too large (above the broker's Maximum Packet Size or this profile's buffers)",
  [Status.InvalidState]: "not possible in the session's current state",
  [Status.BadArgument]: "invalid (see the MQTT rules for topics, QoS and properties)",
  [Status.NoSlot]: "every packet identifier or request slot is in use",
  [Status.Unsupported]: "not supported by this firmware profile",
  [Status.NotAllowed]: "not allowed by the broker (Maximum QoS or Retain Available)",
};
export const statusText = (s: number) => STATUS_TEXT[s] ?? `status ${s}`;
/** The kind of a local refusal: bad input is usage, a broker's limit is its rejection, the rest is our budget. */
function statusKind(s: number): ErrorKind {
  if (s === Status.BadArgument || s === Status.Unsupported) return "usage";
  if (s === Status.NotAllowed) return "rejected";
  if (s === Status.InvalidState) return "ended";
  return "budget";
}
/** A local refusal as an error. */
export const localError = (message: string, status: number) => new MoteError(message, statusKind(status), { status });
/** A topic for an error line: quoted, and cut short when long. */
export const quoteTopic = (t: Buffer) => `'${t.length > 60 ? t.subarray(0, 57).toString("utf8") + "..." : t.toString("utf8")}'`;
export const hex = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;
export const reasonLine = (code: number) => `${reasonText(code)} (${hex(code)})`;

/** MQTT 5 reason codes the firmware reports for 3.1.1's CONNACK return codes 1-5. */
export const RETURN_CODES_311 = new Map([[0x84, 1], [0x85, 2], [0x88, 3], [0x86, 4], [0x87, 5]]);

/** Reason codes after which retrying the same CONNECT can succeed. */
const TRANSIENT_REFUSALS = new Set([
  Reason.ServerUnavailable, Reason.ServerBusy, Reason.QuotaExceeded, Reason.ConnectionRateExceeded, Reason.ServerShuttingDown,
]);
export const isTransientRefusal = (code: number) => TRANSIENT_REFUSALS.has(code);

/** A server DISCONNECT in words, with what the broker said besides the code (MQTT 5). */
function disconnectLine(ev: FirmwareEvent): string {
  const p = ev.properties;
  const why = p?.reasonString !== undefined ? `: ${printable(String(p.reasonString))}` : "";
  const ref = p?.serverReference !== undefined ? `; server reference '${printable(String(p.serverReference))}'` : "";
  return `the broker disconnected: ${reasonLine(ev.reason)}${why}${ref}`;
}

/** A protocol violation by the broker in words: 5.0 tells the broker why in a DISCONNECT; 3.1.1 has no way to and just closes. */
function violationLine(ev: FirmwareEvent, version: 4 | 5, aliasTopicBytes: number): string {
  // An alias topic longer than the profile keeps is our budget, not the broker's fault [MQTT-3.3.2-10].
  if (ev.reason === Reason.ImplementationSpecificError && ev.alias) {
    return `topic alias ${ev.alias} maps a ${ev.topicLength}-byte topic; this profile keeps at most ${aliasTopicBytes} bytes per alias ` +
      `(TOPIC_ALIAS_TOPIC_BYTES): disconnected with ${hex(ev.reason)}`;
  }
  return version === 5
    ? `the broker broke the protocol; sent DISCONNECT ${reasonLine(ev.reason)}`
    : `the broker broke the protocol (${reasonLine(ev.reason)}); closed the connection`;
}

/** The error of an event that ends the connection for a reason of the broker's: its DISCONNECT, a violation, a timeout. */
export function connectionOverError(ev: FirmwareEvent, version: 4 | 5, aliasTopicBytes: number): MoteError | undefined {
  if (ev.type === EventType.ServerDisconnect) return new MoteError(disconnectLine(ev), "disconnect", { reasonCode: ev.reason });
  if (ev.type === EventType.ProtocolViolation) return new MoteError(violationLine(ev, version, aliasTopicBytes), "protocol", { reasonCode: ev.reason });
  if (ev.type !== EventType.Timeout) return undefined;
  const what = ev.packetType === PacketType.CONNACK ? "CONNACK" : "PINGRESP";
  return new MoteError(`no ${what} in time: ${reasonLine(ev.reason)}`, "timeout", { reasonCode: ev.reason });
}

/**
 * An acknowledgement of the wrong kind for a message in flight (PUBACK for QoS 2, PUBREC or
 * PUBCOMP for QoS 1) breaks the broker's side of the flow ([MQTT-4.3.2-4], [MQTT-4.3.3-8]). The
 * firmware ignores it and keeps waiting for the right one (counters().unexpectedAcks), as it
 * tolerates other broker slips; the Device says so once per kind. Undefined when the ack fits.
 */
export function wrongAckLine(type: PacketType, id: number, qos: number): string | undefined {
  if (qos === 2 ? type !== PacketType.PUBACK : type === PacketType.PUBACK) return undefined;
  const want = qos === 2 ? "PUBREC, PUBCOMP" : "PUBACK";
  return `the broker answered a QoS ${qos} message (packet id ${id}) with ${PacketType[type]}: ignored, waiting for ${want}`;
}

/** A broker's text, fit for one line: control characters shown as '?', and cut short. */
function printable(s: string): string {
  const clean = s.replace(/[\x00-\x1f\x7f-\x9f]/g, "?");
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}

export function transportError(e: Error, host: string, port: number): MoteError {
  // Serial lines and modems write their own one-line messages (the broker's host:port is not where they failed).
  if (e instanceof MoteError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const fail = (m: string) => new MoteError(m, "network");
  if (code === "ECONNREFUSED") return fail(`cannot connect to ${host}:${port}: connection refused`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return fail(`cannot resolve host '${host}'`);
  if (code === "ETIMEDOUT" || code === "EHOSTUNREACH" || code === "ENETUNREACH") return fail(`cannot reach ${host}:${port} (${code})`);
  if (code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" || /alert certificate required/i.test(e.message)) {
    const line = `TLS to ${host}:${port} failed: certificate required: the broker wants a client certificate (certFile, keyFile)`;
    return new MoteError(line, "tls", { permanent: true });
  }
  if (code?.startsWith("ERR_TLS") || code?.startsWith("ERR_SSL") || /certificate|self[- ]signed|SSL|TLS/i.test(e.message) ||
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_HAS_EXPIRED"].includes(code ?? "")) {
    // OpenSSL's text may carry a source path and a newline: keep its first clause.
    const reason = e.message.split("\n")[0].replace(/:\.\.\/deps\/openssl\S*/, "");
    return new MoteError(`TLS to ${host}:${port} failed: ${reason}${code ? ` (${code})` : ""}`, "tls", { permanent: true });
  }
  return fail(`connection to ${host}:${port} failed: ${e.message}`);
}
