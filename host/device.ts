// The Device API: one firmware instance on a real network, with a promise/event API that
// feels like MQTT.js. `connect(url, options)` returns a Device; publish/subscribe/unsubscribe
// return promises settled by the broker's acknowledgement (or its reason code); events are
// connect, message, messageChunk, reconnect, offline, close, error, warning, stopped, end, dropped
// and auth, with their arguments in DeviceEvents (device-events.ts).
//
// The firmware does the protocol; this class only queues what the firmware cannot take yet
// (outbox full, in-flight window full, offline), maps acknowledgements to promises and copies
// bytes in and out.
import { EventType, Option, PacketType, SessionState, Status } from "./abi.ts";
import { connectionOverError, isTransientRefusal, localError, quoteTopic, reasonLine, statusText, transportError, wrongAckLine } from "./device-errors.ts";
import { MoteError } from "./errors.ts";
import { Firmware } from "./firmware.ts";
import { connectProperties, publishBytes, request, type SubscriptionRequest } from "./commands.ts";
import { encodeProperties, setProperties, type ConnectProperties, type DisconnectProperties, type UnsubscribeProperties } from "./properties.ts";
import { DeviceEmitter, type ConnackInfo } from "./device-events.ts";
import type { FirmwareEvent } from "./events.ts";
import { Link, type ClosedInfo } from "./link.ts";
import type { DeviceAuth } from "./auth/device-auth.ts";
import { Queue } from "./queue.ts";
import { TopicCache } from "./topic-cache.ts";
import { MAX_MESSAGE_BYTES_DEFAULT, MessageAssembly } from "./message-assembly.ts";
import { PacketMeter } from "./packet-meter.ts";
import { parseBrokerUrl } from "./url.ts";
import { transportFor } from "./transports/select.ts";
import type { LinkTransport } from "./transports/transport.ts";
import {
  deviceAuth, deviceFirmware, type DeviceOptions, type PendingPublish, type PendingRequest, type PublishOptions, type SubscribeFilters, type SubscribeOptions,
} from "./device-options.ts";

export { MqttError, reasonLine } from "./device-errors.ts";
export type { CredentialSource, DeviceOptions, MessageInfo, PublishOptions, QoS, SubscribeFilters, SubscribeOptions } from "./device-options.ts";
export type { AuthInfo, ChunkInfo, ConnackInfo, DeviceEvents, TypedEmitter } from "./device-events.ts";
export type { SubscriptionRequest } from "./commands.ts";
export type * from "./property-types.ts";
export { MoteError, type ErrorKind } from "./errors.ts";

const EMPTY = Buffer.alloc(0);

export class Device extends DeviceEmitter {
  readonly fw: Firmware;
  readonly transport: LinkTransport;
  /** MQTT bytes per packet type, each direction. */
  readonly sentBytes = new PacketMeter();
  readonly receivedBytes = new PacketMeter();
  connected = false;
  /** The last CONNACK accepted: session present, and its properties (MQTT 5). */
  connack: ConnackInfo | undefined;
  private readonly link: Link;
  private readonly publishQueue = new Queue<PendingPublish>();
  private readonly inflight = new Map<number, PendingPublish>();
  private readonly requestQueue = new Queue<PendingRequest>();
  private readonly requests = new Map<number, PendingRequest>();
  private readonly subscriptions = new Map<string, SubscriptionRequest>();
  private everConnected = false;
  private ending: Promise<void> | undefined;
  /** Messages larger than RX arrive in chunks: passed on, and reassembled up to maxMessageBytes. */
  private readonly assembly = new MessageAssembly(
    (topic, payload, info) => this.emit("message", topic, payload, info),
    (topic, chunk, info) => this.emit("messageChunk", topic, chunk, info));
  private pumpScheduled = false;
  /** Wrong-type acknowledgements already reported (type/QoS). */
  private readonly warnedAcks = new Set<string>();
  /** PROPS may hold properties a refused command did not consume. */
  private propsLeft = true;
  private readonly topicCache = new TopicCache();
  private readonly auth: DeviceAuth | undefined;
  /** Why the current connection is ending, when the broker said or did something (for an exchange it cuts short). */
  private lastError: MoteError | undefined;

