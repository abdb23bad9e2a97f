// Drives the real session to make the firmware emit one client packet described as an
// mqtt-packet object, and prepares sessions that expect a given server packet. The firmware
// chooses packet identifiers itself (1, 2, 3, ... per instance), so a wanted identifier N is
// reached by using up N-1 identifiers first, and the identifier it returns is checked.
import { Harness, connackBytes } from "./harness.ts";
import { configure, disconnect, publish, subscribe, unsubscribe, type ConnectOptions, type SubscriptionRequest } from "../../host/commands.ts";
import { encodeProperties, setProperties, type Properties } from "../../host/properties.ts";
import { MoteError } from "../../host/errors.ts";
import { EventType, Status } from "../../host/abi.ts";
import { fromJson, mqttGenerate, type Packet, type Version } from "./codec-packets.ts";

export interface DriveOptions {
  version: Version;
  profile?: string;
  /** Extra CONNECT options for the session the packet is sent in (e.g. a Session Expiry Interval). */
  session?: Partial<ConnectOptions>;
}

/** The firmware refused the command: `status` is the Status name, or "PropertyError" from the host's property writer. */
export class Refused extends Error {
  constructor(readonly status: string) {
    super(`refused: ${status}`);
  }
}

/** The packet cannot be produced through our commands at all (for example a PUBACK with properties). */
export class NotExpressible extends Error {}

function check(rc: number): number {
  if (rc < 0) throw new Refused(Status[-rc] ?? `status ${-rc}`);
  return rc;
}

function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MoteError && (e.kind === "usage" || e.kind === "budget")) throw new Refused("PropertyError");
    throw e;
  }
}

const buf = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(String(v ?? ""), "utf8"));

/** A server packet as bytes (mqtt-packet writes the broker's side of the exchange). */
export function serverBytes(p: Packet, version: Version): Buffer {
  return mqttGenerate(p, version);
}

/** A connected session; a DUP resend needs one that survives a reconnect. */
export function connectedSession(o: DriveOptions, persistent = false): Harness {
  const extra: Partial<ConnectOptions> = persistent
    ? { clean: false, properties: o.version === 5 ? { sessionExpiryInterval: 600 } : undefined }
    : {};
  return Harness.connected({ version: o.version, ...extra, ...o.session }, o.profile ?? "default");
}

/** Uses up identifiers until the firmware's next one is `next` (QoS 1 publishes, acknowledged at once). */
export function usePacketIdsUntil(h: Harness, next: number, version: Version): void {
  if (next <= 1) return;
  for (let guardCount = 0; guardCount < 70000; guardCount++) {
    const id = check(publish(h.fw, "id/burn", "", 1));
    h.transmit();
    h.send(serverBytes({ cmd: "puback", messageId: id }, version));
    if (id === next - 1) return;
    if (id >= next) throw new Error(`packet identifier ${next} was already used (got ${id})`);
  }
  throw new Error(`could not reach packet identifier ${next}`);
}

function expectId(got: number, want: unknown): void {
  if (want !== undefined && got !== want) throw new Error(`firmware assigned packet identifier ${got}, wanted ${want}`);
}

function connectOptions(p: Packet): ConnectOptions {
  if (p.protocolId !== undefined && p.protocolId !== "MQTT") throw new NotExpressible(`protocol name ${String(p.protocolId)}`);
  if (p.bridgeMode) throw new NotExpressible("bridge mode (protocol level bit 7)");
  const w = p.will as Record<string, unknown> | undefined;
  return {
    version: (p.protocolVersion ?? 4) as 4 | 5,
    clientId: p.clientId === undefined ? "" : Buffer.isBuffer(p.clientId) ? p.clientId.toString("utf8") : String(p.clientId),
    clean: p.clean !== false,
    keepalive: (p.keepalive ?? 0) as number,
    username: p.username === undefined ? undefined : buf(p.username).toString("utf8"),
    password: p.password === undefined ? undefined : buf(p.password),
    properties: p.properties as Properties | undefined,
    will: w && {
      topic: w.topic as string, payload: buf(w.payload), qos: (w.qos ?? 0) as number, retain: Boolean(w.retain),
      properties: w.properties as Properties | undefined,
    },
  };
}

function emitConnect(p: Packet, o: DriveOptions): Buffer {
  const h = new Harness(o.profile ?? "default");
  check(guard(() => configure(h.fw, connectOptions(p))));
  return h.open();
}

