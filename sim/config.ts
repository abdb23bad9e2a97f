// The fleet's configuration: flags and an equivalent config file (`--config fleet.json`, or .yaml)
// give one FleetConfig. Flags override the file; a group in the file overrides the fleet-wide
// values. Every value is checked here, with one clear line naming the flag or key at fault.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parse as parseYaml } from "yaml";
import { parseLinkSpec, DIRECT, type LinkModel } from "./link-model.ts";
import { MODEL_NAMES, type ModelName } from "./models.ts";
import { PAYLOAD_FORMATS, type PayloadFormat } from "./payload.ts";
import { parseBrokerUrl } from "../host/url.ts";
import { errorLine, usageError } from "../host/errors.ts";
import { parseDuration, parseShard } from "./units.ts";
import { positive } from "./guards.ts";
import { CREDENTIAL_FLAGS, CREDENTIAL_KEYS, parseCredentials, redactUrl } from "./credentials.ts";
import { splitByWeight } from "./weights.ts";
import { humanSeconds } from "./human-units.ts";
import { parseBoardGroup } from "./board-group.ts";

export type { FleetConfig, GroupConfig, ModemDialect } from "./config-types.ts";
import type { FleetConfig, GroupConfig, ModemDialect } from "./config-types.ts";

/** Fleet-wide values a group inherits unless it sets its own. */
interface Defaults {
  model: string;
  payload: string;
  qos: number;
  topic: string;
  intervalMs: number;
  jitterMs: number;
  profile: string;
  link: LinkModel;
  modem?: GroupConfig["modem"];
}

/** A group as written in the config file, before defaults and counts are settled. */
interface GroupSpec {
  name?: string;
  count?: number;
  weight?: number;
  optional?: boolean;
  values: Partial<Defaults>;
}

/**
 * Sensors behind emulated modems, fleet-wide: each is a socat process and a pty pair (the
 * kernel's pty limit is a few thousand, and every modem is a real serial line at its baud rate).
 */
export const MODEM_SENSORS_MAX = 64;

export const DEFAULTS = {
  sensors: 200, durationS: 20, drainS: 10, intervalMs: 1000, jitterMs: 0, qos: 1, version: 4, keepaliveS: 60,
  ramp: 0, seed: 1, reportDir: "report", profile: "default", model: "temperature", payload: "json",
  topic: "sensors/{id}/{model}", clientPrefix: "mote-",
} as const;

/** Flags and config keys: one table, so the two spellings cannot drift apart. */
const KEYS: Record<string, { flag: string; key: string; arity: 0 | 1; help: string }> = {};
function key(flag: string, k: string, arity: 0 | 1, help: string) {
  KEYS[flag] = { flag, key: k, arity, help };
}
key("--config", "config", 1, "FILE  JSON or YAML (.yaml, .yml) file with these keys (flags win); may define \"groups\"");
key("--sensors", "sensors", 1, "N     sensors in the fleet (default 200)");
key("--broker", "broker", 1, "URL   mqtt://, mqtts://, ws://, wss:// (default: an embedded aedes, in process)");
for (const f of CREDENTIAL_FLAGS) key(...f);
key("--cafile", "cafile", 1, "FILE  CA certificate(s) to trust for mqtts:// and wss:// (PEM)");
key("--cert", "cert", 1, "FILE  client certificate (PEM), with --key");
key("--key", "key", 1, "FILE  client private key (PEM)");
key("--insecure", "insecure", 0, "      do not verify the broker's certificate");
key("--board", "board", 1, "N     emulated Cortex-M4 boards (QEMU) bridged to the broker next to the sensors (file: {profile, count, interval})");
key("--duration", "duration", 1, "T     how long sensors publish: 30s, 2m, 1h, 30d (at most 31d), or seconds (default 20s)");
key("--drain", "drain", 1, "T     time allowed afterwards for messages still in flight, outages over (default 10s; after outages + 60 s of back-off)");
key("--interval", "interval", 1, "T     time between a sensor's readings: 1s, 500ms, or ms (default 1s)");
key("--jitter", "jitter", 1, "T     each interval is interval ± jitter (default 0)");
key("--qos", "qos", 1, "0|1|2 (default 1)");
key("-V", "version", 1, "5|311 MQTT version (default 311; the embedded broker speaks 3.1.1 only)");
key("--keepalive", "keepalive", 1, "S     keep alive in seconds (default 60)");
key("--profile", "profile", 1, "NAME  firmware budget profile: default, tiny, large");
key("--topic", "topic", 1, "TPL   topic template; {id}, {group}, {model} (default sensors/{id}/{model})");
key("--model", "model", 1, "M[,M] temperature, accelerometer, gps, counter; several: one group each");
key("--payload", "payload", 1, "FMT   json, text or binary (default json)");
key("--link", "link", 1, "SPEC  link model: latency=200ms,jitter=50ms,loss=1%,bandwidth=64k,outage=5s@10s/30s");
key("--modem", "modem", 1, "D[@B] reach the broker through an emulated modem: esp-at or bg96, at B baud (default 115200)");
key("--ramp", "ramp", 1, "N     connections opened per second while starting (default 0: all at once)");
key("--seed", "seed", 1, "N     seed of every random choice (default 1)");
key("--shard", "shard", 1, "K/N   run the K-th of N disjoint slices of the sensor ids (default 1/1)");
key("--workers", "workers", 1, "N|auto one process per shard on this machine, reports merged (auto: one per core)");
key("--time", "time", 1, "real|virtual  virtual: simulated time, as fast as the CPU goes, same seed = same run (default real)");
key("--topic-aliases", "topicAliases", 1, "on|off MQTT 5: use topic aliases when the broker allows (default on)");
key("--client-prefix", "clientPrefix", 1, "P     client ids are P<id> (default mote-)");
key("--report", "report", 1, "DIR   where report.json, report.md and report.html go (default report)");
key("--json", "json", 0, "      stdout: the report as one JSON document; stderr: progress as JSON lines, then the report path");
key("--quiet", "quiet", 0, "      no progress lines");
key("--help", "help", 0, "      this text");