  constructor(url: string, private readonly o: DeviceOptions = {}) {
    super();
    const parsed = parseBrokerUrl(url);
    try {
      this.transport = o.transport ?? transportFor(parsed, o);
    } catch (e) {
      throw e instanceof MoteError ? e : new MoteError((e as Error).message, "io");
    }
    this.auth = deviceAuth(o, {
      send: (reason, props) => {
        this.useProperties(encodeProperties(props));
        const rc = this.fw.exports.auth(reason);
        this.link.service();
        return rc;
      },
      fail: (e, reason) => {
        this.emit("error", e);
        this.link.end(reason);
      },
    });
    const { fw, credentials } = deviceFirmware(o, parsed, this.auth);
    this.link = new Link((this.fw = fw), {
      open: () => this.transport.open(),
      prepare: credentials.dynamic || this.transport.prepare ? () => this.prepareConnection(credentials) : undefined,
      clock: o.clock,
      openTimeoutMs: o.connectTimeout,
      onEvent: (ev) => this.onFirmwareEvent(ev),
      onTransmit: (b) => this.sentBytes.add(b),
      onReceive: (b) => this.receivedBytes.add(b),
      onTransportError: (e) => {
        const err = transportError(e, parsed.host, parsed.port);
        // A certificate that fails now fails at every retry: stop, as for a refused login.
        if (err.permanent) this.fw.exports.setOption(Option.AutoReconnect, 0);
        this.emit("error", err);
      },
      onTransportClosed: (info) => this.onTransportClosed(info),
    });
    this.receivedBytes.watch((type, id) => this.checkAck(type, id));
    this.link.start();
  }

  /** The CONNECT properties actually sent (with the budget's announcements added). */
  connectProperties(): ConnectProperties | undefined {
    return connectProperties(this.fw, { version: this.o.protocolVersion ?? 4, properties: this.o.properties });
  }

