// From parsed flags to what a run needs: the broker URL, the Device options, and the command's
// own settings. Checks one flag against another, the way mosquitto_pub/sub 2.0.11 do (-c needs
// -i, a will payload needs a will topic, --cert needs --key, ...). Throws UsageError.
import { usageError, isKind } from "../errors.ts";
import { randomBytes } from "node:crypto";
import type { DeviceOptions } from "../device.ts";
import type { Properties } from "../properties.ts";
import { parseBrokerUrl } from "../url.ts";
import { type ParsedArgs } from "./args.ts";
import { parsePropertyFlags } from "./properties-flag.ts";
import { checkFormat } from "./format.ts";
import { passwordCommand } from "../auth/password-command.ts";
import { authOptions } from "../auth/auth-options.ts";

const U32_MAX = 4294967295;

export type MessageSource =
  | { kind: "message"; payload: Buffer }
  | { kind: "file"; path: string }
  | { kind: "stdin-file" }
  | { kind: "stdin-line" }
  | { kind: "null" };

export interface CliConfig {
  command: "pub" | "sub";
  url: string;
  /** host:port for messages. */
  where: string;
  device: DeviceOptions;
  version: 4 | 5;
  topics: string[];
  qos: 0 | 1 | 2;
  disconnectProperties?: Properties;
  // pub
  source?: MessageSource;
  retain: boolean;
  repeat: number;
  repeatDelayMs: number;
  publishProperties?: Properties;
  // sub
  count?: number;
  timeoutS?: number;
  verbose: boolean;
  /** Print the byte accounting to stderr at the end. */
  stats: boolean;
  /** Do not print what the run survives (server DISCONNECT reasons, wrong-type acknowledgements). */
  quiet: boolean;
  /** The line to the broker when it is not the network: an AT modem, or raw MQTT on a serial port. */
  line?: {
    kind: "modem"; path: string; dialect: "esp-at" | "bg96"; baudRate: number; apn?: string; ssid?: string; wifiPassword?: string;
    host: string; port: number;
  }
    | { kind: "serial"; path: string; baudRate: number };
  subscribeProperties?: Properties;
  /** -d: print every packet both ways, decoded, with its bytes. */
  debug: boolean;
  /** The socket when it is not the URL's own: --unix, -A, --tls-version (mqtt:// and mqtts:// only). */
  socket?: { unix?: string; bindAddress?: string; tlsVersion?: "TLSv1.3" | "TLSv1.2" | "TLSv1.1" };
  // sub output (mosquitto_sub's -F, -N, -R, -T, --retained-only, --remove-retained, -U, -E)
  format?: string;
  eol: boolean;
  noRetained: boolean;
  retainedOnly: boolean;
  removeRetained: boolean;
  filterOut: string[];
  unsubscribe: string[];
  exitAfterSubscribe: boolean;
}

/** mosq-style generated client id: 'mote-' and 18 random letters and digits (23 characters, the 3.1.1 limit). */
function generateClientId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return "mote-" + [...randomBytes(18)].map((b) => alphabet[b % alphabet.length]).join("");
}