export const USAGE = `usage: mote sim [flags]   (npm start -- [flags] runs the demo fleet, sim/demo.json, with them)
Runs a fleet of firmware sensors against a broker, verifies every delivery with an observer
subscription and writes a byte and memory budget report.
${Object.values(KEYS).map((k) => `  ${k.flag.padEnd(16)} ${k.help}`).join("\n")}
`;

const fail = (m: string): never => {
  throw usageError(m);
};

function int(where: string, v: unknown, min: number, max: number): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) fail(`${where} must be an integer from ${min} to ${max}, got '${String(v)}'`);
  return n;
}

function onOff(where: string, v: unknown): boolean {
  if (v === true || v === "on") return true;
  if (v === false || v === "off") return false;
  return fail(`${where} must be on or off, got '${String(v)}'`);
}

function str(where: string, v: unknown): string {
  if (typeof v !== "string" || v === "") fail(`${where} needs a value`);
  return v as string;
}

function ms(where: string, v: unknown, bareUnit: "s" | "ms", max: number): number {
  const text = typeof v === "number" ? String(v) : str(where, v);
  let n: number;
  try {
    n = parseDuration(text, bareUnit);
  } catch (e) {
    return fail(`${where}: ${errorLine(e)}`);
  }
  if (n > max) fail(`${where} must be at most ${humanSeconds(max / 1000)}, got '${String(v)}'`);
  return n;
}

/** Reads a flag list into config keys (strings as given; checked later with the file's values). */
function readFlags(argv: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const spec = KEYS[flag] ?? (flag === "-h" ? KEYS["--help"] : undefined);
    if (!spec) fail(`unknown flag '${flag}'`);
    if (spec!.arity === 0) {
      if (eq > 0) fail(`${flag} takes no value`);
      out[spec!.key] = true;
      continue;
    }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined || (eq < 0 && v.startsWith("--"))) fail(`${flag} needs a value`);
    out[spec!.key] = v;
  }
  return out;
}

const FILE_KEYS = new Set([...Object.values(KEYS).map((k) => k.key), "groups"].filter((k) => k !== "config" && k !== "help"));
const GROUP_KEYS = new Set(["name", "count", "weight", "optional", "model", "payload", "qos", "topic", "interval", "jitter", "profile", "link", "modem",
  ...CREDENTIAL_KEYS]);

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return fail(`--config: cannot read '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const yaml = /\.ya?ml$/i.test(path);
  let data: unknown;
  try {
    data = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    return fail(`--config: '${path}' is not valid ${yaml ? "YAML" : "JSON"}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) fail(`--config: '${path}' must hold an object of settings`);
  for (const k of Object.keys(data as object)) if (!FILE_KEYS.has(k)) fail(`--config: unknown key '${k}' in '${path}'`);
  return data as Record<string, unknown>;
}

