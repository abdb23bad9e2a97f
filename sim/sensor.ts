// One simulated sensor: its own firmware instance (its own budget, buffers and session), the
// host loop binding it to a connection, and a model producing its readings. It publishes one
// reading per interval (± jitter) with its id, a sequence number and a timestamp in the payload,
// so the observer can verify delivery whatever the topic. State is kept small: a fleet holds many thousands of these.
import { Firmware } from "../host/firmware.ts";
import { configure, publishBytes, type ConnectOptions } from "../host/commands.ts";
import { encodeProperties, setProperties } from "../host/properties.ts";
import { ConnectCredentials, fixedPart } from "../host/device-credentials.ts";
import { DeviceAuth } from "../host/auth/device-auth.ts";
import { isKind } from "../host/errors.ts";
import type { FirmwareEvent } from "../host/events.ts";
import { EventType, Option } from "../host/abi.ts";
import { Link } from "../host/link.ts";
import type { Duplex } from "node:stream";
import { createModel, type SensorModel } from "./models.ts";
import { encodePayload } from "./payload.ts";
import { Prng, sensorSeed } from "./prng.ts";
import { wireFraming } from "./wire-meter.ts";
import type { GroupRun } from "./group.ts";
import { loginOf } from "./credentials.ts";
import { RETURN_CODES_311, isTransientRefusal, reasonLine } from "../host/device-errors.ts";
import { Timer, type FleetClock } from "./fleet-clock.ts";

/** What the fleet shares with every sensor. */
export interface SensorEnv {
  version: 4 | 5;
  keepaliveS: number;
  seed: number;
  clientPrefix: string;
  topicAliases: boolean;
  /** ms since the fleet started (the payload timestamp). */
  clock: () => number;
  /** The one scheduler of the process's sensors: their readings and their host loops' timers. */
  timers: FleetClock;
  /** Publishing stops at this clock value. */
  stopAtMs: number;
  onConnectionChange(delta: 1 | -1): void;
  onTransportError(e: Error): void;
  /** The broker refused a CONNECT (bad user name or password, not authorised, ...): an error of the run. */
  onConnectRefused(e: Error): void;
}

/** MQTT 3.1.1 has no Receive Maximum; mosquitto drops QoS 2 beyond its window of 20 (see host/device.ts). */
const INFLIGHT_MAX_V311 = 20;
/** MQTT 5: how long the broker keeps a sensor's session after a lost connection (seconds). */
const SESSION_EXPIRY_S = 3600;

export class Sensor {
  seq = 0;
  connected = false;
  reconnects = 0;
  /** QoS 1/2 messages held by the firmware: accepted, not yet acknowledged (PUBACK, PUBCOMP). */
  pending = 0;
  private readonly fw: Firmware;
  private readonly link: Link;
  private readonly model: SensorModel;
  private readonly topic: Buffer;
  private readonly prng: Prng;
  private readonly upFraming = wireFraming();
  private readonly downFraming = wireFraming();
  /** The next reading; armed again by each one, so a reading allocates no timer and no closure. */
  private readonly reading = new Timer(() => this.tick());
  private everConnected = false;
  /** When this connection's CONNECT went out (NaN: not yet, or its CONNACK already came). */
  private connectSentAt = NaN;
  private awaitingConnack = true;
  private readonly auth: DeviceAuth | undefined;

  /** `fw`: a firmware instance of the group's profile made beforehand (Fleet.startSensors), else one is made here. */
  constructor(readonly id: number, readonly group: GroupRun, private readonly env: SensorEnv, open?: () => Duplex, fw = new Firmware(group.cfg.profile)) {
    const cfg = group.cfg;
    const seed = sensorSeed(env.seed, id);
    this.prng = new Prng(seed);
    this.model = createModel(cfg.model, env.seed, id);
    this.topic = Buffer.from(group.topicOf(id), "utf8");
    this.fw = fw;
    fw.exports.setOption(Option.AutoReconnect, 1);
    fw.exports.setOption(Option.Seed, seed);
    fw.exports.setOption(Option.InflightMax, env.version === 4 ? INFLIGHT_MAX_V311 : 65535);
    fw.exports.setOption(Option.TopicAliasOut, env.topicAliases ? 1 : 0);
    // A sensor publishing at QoS 1/2 keeps its session across lost connections, as on hardware:
    // 3.1.1 with Clean Session 0; 5.0 with Clean Start and a Session Expiry Interval.
    const persistent = cfg.qos > 0;
    const login = loginOf(cfg.credentials, id, env.version);
    const connect: ConnectOptions = {
      version: env.version,
      clientId: `${env.clientPrefix}${id}`,
      username: fixedPart(login.username),
      password: fixedPart(login.password),
      clean: env.version === 5 || !persistent,
      keepalive: env.keepaliveS,
      properties: env.version === 5 && persistent ? { sessionExpiryInterval: SESSION_EXPIRY_S } : undefined,
    };
    const rc = configure(fw, connect);
    if (rc !== 0) throw new Error(`sensor ${id}: the firmware refused its connect options (status ${-rc})`);
    // Enhanced authentication and credentials computed per connection run as they do in a Device.
    this.auth = login.auth && new DeviceAuth(login.auth, {
      send: (reason, props) => {
        setProperties(fw, encodeProperties(props));
        const sent = fw.exports.auth(reason);
        this.link.service();
        return sent;
      },
      fail: (e, reason) => {
        env.onConnectRefused(e);
        this.link.end(reason);
      },
    });
    const credentials = new ConnectCredentials(fw, connect, login.username, login.password, this.auth && (() => this.auth!.connectProperties()));
    this.link = new Link(fw, {
      open: open ?? (() => group.open()),
      clock: env.timers,
      prepare: credentials.dynamic ? () => credentials.prepare() : undefined,
      onEvent: (ev) => this.onEvent(ev),
      onTransmit: (b) => this.onTransmit(b),
      onReceive: (b) => group.down.add(this.downFraming, b),
      // A login that cannot be made (a failing password command) keeps the sensor out, as a refusal does.
      onTransportError: (e) => (isKind(e, "credentials") || isKind(e, "auth") ? env.onConnectRefused(e) : env.onTransportError(e)),
      onTransportClosed: () => this.onClosed(),
    });
  }