function checkPublishTopic(topic: string, what: string): void {
  if (topic.length === 0) throw usageError(`${what} is empty`);
  if (/[+#]/.test(topic)) throw usageError(`invalid ${what} '${topic}': a topic to publish to cannot contain '+' or '#'`);
}

function checkFilter(filter: string): void {
  if (filter.length === 0) throw usageError("a subscription topic is empty");
  const levels = filter.split("/");
  levels.forEach((level, i) => {
    const ok = (!level.includes("+") || level === "+") && (!level.includes("#") || (level === "#" && i === levels.length - 1));
    if (!ok) throw usageError(`invalid subscription topic '${filter}': '+' and '#' must fill a whole level, and '#' must be last`);
  });
}

/** -L mqtt(s)://[user[:password]@]host[:port]/topic, split the way mosquitto splits it (no URL decoding). */
function parseMosquittoUrl(text: string): { tls: boolean; host: string; port?: number; username?: string; password?: string; topic: string } {
  const m = /^(mqtts?):\/\/(.*)$/i.exec(text);
  if (!m) throw usageError(`-L takes mqtt://... or mqtts://... (for ws:// and wss:// use --url), not '${text}'`);
  const rest = m[2];
  const slash = rest.indexOf("/");
  if (slash < 0) throw usageError(`-L '${text}' has no topic (mqtt://host/topic)`);
  let auth = rest.slice(0, slash);
  const topic = rest.slice(slash + 1);
  let username: string | undefined;
  let password: string | undefined;
  const at = auth.lastIndexOf("@");
  if (at >= 0) {
    const cred = auth.slice(0, at);
    auth = auth.slice(at + 1);
    const colon = cred.indexOf(":");
    username = colon >= 0 ? cred.slice(0, colon) : cred;
    if (colon >= 0) password = cred.slice(colon + 1);
  }
  let host = auth;
  let port: number | undefined;
  const colon = auth.lastIndexOf(":");
  if (colon >= 0) {
    host = auth.slice(0, colon);
    const p = auth.slice(colon + 1);
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw usageError(`-L '${text}': invalid port '${p}'`);
    port = Number(p);
  }
  if (!host) throw usageError(`-L '${text}' has no host`);
  return { tls: m[1].toLowerCase() === "mqtts", host, port, username, password, topic };
}

export function buildConfig(a: ParsedArgs): CliConfig {
  const cmd = a.command;
  const bags = parsePropertyFlags(cmd, a.properties);
  if (a.properties.length > 0 && a.version === 4) throw usageError("-D (MQTT 5 properties) cannot be used with -V 311");
  const version: 4 | 5 = a.version ?? (a.properties.length > 0 || a.authMethod !== undefined ? 5 : 4);

  // Where to connect.
  const topics = [...a.topics];
  let username = a.username;
  let password = a.password;
  let url: string;
  let where: string;
  let tls: boolean;
  if (a.brokerUrl !== undefined) {
    for (const k of ["host", "port", "mqttUrl"] as const) {
      if (a[k] !== undefined) throw usageError(`--url cannot be combined with ${a.given[k]}`);
    }
    let parsed;
    try {
      parsed = parseBrokerUrl(a.brokerUrl);
    } catch (e) {
      throw isKind(e, "usage") ? e : usageError(String(e));
    }
    if ((parsed.scheme === "mqtt" || parsed.scheme === "mqtts") && !/^[a-z]+:\/\/[^/]*\/?$/i.test(a.brokerUrl)) {
      throw usageError(`--url takes no topic ('${a.brokerUrl}'); give the topic with -t`);
    }
    url = a.brokerUrl;
    where = `${parsed.host}:${parsed.port}`;
    tls = parsed.scheme === "mqtts" || parsed.scheme === "wss";
  } else {
    let host = a.host ?? "localhost";
    let port = a.port;
    tls = a.cafile !== undefined || port === 8883;
    if (a.mqttUrl !== undefined) {
      const l = parseMosquittoUrl(a.mqttUrl);
      host = l.host;
      port = l.port ?? (l.tls ? 8883 : 1883);
      tls = l.tls || a.cafile !== undefined || port === 8883;
      username = l.username ?? username;
      password = l.password ?? password;
      if (cmd === "pub") topics.splice(0, topics.length, l.topic);
      else topics.push(l.topic);
    }
    port ??= tls ? 8883 : 1883;
    const h = host.includes(":") ? `[${host}]` : host;
    url = `${tls ? "mqtts" : "mqtt"}://${h}:${port}`;
    where = `${host}:${port}`;
  }

  if ((a.cert === undefined) !== (a.key === undefined)) throw usageError("--cert and --key go together: give both or neither");
  if (!tls) {
    for (const k of ["cert", "key", "insecure"] as const) {
      if (a[k] !== undefined) throw usageError(`${a.given[k]} needs a TLS connection (--cafile, -p 8883, -L mqtts://, --url mqtts:// or wss://)`);
    }
  }

  // Topics.
  if (topics.length === 0) throw usageError(cmd === "pub" ? "no topic: give -t topic (or -L)" : "no topic: give -t filter (or -L)");
  if (cmd === "pub") {
    if (topics.length > 1) throw usageError("mote pub publishes to one topic: give -t once");
    checkPublishTopic(topics[0], "topic");
  } else {
    topics.forEach(checkFilter);
  }

  // Session.
  if (a.idPrefix !== undefined && a.clientId !== undefined) throw usageError("-i and -I cannot be used together");
  const clientId = a.idPrefix !== undefined ? `${a.idPrefix}${process.pid}` : a.clientId;
  const clean = !a.noClean;
  if (!clean && clientId === undefined) throw usageError("-c needs a client id: give -i id or -I prefix");
  if (a.clientId === "" && (!clean || (version === 5 && a.sessionExpiry))) throw usageError("-i: an empty client id cannot keep a session");
  if (a.password !== undefined && username === undefined && version === 4) throw usageError("-P needs -u with MQTT 3.1.1");
  if (a.passwordCommand !== undefined) {
    if (password !== undefined) throw usageError("give -P (or a password in -L) or --password-command, not both");
    if (username === undefined && version === 4) throw usageError("--password-command needs -u with MQTT 3.1.1");
  }
  const connect: Properties = { ...bags.connect };
  if (version === 5) {
    const expiry = a.sessionExpiry ?? (clean ? undefined : U32_MAX);
    if (expiry !== undefined && connect.sessionExpiryInterval !== undefined) {
      throw usageError("the session expiry interval is given twice (-x or -c, and -D connect session-expiry-interval)");
    }
    if (expiry === U32_MAX && clientId === undefined) throw usageError("a session that never expires needs a client id: give -i id");
    if (expiry) connect.sessionExpiryInterval = expiry;
  }

  // Will.
  if (a.willTopic === undefined) {
    for (const k of ["willPayload", "willQos", "willRetain"] as const) {
      if (a[k] !== undefined) throw usageError(`${a.given[k]} needs --will-topic`);
    }
    if (bags.will) throw usageError("-D will ... needs --will-topic");
  } else {
    checkPublishTopic(a.willTopic, "will topic");
  }

  const device: DeviceOptions = {
    protocolVersion: version,
    clientId: clientId ?? generateClientId(),
    maxInflight: a.maxInflight,
    clean,
    keepalive: a.keepalive ?? 60,
    ...authOptions(a, username, a.passwordCommand !== undefined ? passwordCommand(a.passwordCommand) : password, version),
    will: a.willTopic === undefined ? undefined : {
      topic: a.willTopic, payload: a.willPayload ?? "", qos: a.willQos ?? 0, retain: a.willRetain ?? false, properties: bags.will,
    },
    properties: Object.keys(connect).length > 0 ? connect : undefined,
    caFile: a.cafile,
    certFile: a.cert,
    keyFile: a.key,
    insecure: a.insecure,
  };

  // Serial lines.
  if (a.modem !== undefined && a.serial !== undefined) throw usageError("--modem and --serial are two different lines: give one");
  if (a.modem !== undefined && a.dialect === undefined) throw usageError("--modem needs --dialect esp-at or bg96");
  for (const k of ["dialect", "apn", "ssid", "wifiPassword"] as const) {
    if (a[k] !== undefined && a.modem === undefined) throw usageError(`${a.given[k]} goes with --modem`);
  }
  if (a.baud !== undefined && a.modem === undefined && a.serial === undefined) throw usageError(`${a.given.baud} goes with --modem or --serial`);
  if ((a.modem !== undefined || a.serial !== undefined) && (tls || url.startsWith("ws"))) {
    throw usageError("over --modem or --serial the MQTT stream is plain: TLS and WebSocket are not supported there");
  }
  let line: CliConfig["line"];
  if (a.modem !== undefined) {
    const u = new URL(url);
    if (a.wifiPassword !== undefined && a.ssid === undefined) throw usageError(`${a.given.wifiPassword} goes with --ssid`);
    line = {
      kind: "modem", path: a.modem, dialect: a.dialect!, baudRate: a.baud ?? 115200, apn: a.apn, ssid: a.ssid, wifiPassword: a.wifiPassword,
      host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(u.port) || 1883,
    };
  } else if (a.serial !== undefined) {
    line = { kind: "serial", path: a.serial, baudRate: a.baud ?? 115200 };
  }

  let socket: CliConfig["socket"];
  if (a.unix !== undefined || a.bindAddress !== undefined || a.tlsVersion !== undefined) {
    const flag = a.given.unix ?? a.given.bindAddress ?? a.given.tlsVersion;
    if (line || url.startsWith("ws")) throw usageError(`${flag} works on mqtt:// and mqtts:// connections only (not WebSocket, --modem or --serial)`);
    if (a.unix !== undefined) {
      for (const k of ["host", "port", "mqttUrl", "brokerUrl", "bindAddress"] as const) {
        if (a[k] !== undefined) throw usageError(`--unix cannot be combined with ${a.given[k]}`);
      }
    }
    if (a.tlsVersion !== undefined && !tls) throw usageError(`${a.given.tlsVersion} needs a TLS connection (--cafile, -p 8883, -L mqtts://, --url mqtts://)`);
    socket = { unix: a.unix, bindAddress: a.bindAddress, tlsVersion: a.tlsVersion };
    if (a.unix !== undefined) where = a.unix;
  }
  if (a.noRetained && a.retainedOnly) throw usageError("-R and --retained-only cannot be used together: -R drops what --retained-only keeps");
  a.filterOut.forEach(checkFilter);
  a.unsubscribe.forEach(checkFilter);
  if (a.format !== undefined) checkFormat(a.format);

  const config: CliConfig = {
    line, socket, debug: a.debug ?? false, format: a.format, eol: !a.noEol, noRetained: a.noRetained ?? false,
    retainedOnly: a.retainedOnly ?? false, removeRetained: a.removeRetained ?? false, filterOut: a.filterOut, unsubscribe: a.unsubscribe,
    exitAfterSubscribe: a.exitAfterSubscribe ?? false,
    command: cmd, url, where, device, version, topics, qos: (a.qos ?? 0) as 0 | 1 | 2,
    disconnectProperties: bags.disconnect, retain: a.retain ?? false, repeat: a.repeat ?? 1,
    repeatDelayMs: Math.round((a.repeatDelay ?? 0) * 1000), verbose: a.verbose ?? false, stats: a.stats ?? false, quiet: a.quiet ?? false,
    publishProperties: bags.publish, subscribeProperties: bags.subscribe, count: a.count, timeoutS: a.timeout,
  };

  if (cmd === "pub") {
    if (a.message !== undefined) config.source = { kind: "message", payload: Buffer.from(a.message, "utf8") };
    else if (a.file !== undefined) config.source = { kind: "file", path: a.file };
    else if (a.stdinFile) config.source = { kind: "stdin-file" };
    else if (a.stdinLine) config.source = { kind: "stdin-line" };
    else if (a.nullMessage) config.source = { kind: "null" };
    else throw usageError("no message: give one of -m message, -f file, -s, -l or -n");
    if (config.source.kind === "stdin-line" && (a.repeat !== undefined || a.repeatDelay !== undefined)) {
      throw usageError(`${a.given.repeat ?? a.given.repeatDelay} repeats one message: it does not go with -l`);
    }
    if (a.repeatDelay !== undefined && a.repeat === undefined) throw usageError("--repeat-delay needs --repeat");
  } else if (version === 5 && config.count !== undefined && config.count < 16 && connect.receiveMaximum === undefined) {
    // As mosquitto_sub does: with -C below the default window, ask for no more messages in flight than will be printed.
    connect.receiveMaximum = config.count;
    device.properties = connect;
  }
  return config;
}
