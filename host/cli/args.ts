// The flag parser of `mote pub` / `mote sub`: one table (flag names, arity, which commands accept
// it, how its value is checked, its help line) and one pass over argv. Spelling and value rules
// follow mosquitto_pub / mosquitto_sub 2.0.11; what this file cannot judge alone (one flag
// against another) is left to config.ts. Pure: no I/O, throws UsageError.

import { usageError } from "../errors.ts";
export type Command = "pub" | "sub";


/** How a flag's value is read: a string as given, or a checked number. */
export type ValueKind =
  | { type: "string" }
  | { type: "int"; min: number; max: number }
  | { type: "seconds" } // a non-negative decimal number
  | { type: "expiry" } // 0..4294967295, or -1 / ∞ for "never"
  | { type: "choice"; choices: Record<string, string | number>; label: string };

export interface FlagSpec {
  /** Every spelling, the short one first. */
  names: readonly string[];
  /** Field of ParsedArgs it sets. */
  key: keyof ParsedArgs;
  /** 0: a switch; 1: one value; "property": -D command property value (two values for user-property). */
  arity: 0 | 1 | "property";
  commands: readonly Command[];
  /** Collected into an array instead of the last one winning. */
  multiple?: boolean;
  /** Flags of one group exclude each other (the message source of pub). */
  group?: string;
  value?: ValueKind;
  /** Placeholder for --help. */
  arg?: string;
  help: string;
}

export interface ParsedArgs {
  command: Command;
  help?: boolean;
  host?: string;
  port?: number;
  topics: string[];
  qos?: number;
  clientId?: string;
  username?: string;
  password?: string;
  passwordCommand?: string;
  authMethod?: string;
  authData?: string;
  keepalive?: number;
  version?: 4 | 5;
  noClean?: boolean;
  sessionExpiry?: number;
  mqttUrl?: string;
  brokerUrl?: string;
  properties: string[][];
  willTopic?: string;
  willPayload?: string;
  willQos?: number;
  willRetain?: boolean;
  cafile?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  stats?: boolean;
  quiet?: boolean;
  modem?: string;
  dialect?: "esp-at" | "bg96";
  apn?: string;
  ssid?: string;
  wifiPassword?: string;
  serial?: string;
  baud?: number;
  debug?: boolean;
  idPrefix?: string;
  bindAddress?: string;
  unix?: string;
  tlsVersion?: "TLSv1.3" | "TLSv1.2" | "TLSv1.1";
  // pub
  maxInflight?: number;
  message?: string;
  file?: string;
  stdinFile?: boolean;
  stdinLine?: boolean;
  nullMessage?: boolean;
  retain?: boolean;
  repeat?: number;
  repeatDelay?: number;
  // sub
  count?: number;
  timeout?: number;
  verbose?: boolean;
  format?: string;
  noEol?: boolean;
  noRetained?: boolean;
  retainedOnly?: boolean;
  removeRetained?: boolean;
  exitAfterSubscribe?: boolean;
  filterOut: string[];
  unsubscribe: string[];
  /** The spelling each field was given with (for messages about one flag against another). */
  given: Partial<Record<keyof ParsedArgs, string>>;
}

const BOTH: readonly Command[] = ["pub", "sub"];
const PUB: readonly Command[] = ["pub"];
const SUB: readonly Command[] = ["sub"];
const QOS: ValueKind = { type: "int", min: 0, max: 2 };
const U32_MAX = 4294967295;