function modemSpec(where: string, v: unknown): GroupConfig["modem"] {
  if (typeof v === "object" && v !== null) {
    const o = v as { dialect?: unknown; baud?: unknown };
    return modemSpec(where, `${String(o.dialect)}@${o.baud ?? 115200}`);
  }
  const m = /^(esp-at|bg96)(?:@(\d+))?$/.exec(str(where, v));
  if (!m) return fail(`${where} must be esp-at or bg96, optionally @baud (bg96@9600), got '${String(v)}'`);
  return { dialect: m[1] as ModemDialect, baud: m[2] ? int(`${where} baud`, m[2], 300, 4_000_000) : 115200 };
}

function linkSpec(where: string, v: unknown): LinkModel {
  const text = typeof v === "string" ? v : fail(`${where} must be a string like 'latency=100ms,loss=1%'`);
  try {
    return parseLinkSpec(text);
  } catch (e) {
    return fail(`${where}: ${errorLine(e).replace(/^--link:\s*/, "")}`);
  }
}

/** The values a group may set, checked; `where` names the flag or file key in messages. */
function groupValues(src: Record<string, unknown>, where: (k: string) => string): Partial<Defaults> {
  const v: Partial<Defaults> = {};
  if (src.model !== undefined) v.model = str(where("model"), src.model);
  if (src.payload !== undefined) {
    const p = str(where("payload"), src.payload);
    if (!PAYLOAD_FORMATS.includes(p as PayloadFormat)) fail(`${where("payload")} must be one of ${PAYLOAD_FORMATS.join(", ")}, got '${p}'`);
    v.payload = p;
  }
  if (src.qos !== undefined) v.qos = int(where("qos"), src.qos, 0, 2);
  if (src.topic !== undefined) v.topic = checkTopic(where("topic"), str(where("topic"), src.topic));
  if (src.interval !== undefined) v.intervalMs = Math.max(1, positive(where("interval"), src.interval, ms(where("interval"), src.interval, "ms", 86_400_000)));
  if (src.jitter !== undefined) v.jitterMs = ms(where("jitter"), src.jitter, "ms", 86_400_000);
  if (src.profile !== undefined) {
    const p = str(where("profile"), src.profile);
    if (!/^[a-z0-9-]+$/.test(p)) fail(`${where("profile")} must be a profile name like default, tiny or large, got '${p}'`);
    v.profile = p;
  }
  if (src.link !== undefined) v.link = linkSpec(where("link"), src.link);
  if (src.modem !== undefined) v.modem = modemSpec(where("modem"), src.modem);
  return v;
}

/** A topic template must give a valid topic name: no wildcards, placeholders known. */
function checkTopic(where: string, t: string): string {
  if (/[#+\u0000]/.test(t)) fail(`${where} must not contain wildcards (# +) or NUL, got '${t}'`);
  const unknown = /\{(?!id\}|group\}|model\})[^}]*\}/.exec(t);
  if (unknown) fail(`${where}: unknown placeholder '${unknown[0]}' (use {id}, {group}, {model})`);
  return t;
}

function groupSpecs(file: Record<string, unknown>, flags: Record<string, unknown>): GroupSpec[] {
  // --model a,b on the command line: one group per model (it replaces the file's groups).
  const models = typeof flags.model === "string" && flags.model.includes(",") ? flags.model.split(",") : undefined;
  if (models) return models.map((m) => ({ name: m, values: { model: m } }));
  if (file.groups === undefined) return [{ values: {} }];
  if (!Array.isArray(file.groups) || file.groups.length === 0) fail("--config: \"groups\" must be a non-empty array");
  return (file.groups as unknown[]).map((g, i) => {
    if (typeof g !== "object" || g === null) return fail(`--config: groups[${i}] must be an object`);
    const o = g as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!GROUP_KEYS.has(k)) fail(`--config: unknown key '${k}' in groups[${i}]`);
    if (o.count !== undefined && o.weight !== undefined) fail(`--config: groups[${i}] has both count and weight`);
    return {
      name: o.name === undefined ? undefined : str(`--config: groups[${i}].name`, o.name),
      count: o.count === undefined ? undefined : int(`--config: groups[${i}].count`, o.count, 0, 1_000_000),
      weight: o.weight === undefined ? undefined : int(`--config: groups[${i}].weight`, o.weight, 0, 1_000_000),
      optional: o.optional === undefined ? undefined : o.optional === true ? true : o.optional === false ? false
        : fail(`--config: groups[${i}].optional must be true or false`),
      values: groupValues(o, (k) => `--config: groups[${i}].${k}`),
    };
  });
}