function emitPublish(p: Packet, o: DriveOptions): Buffer {
  const qos = (p.qos ?? 0) as number;
  const h = connectedSession(o, Boolean(p.dup));
  if (qos > 0 && typeof p.messageId === "number") usePacketIdsUntil(h, p.messageId, o.version);
  const topic = Buffer.isBuffer(p.topic) ? p.topic : buf(p.topic);
  const id = check(guard(() => publish(h.fw, topic as unknown as string, buf(p.payload), qos, Boolean(p.retain), p.properties as Properties)));
  if (qos > 0) expectId(id, p.messageId);
  const first = h.transmit();
  if (!p.dup) return first;
  if (qos === 0) throw new NotExpressible("DUP on a QoS 0 PUBLISH");
  return resendAfterReconnect(h, o.version);
}

/** Drops the connection and resumes the session: the unacknowledged PUBLISH goes out again with DUP. */
function resendAfterReconnect(h: Harness, version: Version): Buffer {
  h.close();
  h.until("ReconnectDue", h.fw.budget("RECONNECT_MAX_MS") + 1); // throws when it does not come
  h.open();
  const ev = h.send(connackBytes(version, true));
  if (ev[0]?.type !== EventType.Connected) throw new Error(`session not resumed: ${JSON.stringify(ev)}`);
  return h.transmit();
}

function emitAck(p: Packet, o: DriveOptions): Buffer {
  const v = o.version;
  const id = p.messageId as number;
  const code = (p.reasonCode ?? 0) as number;
  if (p.properties && Object.keys(p.properties).length > 0) throw new NotExpressible(`${p.cmd} with properties`);
  const h = connectedSession(o);
  const fromServer = (q: Packet) => { h.send(serverBytes(q, v)); return h.transmit(); };
  const incoming = (qos: number) => ({ cmd: "publish", topic: "ack/test", payload: Buffer.alloc(0), qos, messageId: id });
  switch (p.cmd) {
    case "puback":
      if (code !== 0) throw new NotExpressible(`PUBACK reason ${code}`);
      return fromServer(incoming(1));
    case "pubrec":
      if (code !== 0) throw new NotExpressible(`PUBREC reason ${code}`);
      return fromServer(incoming(2));
    case "pubcomp":
      // 0x92: a PUBREL for an identifier we never received; 0: the end of an incoming QoS 2 exchange.
      if (code === 0x92) return fromServer({ cmd: "pubrel", messageId: id });
      if (code !== 0) throw new NotExpressible(`PUBCOMP reason ${code}`);
      fromServer(incoming(2));
      return fromServer({ cmd: "pubrel", messageId: id });
    case "pubrel": {
      // 0x92: a PUBREC for an identifier we never used; 0: our own QoS 2 message being released.
      if (code === 0x92) return fromServer({ cmd: "pubrec", messageId: id });
      if (code !== 0) throw new NotExpressible(`PUBREL reason ${code}`);
      usePacketIdsUntil(h, id, v);
      expectId(check(publish(h.fw, "ack/test", "", 2)), id);
      h.transmit();
      return fromServer({ cmd: "pubrec", messageId: id });
    }
  }
  throw new Error(`not an acknowledgement: ${p.cmd}`);
}

function emitRequest(p: Packet, o: DriveOptions): Buffer {
  const h = connectedSession(o);
  if (typeof p.messageId === "number") usePacketIdsUntil(h, p.messageId, o.version);
  const props = p.properties as Properties | undefined;
  const id = p.cmd === "subscribe"
    ? check(guard(() => subscribe(h.fw, p.subscriptions as SubscriptionRequest[], props)))
    : check(guard(() => unsubscribe(h.fw, p.unsubscriptions as string[], props)));
  expectId(id, p.messageId);
  return h.transmit();
}

function emitPingreq(o: DriveOptions): Buffer {
  const h = connectedSession({ ...o, session: { ...o.session, keepalive: 1 } });
  h.transmit();
  h.advance(1000);
  return h.transmit();
}

function emitDisconnect(p: Packet, o: DriveOptions): Buffer {
  const props = p.properties as Properties | undefined;
  // A Session Expiry Interval on DISCONNECT is only allowed when CONNECT had a non-zero one (3.14.2.2.2).
  const session = props?.sessionExpiryInterval !== undefined && o.session === undefined
    ? { properties: { sessionExpiryInterval: 1 } } : o.session;
  const h = connectedSession({ ...o, session });
  check(guard(() => disconnect(h.fw, (p.reasonCode ?? 0) as number, props)));
  return h.transmit();
}