export const FLAGS: readonly FlagSpec[] = [
  { names: ["-h", "--host"], key: "host", arity: 1, commands: BOTH, arg: "host", help: "broker host (default localhost)" },
  { names: ["-p", "--port"], key: "port", arity: 1, commands: BOTH, arg: "port", value: { type: "int", min: 1, max: 65535 },
    help: "broker port (default 1883, or 8883 with --cafile; -p 8883 alone means TLS)" },
  { names: ["-L"], key: "mqttUrl", arity: 1, commands: BOTH, arg: "url",
    help: "mqtt(s)://[user[:password]@]host[:port]/topic: host, port, credentials and topic at once" },
  { names: ["--url"], key: "brokerUrl", arity: 1, commands: BOTH, arg: "url",
    help: "broker URL without a topic: mqtt://, mqtts://, ws:// or wss://host[:port][/path] (not with -h, -p, -L)" },
  { names: ["-t", "--topic"], key: "topics", arity: 1, commands: BOTH, multiple: true, arg: "topic",
    help: "pub: the topic to publish to; sub: a topic filter to subscribe to (repeat for several)" },
  { names: ["-q", "--qos"], key: "qos", arity: 1, commands: BOTH, arg: "0|1|2", value: QOS,
    help: "pub: QoS of the messages; sub: QoS of the subscriptions (default 0)" },
  { names: ["-i", "--id"], key: "clientId", arity: 1, commands: BOTH, arg: "id",
    help: "client identifier (default: a random mote-... id)" },
  { names: ["-u", "--username"], key: "username", arity: 1, commands: BOTH, arg: "user", help: "user name" },
  { names: ["-P", "--pw"], key: "password", arity: 1, commands: BOTH, arg: "password", help: "password (MQTT 3.1.1 needs -u too)" },
  { names: ["--password-command"], key: "passwordCommand", arity: 1, commands: BOTH, arg: "cmd",
    help: "run cmd (sh -c) before every connect; its stdout is the password (a token that expires, a vault)" },
  { names: ["--auth-method"], key: "authMethod", arity: 1, commands: BOTH, arg: "name",
    help: "MQTT 5 enhanced authentication: SCRAM-SHA-256 (-u, -P), or a token method's name (--auth-data or -P)" },
  { names: ["--auth-data"], key: "authData", arity: 1, commands: BOTH, arg: "token", help: "the token of --auth-method (renewed before a JWT's exp)" },
  { names: ["-k", "--keepalive"], key: "keepalive", arity: 1, commands: BOTH, arg: "seconds", value: { type: "int", min: 5, max: 65535 },
    help: "keep alive interval, 5 to 65535 (default 60)" },
  { names: ["-V", "--protocol-version"], key: "version", arity: 1, commands: BOTH, arg: "5|311",
    value: { type: "choice", choices: { "5": 5, mqttv5: 5, "311": 4, mqttv311: 4 }, label: "5, mqttv5, 311 or mqttv311 (MQTT 3.1 is not spoken)" },
    help: "MQTT version: 5 (mqttv5) or 311 (mqttv311, the default); -D selects 5" },
  { names: ["-c", "--disable-clean-session"], key: "noClean", arity: 0, commands: BOTH,
    help: "keep the session (clean session / clean start off); needs -i. With 5, sessions never expire unless -x" },
  { names: ["-x"], key: "sessionExpiry", arity: 1, commands: BOTH, arg: "seconds",
    value: { type: "expiry" },
    help: "MQTT 5 session expiry interval: 0 to 4294967295, -1 or ∞ for never (default 0, or -1 with -c)" },
  { names: ["-D", "--property"], key: "properties", arity: "property", commands: BOTH, arg: "command property value",
    help: "an MQTT 5 property, e.g. -D publish user-property key value, -D connect receive-maximum 10 (see below)" },
  { names: ["--will-topic"], key: "willTopic", arity: 1, commands: BOTH, arg: "topic", help: "topic of the will message" },
  { names: ["--will-payload"], key: "willPayload", arity: 1, commands: BOTH, arg: "payload", help: "payload of the will (default empty)" },
  { names: ["--will-qos"], key: "willQos", arity: 1, commands: BOTH, arg: "0|1|2", value: QOS, help: "QoS of the will (default 0)" },
  { names: ["--will-retain"], key: "willRetain", arity: 0, commands: BOTH, help: "retain the will message" },
  { names: ["--cafile"], key: "cafile", arity: 1, commands: BOTH, arg: "file",
    help: "PEM file of the CA certificates to trust; turns on TLS" },
  { names: ["--cert"], key: "cert", arity: 1, commands: BOTH, arg: "file", help: "PEM client certificate (with --key)" },
  { names: ["--key"], key: "key", arity: 1, commands: BOTH, arg: "file", help: "PEM private key of the client certificate (with --cert)" },
  { names: ["--insecure"], key: "insecure", arity: 0, commands: BOTH,
    help: "do not verify the server certificate (no chain and no host name check: broader than mosquitto's)" },
  { names: ["--help"], key: "help", arity: 0, commands: BOTH, help: "show this help" },
  { names: ["--modem"], key: "modem", arity: 1, commands: BOTH, arg: "path",
    help: "reach the broker through an AT modem on this serial port (with --dialect; -h/-p are the broker as the modem dials it)" },
  { names: ["--dialect"], key: "dialect", arity: 1, commands: BOTH, arg: "esp-at|bg96",
    value: { type: "choice", choices: { "esp-at": "esp-at", bg96: "bg96" }, label: "esp-at or bg96" }, help: "the modem's AT dialect" },
  { names: ["--apn"], key: "apn", arity: 1, commands: BOTH, arg: "apn", help: "BG96: the APN of the bearer (AT+QICSGP)" },
  { names: ["--ssid"], key: "ssid", arity: 1, commands: BOTH, arg: "network",
    help: "ESP-AT: join this Wi-Fi network (AT+CWJAP); default: the module's stored one" },
  { names: ["--wifi-password"], key: "wifiPassword", arity: 1, commands: BOTH, arg: "password", help: "ESP-AT: the Wi-Fi password (with --ssid)" },
  { names: ["--serial"], key: "serial", arity: 1, commands: BOTH, arg: "path",
    help: "send raw MQTT over this serial port (a line to a mote bridge, or a broker on a UART)" },
  { names: ["--baud"], key: "baud", arity: 1, commands: BOTH, arg: "n", value: { type: "int", min: 50, max: 4_000_000 },
    help: "serial line speed for --modem or --serial, 8N1 (default 115200)" },
  { names: ["--quiet"], key: "quiet", arity: 0, commands: BOTH,
    help: "do not print what the run survives (the broker's disconnect reasons, its slips); errors that end the run are still printed" },
  { names: ["-d", "--debug"], key: "debug", arity: 0, commands: BOTH,
    help: "print every MQTT packet both ways to stderr: what it says (mosquitto's -d lines) and its bytes in hex" },
  { names: ["-I", "--id-prefix"], key: "idPrefix", arity: 1, commands: BOTH, arg: "prefix",
    help: "client identifier: this prefix followed by the process id (not with -i)" },
  { names: ["-A"], key: "bindAddress", arity: 1, commands: BOTH, arg: "address", help: "bind the outgoing socket to this local address" },
  { names: ["--unix"], key: "unix", arity: 1, commands: BOTH, arg: "path",
    help: "connect through this Unix domain socket instead of TCP (not with -h, -p, -L, --url)" },
  { names: ["--tls-version"], key: "tlsVersion", arity: 1, commands: BOTH, arg: "version",
    value: { type: "choice", choices: { "tlsv1.3": "TLSv1.3", "tlsv1.2": "TLSv1.2", "tlsv1.1": "TLSv1.1" }, label: "tlsv1.3, tlsv1.2 or tlsv1.1" },
    help: "the lowest TLS version to speak, as mosquitto's: tlsv1.3, tlsv1.2 or tlsv1.1 (default: 1.2)" },
  { names: ["--stats"], key: "stats", arity: 0, commands: BOTH,
    help: "at the end, print to stderr the bytes sent and received per MQTT packet type, and on the wire (TLS, WebSocket framing included)" },

  { names: ["-m", "--message"], key: "message", arity: 1, commands: PUB, group: "message", arg: "message", help: "send this message" },
  { names: ["-f", "--file"], key: "file", arity: 1, commands: PUB, group: "message", arg: "file", help: "send the contents of a file as one message" },
  { names: ["-s", "--stdin-file"], key: "stdinFile", arity: 0, commands: PUB, group: "message", help: "send all of stdin as one message" },
  { names: ["-l", "--stdin-line"], key: "stdinLine", arity: 0, commands: PUB, group: "message",
    help: "send each line of stdin as a message, as it arrives (many in flight)" },
  { names: ["-n", "--null-message"], key: "nullMessage", arity: 0, commands: PUB, group: "message", help: "send an empty message" },
  { names: ["-r", "--retain"], key: "retain", arity: 0, commands: PUB, help: "retain the message (an empty retained message clears the topic)" },
  { names: ["--repeat"], key: "repeat", arity: 1, commands: PUB, arg: "count", value: { type: "int", min: 1, max: 2147483647 },
    help: "send the message (-m, -f, -s, -n) count times, each after the previous one completed" },
  { names: ["--repeat-delay"], key: "repeatDelay", arity: 1, commands: PUB, arg: "seconds", value: { type: "seconds" },
    help: "wait this long (decimals allowed) after a message completed before the next repeat" },
  { names: ["-M"], key: "maxInflight", arity: 1, commands: PUB, arg: "count", value: { type: "int", min: 1, max: 65535 },
    help: "at most this many QoS 1/2 messages in flight (default 20, as mosquitto_pub)" },

  { names: ["-C"], key: "count", arity: 1, commands: SUB, arg: "count", value: { type: "int", min: 1, max: 2147483647 },
    help: "exit (with a normal DISCONNECT) after this many messages" },
  { names: ["-W"], key: "timeout", arity: 1, commands: SUB, arg: "seconds", value: { type: "int", min: 1, max: 2147483 },
    help: "exit after this many seconds from connecting, with status 27 (as mosquitto_sub) unless -C or -E ended it first" },
  { names: ["-v", "--verbose"], key: "verbose", arity: 0, commands: SUB,
    help: "print 'topic payload' instead of the payload alone ('topic (null)' for an empty message)" },
  { names: ["-F"], key: "format", arity: 1, commands: SUB, arg: "format",
    help: "print each message in this format, as mosquitto_sub -F (see below); overrides -v" },
  { names: ["-N"], key: "noEol", arity: 0, commands: SUB, help: "do not end each printed message with a newline" },
  { names: ["-R"], key: "noRetained", arity: 0, commands: SUB, help: "do not print stale messages (those with the retain flag set)" },
  { names: ["--retained-only"], key: "retainedOnly", arity: 0, commands: SUB,
    help: "print only retained messages, and exit at the first message that is not retained (not with -R)" },
  { names: ["--remove-retained"], key: "removeRetained", arity: 0, commands: SUB,
    help: "clear each retained message received (an empty retained QoS 1 publish to its topic); -T spares topics" },
  { names: ["-T"], key: "filterOut", arity: 1, commands: SUB, multiple: true, arg: "filter",
    help: "ignore messages whose topic matches this filter (repeat for several)" },
  { names: ["-U"], key: "unsubscribe", arity: 1, commands: SUB, multiple: true, arg: "filter",
    help: "unsubscribe from this filter after connecting (repeat for several; with -c, ends a stored subscription)" },
  { names: ["-E"], key: "exitAfterSubscribe", arity: 0, commands: SUB,
    help: "exit once the broker has acknowledged the subscriptions (with -c: make a session's subscriptions, then leave)" },
];