/** --workers: more processes than this on one machine is a typo, not a plan. */
const WORKERS_MAX = 256;

function timeMode(where: string, v: unknown): FleetConfig["time"] {
  if (v === undefined || v === "real" || v === "virtual") return v ?? "real";
  return fail(`${where} must be real or virtual, got '${String(v)}'`);
}

/** --workers N or auto (one per core, at most the sensors). */
function workerCount(where: string, v: unknown): number {
  return v === "auto" ? availableParallelism() : int(where, v, 1, WORKERS_MAX);
}

export function parseFleetConfig(argv: string[]): FleetConfig {
  const flags = readFlags(argv);
  const file = typeof flags.config === "string" ? readFile(flags.config) : {};
  const at = (k: string) => (flags[k] !== undefined ? flags[k] : file[k]);
  const where = (k: string) => {
    const spec = Object.values(KEYS).find((s) => s.key === k);
    return flags[k] !== undefined || !spec ? spec?.flag ?? k : `--config: ${k}`;
  };
  const num = (k: string, min: number, max: number, dflt: number) => (at(k) === undefined ? dflt : int(where(k), at(k), min, max));

  const version = at("version") === undefined ? DEFAULTS.version : String(at("version"));
  if (version !== 4 && !["5", "311", "mqttv5", "mqttv311"].includes(String(version))) fail(`${where("version")} must be 5 or 311, got '${version}'`);
  const cfg: FleetConfig = {
    sensors: num("sensors", 1, 1_000_000, DEFAULTS.sensors),
    broker: at("broker") === undefined || at("broker") === "embedded" ? undefined : str(where("broker"), at("broker")),
    durationS: at("duration") === undefined ? DEFAULTS.durationS : ms(where("duration"), at("duration"), "s", 31 * 86_400_000) / 1000,
    drainS: at("drain") === undefined ? DEFAULTS.drainS : ms(where("drain"), at("drain"), "s", 3_600_000) / 1000,
    version: String(version).startsWith("5") || String(version) === "mqttv5" ? 5 : 4,
    keepaliveS: num("keepalive", 0, 65535, DEFAULTS.keepaliveS),
    ramp: num("ramp", 0, 1_000_000, DEFAULTS.ramp),
    seed: num("seed", 0, 0xffffffff, DEFAULTS.seed),
    shard: { k: 1, n: 1 },
    reportDir: at("report") === undefined ? DEFAULTS.reportDir : str(where("report"), at("report")),
    json: at("json") === true,
    progress: at("quiet") === true ? "none" : "auto",
    clientPrefix: at("clientPrefix") === undefined ? DEFAULTS.clientPrefix : str(where("clientPrefix"), at("clientPrefix")),
    tls: {
      caFile: at("cafile") === undefined ? undefined : str(where("cafile"), at("cafile")),
      certFile: at("cert") === undefined ? undefined : str(where("cert"), at("cert")),
      keyFile: at("key") === undefined ? undefined : str(where("key"), at("key")),
      insecure: at("insecure") === true ? true : undefined,
    },
    topicAliases: onOff(where("topicAliases"), at("topicAliases") ?? "on"),
    time: timeMode(where("time"), at("time")),
    workers: at("workers") === undefined ? 1 : workerCount(where("workers"), at("workers")),
    credentials: {},
    groups: [],
    help: flags.help === true,
  };
  if (cfg.help) return cfg;
  positive(where("duration"), at("duration"), cfg.durationS);
  if (at("shard") !== undefined) {
    try {
      cfg.shard = parseShard(str(where("shard"), at("shard")));
    } catch (e) {
      fail(`${where("shard")}: ${(e as Error).message}`);
    }
  }
  if ((cfg.tls.certFile === undefined) !== (cfg.tls.keyFile === undefined)) fail("--cert and --key go together");
  if (cfg.broker !== undefined) {
    try {
      parseBrokerUrl(cfg.broker);
    } catch (e) {
      fail(`${where("broker")}: ${errorLine(e).replaceAll(cfg.broker, redactUrl(cfg.broker))}`);
    }
  }

  const logins = parseCredentials(flags, file, cfg.broker, fail);
  cfg.credentials = logins.fleet;
  // Fleet-wide values: the file's, then the flags' (a --model list is handled as groups).
  const fleet: Defaults = {
    model: DEFAULTS.model, payload: DEFAULTS.payload, qos: DEFAULTS.qos, topic: DEFAULTS.topic, intervalMs: DEFAULTS.intervalMs,
    jitterMs: DEFAULTS.jitterMs, profile: DEFAULTS.profile, link: DIRECT,
  };
  const fileValues = groupValues(file, (k) => `--config: ${k}`);
  const flagSrc = { ...flags };
  if (typeof flagSrc.model === "string" && flagSrc.model.includes(",")) delete flagSrc.model;
  const flagValues = groupValues(flagSrc, (k) => KEYS[`--${k}`]?.flag ?? k);
  Object.assign(fleet, fileValues, flagValues);

  const specs = groupSpecs(file, flags);
  const fixed = specs.reduce((n, s) => n + (s.count ?? 0), 0);
  if (fixed > cfg.sensors) fail(`the groups' counts add up to ${fixed}, more than the fleet's ${cfg.sensors} sensors`);
  const weighted = specs.filter((s) => s.count === undefined);
  if (weighted.length === 0 && fixed !== cfg.sensors && flags.sensors === undefined) cfg.sensors = fixed;
  const shares = splitByWeight(cfg.sensors - fixed, weighted.map((s) => s.weight ?? 1));
  let w = 0;
  cfg.groups = specs.map((s, i) => {
    // Flags win over a group's own values too: `--qos 2` means every sensor at QoS 2.
    const v = { ...fleet, ...s.values, ...flagValues } as Defaults;
    if (!MODEL_NAMES.includes(v.model as ModelName)) fail(`model '${v.model}' is unknown (use ${MODEL_NAMES.join(", ")})`);
    const name = s.name ?? (specs.length === 1 ? v.model : `group${i + 1}`);
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(name)) fail(`group name '${name}' must be 1-32 letters, digits, '_', '.' or '-'`);
    return {
      name, count: s.count ?? shares[w++], model: v.model as ModelName, payload: v.payload as PayloadFormat, qos: v.qos as 0 | 1 | 2,
      topic: v.topic, intervalMs: v.intervalMs, jitterMs: Math.min(v.jitterMs, v.intervalMs - 1), profile: v.profile, link: v.link, modem: v.modem,
      ...(s.optional && { optional: true }), credentials: logins.groups[i] ?? logins.fleet,
    };
  });
  cfg.board = parseBoardGroup(at("board"), where("board"), cfg.version, fleet.intervalMs);
  const modemSensors = cfg.groups.reduce((n, g) => n + (g.modem ? g.count : 0), 0);
  if (modemSensors > MODEM_SENSORS_MAX) {
    fail(`${modemSensors} sensors behind emulated modems: at most ${MODEM_SENSORS_MAX} (each is a socat process and a pty pair); give the modem group a count`);
  }
  const names = new Set<string>();
  for (const g of cfg.groups) {
    if (names.has(g.name)) fail(`two groups are named '${g.name}'`);
    names.add(g.name);
    if (g.profile === "tiny" && cfg.version === 5) fail(`group '${g.name}': profile 'tiny' speaks MQTT 3.1.1 only: drop -V 5`);
    if (g.modem && cfg.broker && !/^(mqtt|tcp):/.test(cfg.broker)) fail(`group '${g.name}': a modem group reaches the broker over plain TCP (mqtt://) only`);
  }
  if (cfg.time === "virtual") virtualOnly(cfg);
  return cfg;
}

/** Virtual time runs what this process can put on its one clock: the embedded broker and in-process links. */
function virtualOnly(cfg: FleetConfig): void {
  const why = "runs on one simulated clock: only the embedded broker and in-process links can";
  if (cfg.broker !== undefined) fail(`--time virtual ${why} (drop --broker; a real broker keeps real time)`);
  if (cfg.board) fail(`--time virtual ${why} (drop --board; QEMU boards keep real time)`);
  // An optional modem group is left out with a warning (sim/fleet.ts), as without socat: the demo runs on virtual time.
  const modem = cfg.groups.find((g) => g.modem && !g.optional);
  if (modem) fail(`--time virtual ${why} (group '${modem.name}' has emulated modems on real ptys)`);
}