  /** Connects and starts publishing; the first reading comes at a random phase of the interval. */
  start(): void {
    this.link.start();
    this.schedule(this.prng.next() * this.group.cfg.intervalMs);
  }

  /** Stops publishing (what is in flight still completes). */
  stopPublishing(): void {
    this.env.timers.disarm(this.reading);
  }

  end(): void {
    this.stopPublishing();
    this.link.end();
  }

  private schedule(delayMs: number): void {
    this.env.timers.arm(this.reading, delayMs);
  }

  private tick(): void {
    const now = this.env.clock();
    if (now >= this.env.stopAtMs) return;
    const cfg = this.group.cfg;
    const payload = encodePayload(cfg.payload, { id: this.id, seq: this.seq, ts: Math.round(now) }, this.model.next(now));
    const rc = publishBytes(this.fw, this.topic, payload, cfg.qos, false);
    if (rc >= 0) {
      this.seq++;
      this.group.published++;
      if (cfg.qos > 0) this.queued(1);
      if (this.group.payloadSizes.length < 10_000) this.group.payloadSizes.push(payload.length);
    } else this.group.refused++;
    this.link.service();
    const j = cfg.jitterMs;
    this.schedule(cfg.intervalMs + (j > 0 ? (this.prng.next() * 2 - 1) * j : 0));
  }

  private onTransmit(b: Uint8Array): void {
    // A connection's first bytes are its CONNECT.
    if (this.awaitingConnack && Number.isNaN(this.connectSentAt)) this.connectSentAt = this.env.clock();
    this.group.up.add(this.upFraming, b);
  }

  /** QoS 1/2 messages the firmware holds (accepted, not yet acknowledged): the sensor's queue. */
  private queued(delta: 1 | -1): void {
    this.pending += delta;
    if (this.pending > this.group.maxQueued) this.group.maxQueued = this.pending;
  }

  private onEvent(ev: FirmwareEvent): void {
    const { type, reason } = ev;
    if (type === EventType.PublishDone) return this.queued(-1);
    if (type === EventType.Auth) void this.auth?.onAuth(reason, ev.properties);
    if (type === EventType.ConnectRefused) {
      // As the Device API does: a refusal that retrying cannot cure (bad credentials) ends the retries.
      if (!isTransientRefusal(reason)) this.fw.exports.setOption(Option.AutoReconnect, 0);
      const rc311 = this.env.version === 4 ? RETURN_CODES_311.get(reason) : undefined;
      this.env.onConnectRefused(new Error(`connection refused: ${reasonLine(reason)}${rc311 ? `, MQTT 3.1.1 return code ${rc311}` : ""}`));
      return;
    }
    if (type !== EventType.Connected || (this.auth && !this.auth.onConnected(ev.properties))) return;
    this.group.connects++;
    if (!Number.isNaN(this.connectSentAt)) this.group.connectMs.push(Math.round(this.env.clock() - this.connectSentAt));
    this.awaitingConnack = false;
    this.connectSentAt = NaN;
    if (this.everConnected) {
      this.group.reconnects++;
      this.reconnects++;
    }
    this.everConnected = true;
    if (!this.connected) this.env.onConnectionChange(1);
    this.connected = true;
  }

  private onClosed(): void {
    this.upFraming.reset();
    this.downFraming.reset();
    this.awaitingConnack = true;
    this.connectSentAt = NaN;
    this.auth?.onClosed("the connection closed");
    if (this.connected) this.env.onConnectionChange(-1);
    this.connected = false;
  }
}