const BY_NAME = new Map<string, FlagSpec>(FLAGS.flatMap((f) => f.names.map((n) => [n, f] as const)));

/** The flags a command accepts, in table order. */
export function flagsOf(command: Command): FlagSpec[] {
  return FLAGS.filter((f) => f.commands.includes(command));
}

function readValue(flag: string, kind: ValueKind | undefined, text: string): string | number {
  if (!kind || kind.type === "string") return text;
  if (kind.type === "choice") {
    if (Object.prototype.hasOwnProperty.call(kind.choices, text)) return kind.choices[text];
    throw usageError(`${flag} takes ${kind.label}, not '${text}'`);
  }
  if (kind.type === "expiry") {
    if (text === "-1" || text === "∞") return U32_MAX;
    return readValue(flag, { type: "int", min: 0, max: U32_MAX }, text);
  }
  if (kind.type === "seconds") {
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) throw usageError(`${flag} takes a number of seconds (0 or more), not '${text}'`);
    return Number(text);
  }
  if (!/^-?\d+$/.test(text)) throw usageError(`${flag} takes a whole number, not '${text}'`);
  const n = Number(text);
  if (n < kind.min || n > kind.max) throw usageError(`${flag} takes ${kind.min} to ${kind.max}, not ${text}`);
  return n;
}

