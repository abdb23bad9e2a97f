// What a Device is told (DeviceOptions, PublishOptions, SubscribeOptions), what it tells about a
// message (MessageInfo), what it holds for the broker's answer, and the firmware instance the
// options set up: the Device API's types and set-up, apart from its behaviour.
import { configure, type ConnectOptions, type QoS, type SubscriptionRequest } from "./commands.ts";

export type { QoS } from "./commands.ts";
import { Option, type PacketType } from "./abi.ts";
import { Firmware } from "./firmware.ts";
import { localError, statusText } from "./device-errors.ts";
import type { BrokerUrl } from "./url.ts";
import type { ConnectProperties, PublishProperties, SubscribeProperties } from "./properties.ts";
import type { Clock } from "./clock.ts";
import type { LinkTransport } from "./transports/transport.ts";
import type { TlsOptions } from "./transports/tls.ts";
import { ConnectCredentials, fixedPart, type CredentialSource } from "./device-credentials.ts";
import type { Authenticator } from "./auth/authenticator.ts";
import { DeviceAuth, type AuthHooks } from "./auth/device-auth.ts";
import { MoteError } from "./errors.ts";

export type { CredentialSource } from "./device-credentials.ts";

export interface DeviceOptions extends TlsOptions {
  /** 4 = MQTT 3.1.1 (default), 5 = MQTT 5.0. */
  protocolVersion?: 4 | 5;
  clientId?: string;
  /** Clean session / clean start (default true). */
  clean?: boolean;
  /** Seconds (default 60). */
  keepalive?: number;
  /** A value, or a function called before every CONNECT (reconnects too) for a fresh one (device-credentials.ts). */
  username?: CredentialSource<string>;
  password?: CredentialSource<string | Buffer>;
  will?: ConnectOptions["will"];
  /** CONNECT properties (MQTT 5). */
  properties?: ConnectProperties;
  /** Firmware budget profile (default "default"). */
  profile?: string;
  /** Reconnect after a lost connection (default true). */
  reconnect?: boolean;
  /** First reconnect delay in ms (default 1000; doubles up to reconnectMaxMs, with jitter). */
  reconnectPeriod?: number;
  reconnectMaxMs?: number;
  /** Bound on opening the connection (TCP, TLS) and then on the CONNACK, each, in ms (default 10000). */
  connectTimeout?: number;
  /** Seed of the reconnect jitter (default: random). */
  seed?: number;
  /** Resubscribe after a reconnect when the broker kept no session (default true). */
  resubscribe?: boolean;
  /** Largest incoming message reassembled for the "message" event (default 16 MiB); larger ones only come as chunks. */
  maxMessageBytes?: number;
  /**
   * Most QoS 1/2 messages in flight (default: the profile's INFLIGHT_COUNT_MAX, and at most 20 with
   * MQTT 3.1.1, which has no Receive Maximum: mosquitto, for one, drops QoS 2 beyond its window of
   * 20 without telling the client). MQTT 5 servers announce their own limit.
   */
  maxInflight?: number;
  /**
   * MQTT 5: treat a server that sends more unreleased QoS 2 messages than our Receive Maximum as
   * broken (DISCONNECT 0x93, the spec's rule). Default false: deliver them and count them
   * (counters().inboundQos2Overflow), because mosquitto 2.0.11 overruns the window in bursts
   * (it counts a message as done at PUBREC), and disconnecting then loses its queue.
   */
  strictReceiveMaximum?: boolean;
  /** Use an existing transport instead of one chosen from the URL (tests, serial modems). */
  transport?: LinkTransport;
  /** Time and timers of the host loop (default: real time; tests and simulations pass a VirtualClock). */
  clock?: Clock;
  /** MQTT 5 enhanced authentication (a method such as scramSha256() from host/auth): the CONNECT's method and data, challenges, re-authentication. */
  auth?: Authenticator;
}


export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  properties?: PublishProperties;
}

/** Options for every filter given by name; a SubscriptionRequest carries its own. */
export interface SubscribeOptions extends Omit<SubscriptionRequest, "topic"> {
  properties?: SubscribeProperties;
}

export interface MessageInfo {
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Packet identifier (0 for QoS 0). */
  messageId: number;
  properties?: PublishProperties;
  /** The topic alias the broker used, when it used one. */
  topicAlias?: number;
}

/** A publish the Device holds until the firmware takes it and the broker completes it. */
export interface PendingPublish {
  topic: Buffer;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: Buffer;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** A SUBSCRIBE or UNSUBSCRIBE the Device holds until the broker answers it. */
export interface PendingRequest {
  type: PacketType.SUBSCRIBE | PacketType.UNSUBSCRIBE;
  subs: SubscriptionRequest[];
  properties?: Buffer;
  resolve: (codes: number[]) => void;
  reject: (e: Error) => void;
  /** Internal resubscription after a lost session: no caller waits. */
  internal?: boolean;
}

/** A subscription as subscribe() takes it: a filter, or a request with its own options. */
export type SubscribeFilters = string | string[] | SubscriptionRequest[];

/**
 * A firmware instance set up as the options ask: reconnect policy, seed, timeouts, in-flight
 * window, and the CONNECT it sends (credentials from the URL unless given; functions are called
 * before each connection by the credentials returned with it).
 */
export function deviceFirmware(o: DeviceOptions, url: BrokerUrl, auth?: DeviceAuth): { fw: Firmware; credentials: ConnectCredentials } {
  const fw = new Firmware(o.profile ?? "default");
  const ex = fw.exports;
  ex.setOption(Option.AutoReconnect, o.reconnect === false ? 0 : 1);
  ex.setOption(Option.Seed, (o.seed ?? Math.floor(Math.random() * 0xffffffff)) >>> 0 || 1);
  if (o.reconnectPeriod !== undefined) ex.setOption(Option.ReconnectBaseMs, o.reconnectPeriod);
  if (o.reconnectMaxMs !== undefined) ex.setOption(Option.ReconnectMaxMs, o.reconnectMaxMs);
  if (o.connectTimeout !== undefined) ex.setOption(Option.ConnackTimeoutMs, o.connectTimeout);
  const version = o.protocolVersion ?? 4;
  ex.setOption(Option.InflightMax, o.maxInflight ?? (version === 4 ? 20 : 65535));
  ex.setOption(Option.StrictReceiveMaximum, o.strictReceiveMaximum ? 1 : 0);
  const connect: ConnectOptions = {
    version,
    clientId: o.clientId ?? `mote-${Math.random().toString(16).slice(2, 10)}`,
    clean: o.clean,
    keepalive: o.keepalive ?? 60,
    username: fixedPart(o.username ?? url.username),
    password: fixedPart(o.password ?? url.password),
    will: o.will,
    properties: o.properties,
  };
  const rc = configure(fw, connect);
  if (rc !== 0) throw localError(`invalid connect options: ${statusText(-rc)}`, -rc);
  const authProperties = auth && (() => auth.connectProperties());
  return { fw, credentials: new ConnectCredentials(fw, connect, o.username ?? url.username, o.password ?? url.password, authProperties) };
}

/** The enhanced authentication the options ask for (MQTT 5 only), run through the Device's hooks. */
export function deviceAuth(o: DeviceOptions, hooks: AuthHooks): DeviceAuth | undefined {
  if (!o.auth) return undefined;
  if ((o.protocolVersion ?? 4) !== 5) throw new MoteError("enhanced authentication (auth) needs MQTT 5: set protocolVersion: 5", "usage");
  return new DeviceAuth(o.auth, hooks);
}