  publish(topic: string, payload: string | Uint8Array, opts: PublishOptions = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ending) return reject(new MoteError("the device is ending", "ended"));
      const p: PendingPublish = {
        topic: this.topicCache.bytes(topic),
        // Buffers are not copied (as in MQTT.js): do not change one before its promise settles.
        payload: typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
        qos: opts.qos ?? 0,
        retain: opts.retain ?? false,
        properties: opts.properties ? encodeProperties(opts.properties) : undefined,
        resolve,
        reject,
      };
      this.publishQueue.push(p);
      this.schedule();
    });
  }

  subscribe(filters: SubscribeFilters, opts: SubscribeOptions = {}): Promise<number[]> {
    const subs: SubscriptionRequest[] = (Array.isArray(filters) ? filters : [filters]).map((f) =>
      typeof f === "string" ? { topic: f, qos: opts.qos ?? 0, nl: opts.nl, rap: opts.rap, rh: opts.rh } : f);
    return this.request(PacketType.SUBSCRIBE, subs, opts.properties);
  }

  unsubscribe(topics: string | string[], opts: { properties?: UnsubscribeProperties } = {}): Promise<number[]> {
    const subs = (Array.isArray(topics) ? topics : [topics]).map((topic) => ({ topic }));
    return this.request(PacketType.UNSUBSCRIBE, subs, opts.properties);
  }

  /** DISCONNECT (normal, or with a v5 reason), then close; resolves once the transport is closed. */
  end(reason = 0, properties?: DisconnectProperties): Promise<void> {
    if (this.ending) return this.ending;
    this.ending = new Promise((resolve) => {
      const done = () => {
        this.rejectAll(new MoteError("the device ended before the broker acknowledged", "ended"));
        void Promise.resolve(this.transport.close?.()).catch(() => {}).then(() => {
          this.emit("end");
          resolve();
        });
      };
      if (properties) setProperties(this.fw, encodeProperties(properties));
      if (!this.link.open) {
        this.link.end(reason); // stops a pending reconnect
        return queueMicrotask(done);
      }
      this.once("close", done);
      this.link.end(reason);
    });
    return this.ending;
  }

  /** Fresh key material and credentials for the next connection (either may be computed per connection). */
  private async prepareConnection(credentials: ReturnType<typeof deviceFirmware>["credentials"]): Promise<void> {
    await this.transport.prepare?.();
    await credentials.prepare();
  }

  /** MQTT 5 re-authentication (AUTH 0x19) with the `auth` option's method; settles with the broker's answer. */
  reauthenticate(): Promise<void> {
    return this.auth ? this.auth.reauthenticate() : Promise.reject(new MoteError("reauthenticate() needs the auth option (MQTT 5)", "usage"));
  }

  /** Drops the connection without DISCONNECT, as a broken link would (the device reconnects). */
  dropConnection(): void {
    this.link.drop();
  }

  /** Bytes on the wire per direction, including TLS / WebSocket framing, when the transport knows them. */
  wireBytes() {
    return this.transport.wireBytes();
  }

  counters() {
    return this.fw.counters();
  }

  // ---- internals ----
  /**
   * Puts the next command's properties in PROPS. A command that succeeds consumes them, so an
   * empty set needs a call only after one that did not (it may have left some behind).
   */
  private useProperties(props: Buffer | undefined): void {
    if (props === undefined || props.length === 0) {
      if (!this.propsLeft) return;
      setProperties(this.fw, EMPTY);
      this.propsLeft = false;
      return;
    }
    setProperties(this.fw, props);
    this.propsLeft = true;
  }

  private request(type: PendingRequest["type"], subs: SubscriptionRequest[], properties?: SubscribeOptions["properties"]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      if (this.ending) return reject(new MoteError("the device is ending", "ended"));
      if (subs.length === 0) return reject(new MoteError("no topic filter given", "usage"));
      this.requestQueue.push({ type, subs, properties: properties ? encodeProperties(properties) : undefined, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Runs pump() once after the current task: publishes made together go out together (one TX
   * drain, one socket write), and event handlers never re-enter the host loop.
   */
  private schedule(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Hands queued work to the firmware while it takes it, running the host loop in between. */
  private pump(): void {
    const fw = this.fw;
    for (let round = 0; round < 1_000_000; round++) {
      let progress = false;
      while (this.publishQueue.length > 0) {
        const p = this.publishQueue.peek()!;
        const rc = this.firmwarePublish(p);
        if (rc === -Status.OutboxFull || rc === -Status.NoSlot) break; // wait for transmit or acknowledgements
        this.publishQueue.shift();
        progress = true;
        if (rc < 0) p.reject(localError(`publish to ${quoteTopic(p.topic)} refused: ${statusText(-rc)}`, -rc));
        else if (p.qos === 0) p.resolve();
        else this.inflight.set(rc, p);
      }
      // Between a server DISCONNECT (or a violation, a timeout) and the close, the firmware is
      // Closing: requests wait for the next connection instead of being refused.
      const live = this.connected && fw.exports.sessionState() === SessionState.Connected;
      while (live && this.requestQueue.length > 0) {
        const r = this.requestQueue.peek()!;
        let rc: number;
        try {
          this.useProperties(r.properties);
          rc = request(fw, r.type, r.subs);
        } catch {
          rc = -Status.TooLarge; // the filters or properties do not fit SCRATCH / PROPS
        }
        if (rc === -Status.WouldBlock || rc === -Status.NoSlot) break; // TX or request slots full: retried after the next event
        this.requestQueue.shift();
        progress = true;
        if (rc < 0) r.reject(localError(`${r.type === PacketType.SUBSCRIBE ? "subscribe" : "unsubscribe"} refused: ${statusText(-rc)}`, -rc));
        else this.requests.set(rc, r);
      }
      this.link.service();
      // Transmitting freed outbox room (QoS 0 leaves it once sent): go again while that helps.
      if (!progress || this.publishQueue.length === 0 || !this.connected) break;
    }
  }

  private firmwarePublish(p: PendingPublish): number {
    if ((p.properties?.length ?? 0) > this.fw.propsSize) return -Status.TooLarge;
    this.useProperties(p.properties);
    return publishBytes(this.fw, p.topic, p.payload, p.qos, p.retain);
  }

  private onFirmwareEvent(ev: FirmwareEvent): void {
    switch (ev.type) {
      case EventType.Connected: {
        if (this.auth && !this.auth.onConnected(ev.properties)) break; // the server did not prove itself: closing
        this.connected = true;
        const resumed = this.everConnected;
        this.everConnected = true;
        if (resumed && !ev.sessionPresent && this.o.resubscribe !== false) this.resubscribe();
        this.connack = { sessionPresent: !!ev.sessionPresent, properties: ev.properties };
        this.emit("connect", this.connack);
        this.schedule();
        break;
      }
      case EventType.ConnectRefused: {
        const err = new MoteError(`connection refused: ${reasonLine(ev.reason)}`, "refused",
          { reasonCode: ev.reason, permanent: !isTransientRefusal(ev.reason) });
        if (err.permanent) this.fw.exports.setOption(Option.AutoReconnect, 0);
        this.emit("error", err);
        break;
      }
      case EventType.Message:
        this.onMessage(ev);
        break;
      case EventType.PublishDone: {
        const p = this.inflight.get(ev.packetId);
        if (!p) break;
        this.inflight.delete(ev.packetId);
        const refused = `publish to ${quoteTopic(p.topic)} refused by the broker: ${reasonLine(ev.reason)}`;
        if (ev.reason >= 0x80) p.reject(new MoteError(refused, "rejected", { reasonCode: ev.reason }));
        else p.resolve();
        this.schedule();
        break;
      }
      case EventType.SubscribeDone:
      case EventType.UnsubscribeDone: {
        const r = this.requests.get(ev.packetId);
        if (!r) break;
        this.requests.delete(ev.packetId);
        const codes = ev.codes ?? [];
        if (r.type === PacketType.SUBSCRIBE) r.subs.forEach((s, i) => { if ((codes[i] ?? 0x80) < 0x80) this.subscriptions.set(s.topic, s); });
        else r.subs.forEach((s) => this.subscriptions.delete(s.topic));
        r.resolve(codes);
        this.schedule();
        break;
      }
      case EventType.ServerDisconnect:
      case EventType.ProtocolViolation:
      case EventType.Timeout:
        this.lastError = connectionOverError(ev, this.o.protocolVersion ?? 4, this.fw.budget("TOPIC_ALIAS_TOPIC_BYTES"))!;
        this.emit("error", this.lastError);
        break;
      case EventType.ReconnectDue:
        this.emit("reconnect");
        break;
      case EventType.MessageDropped:
        this.emit("dropped", ev.value ?? 0);
        break;
      case EventType.Auth:
        this.emit("auth", { reasonCode: ev.reason, properties: ev.properties });
        void this.auth?.onAuth(ev.reason, ev.properties);
        break;
    }
  }

  /** Says once per kind when the broker acknowledges a message in flight with the wrong packet type. */
  private checkAck(type: PacketType, id: number): void {
    const p = this.inflight.get(id);
    const line = p && wrongAckLine(type, id, p.qos);
    if (!line || this.warnedAcks.has(`${type}/${p.qos}`)) return;
    this.warnedAcks.add(`${type}/${p.qos}`);
    this.emit("warning", line);
  }

  private onMessage(ev: FirmwareEvent): void {
    this.assembly.add(ev, this.o.maxMessageBytes ?? MAX_MESSAGE_BYTES_DEFAULT);
  }

  private onTransportClosed(info: ClosedInfo): void {
    // A broker at its connection limit (or refusing in its own way) reads CONNECT and closes.
    if (info.beforeConnack) this.emit("error", (this.lastError = new MoteError("connection closed by the broker before CONNACK", "network")));
    this.auth?.onClosed(this.lastError?.message ?? "the connection closed");
    this.lastError = undefined;
    const was = this.connected;
    this.connected = false;
    this.assembly.reset();
    // The firmware forgot requests in flight (no SUBACK comes on a new connection): ask again later.
    for (const [, r] of this.requests) this.requestQueue.unshift(r);
    this.requests.clear();
    if (was) this.emit("offline");
    this.emit("close");
    if (this.fw.exports.sessionState() === 0 && !this.ending) {
      // Idle for good: reconnect is off or was stopped by a refusal or a certificate problem.
      this.rejectAll(new MoteError("the connection is closed and the device does not reconnect", "ended"));
      this.emit("stopped");
    }
  }

  private resubscribe(): void {
    const subs = [...this.subscriptions.values()];
    for (let i = 0; i < subs.length; i += 16) {
      this.requestQueue.push({ type: PacketType.SUBSCRIBE, subs: subs.slice(i, i + 16), resolve: () => {}, reject: () => {}, internal: true });
    }
  }

  private rejectAll(err: Error): void {
    for (const p of this.publishQueue.drain()) p.reject(err);
    for (const [, p] of this.inflight) p.reject(err);
    this.inflight.clear();
    for (const r of this.requestQueue.drain()) r.reject(err);
    for (const [, r] of this.requests) r.reject(err);
    this.requests.clear();
  }
}