/** Parses the arguments after the command name. Throws UsageError with a one-line message. */
export function parseArgs(command: Command, argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { command, topics: [], properties: [], filterOut: [], unsubscribe: [], given: {} };
  const record = out as unknown as Record<string, unknown>;
  const groups = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const spec = BY_NAME.get(name);
    if (!spec) {
      if (name.startsWith("-") && name !== "-") throw usageError(`unknown option '${name}'`);
      throw usageError(`unexpected argument '${name}' (options take one value each; quote values with spaces)`);
    }
    if (!spec.commands.includes(command)) {
      throw usageError(`${name} is not an option of mote ${command} (it is one of mote ${spec.commands.join(", mote ")})`);
    }
    if (spec.group) {
      const earlier = groups.get(spec.group);
      if (earlier !== undefined && earlier !== name) throw usageError(`${earlier} and ${name} cannot be used together: give one message source`);
      groups.set(spec.group, name);
    }
    out.given[spec.key] = name;
    if (spec.arity === 0) {
      record[spec.key] = true;
      continue;
    }
    if (spec.arity === "property") {
      const prop = argv[i + 2];
      const n = prop === "user-property" ? 4 : 3;
      const parts = argv.slice(i + 1, i + 1 + n);
      if (parts.length < n) {
        throw usageError(`${name} takes a command, a property and ${n === 4 ? "a name and a value" : "a value"} (e.g. -D publish user-property key value)`);
      }
      out.properties.push(parts);
      i += n;
      continue;
    }
    if (i + 1 >= argv.length) throw usageError(`${name} needs a value${spec.arg ? ` (${spec.arg})` : ""}`);
    const value = readValue(name, spec.value, argv[++i]);
    if (spec.multiple) (record[spec.key] as unknown[]).push(value);
    else record[spec.key] = value;
  }
  return out;
}