function emitAuth(p: Packet, o: DriveOptions): Buffer {
  // AUTH is only allowed when CONNECT carried the same Authentication Method (3.15).
  const method = (p.properties as Properties | undefined)?.authenticationMethod;
  const session = o.session ?? (method === undefined || o.version !== 5 ? undefined : { properties: { authenticationMethod: method } });
  const h = connectedSession({ ...o, session });
  guard(() => setProperties(h.fw, encodeProperties(p.properties as Properties | undefined)));
  check(h.fw.exports.auth((p.reasonCode ?? 0) as number));
  return h.transmit();
}

/**
 * The bytes our client sends for this packet, produced through the session. Throws Refused when
 * the firmware (or the host's property writer) refuses the command, NotExpressible when no
 * command can produce it.
 */
export function clientEmits(packet: Packet, o: DriveOptions): Buffer {
  const p = fromJson<Packet>(packet);
  switch (p.cmd) {
    case "connect": return emitConnect(p, o);
    case "publish": return emitPublish(p, o);
    case "puback": case "pubrec": case "pubrel": case "pubcomp": return emitAck(p, o);
    case "subscribe": case "unsubscribe": return emitRequest(p, o);
    case "pingreq": return emitPingreq(o);
    case "disconnect": return emitDisconnect(p, o);
    case "auth": return emitAuth(p, o);
  }
  throw new NotExpressible(`a client never sends ${p.cmd}`);
}

/** What the client does with a command: "emitted" or the refusal's status name. */
export function clientOutcome(packet: Packet, o: DriveOptions): string {
  try {
    clientEmits(packet, o);
    return "emitted";
  } catch (e) {
    if (e instanceof Refused) return e.status;
    throw e;
  }
}

// ---- Sessions that expect a server packet (for feeding vectors through the session) ----

function filters(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `vector/${i}`);
}

/**
 * A session in the state where `packet` (a server packet, or undefined for an invalid one of
 * type firstByte >> 4) is legal: CONNACK while connecting (with an empty client id when the
 * server assigns one); acknowledgements for a request or message the client really has
 * outstanding; an alias-only PUBLISH after its mapping; AUTH during a re-authentication the
 * client started with the same Authentication Method (3.15, 4.12.1).
 */
export function sessionExpecting(packet: Packet | undefined, firstByte: number, o: DriveOptions): Harness {
  const v = o.version;
  const profile = o.profile ?? "default";
  const p = packet && fromJson<Packet>(packet);
  const props = (p?.properties ?? {}) as Properties;
  if (firstByte >> 4 === 2) {
    const present = Boolean(p?.sessionPresent);
    const clientId = props.assignedClientIdentifier === undefined ? "test" : "";
    const h = new Harness(profile).configure({ version: v, clientId, clean: !present, ...o.session });
    h.open();
    return h;
  }
  if (p?.cmd === "auth") {
    const method = (props.authenticationMethod ?? "K") as string;
    const h = connectedSession({ ...o, session: { ...o.session, properties: { authenticationMethod: method } } });
    setProperties(h.fw, encodeProperties({ authenticationMethod: method }));
    check(h.fw.exports.auth(0x19));
    h.transmit();
    return h;
  }
  const h = connectedSession(o);
  if (!p) return h;
  const id = p.messageId as number;
  const ownPublish = (qos: number) => {
    usePacketIdsUntil(h, id, v);
    expectId(check(publish(h.fw, "vector/out", "", qos)), id);
    h.transmit();
  };
  switch (p.cmd) {
    case "puback": ownPublish(1); break;
    case "pubrec": ownPublish(2); break;
    case "pubcomp":
      ownPublish(2);
      h.send(serverBytes({ cmd: "pubrec", messageId: id }, v));
      h.transmit();
      break;
    case "pubrel":
      h.send(serverBytes({ cmd: "publish", topic: "vector/in", payload: Buffer.alloc(0), qos: 2, messageId: id }, v));
      h.transmit();
      break;
    case "suback": case "unsuback": {
      const n = p.cmd === "suback" || v === 5 ? (p.granted as number[]).length : 1;
      usePacketIdsUntil(h, id, v);
      const got = p.cmd === "suback"
        ? subscribe(h.fw, filters(n).map((topic) => ({ topic, qos: 0 })))
        : unsubscribe(h.fw, filters(n));
      expectId(check(got), id);
      h.transmit();
      break;
    }
    case "publish": {
      const alias = (p.properties as Properties | undefined)?.topicAlias;
      if (p.topic === "" && typeof alias === "number") {
        h.send(serverBytes({ cmd: "publish", topic: "vector/aliased", payload: Buffer.alloc(0), qos: 0, properties: { topicAlias: alias } }, v));
      }
      h.transmit();
      break;
    }
  }
  return h;
}
