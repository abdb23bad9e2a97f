// -D / --property: `command property value` (or `command user-property name value`) into the
// Properties objects of host/properties.ts. Property names are the specification's with '-'
// between words, as mosquitto_pub/sub spell them; which property goes with which command follows
// mosquitto's table. Values are range-checked here so a typo is a usage error, not a refusal later.
import { usageError } from "../errors.ts";
import { PROPERTY_TABLE, type Properties } from "../properties.ts";
import { type Command } from "./args.ts";

/** The packets a -D can add properties to. */
export type PropertyTarget = "connect" | "publish" | "subscribe" | "disconnect" | "will";

export interface PropertyBags {
  connect?: Properties;
  publish?: Properties;
  subscribe?: Properties;
  disconnect?: Properties;
  will?: Properties;
}

/** -D property name → host property name, and the commands it may go with. */
const PROPERTIES: Record<string, { key: string; targets: PropertyTarget[]; min?: number }> = {
  "payload-format-indicator": { key: "payloadFormatIndicator", targets: ["publish", "will"] },
  "message-expiry-interval": { key: "messageExpiryInterval", targets: ["publish", "will"] },
  "content-type": { key: "contentType", targets: ["publish", "will"] },
  "response-topic": { key: "responseTopic", targets: ["publish", "will"] },
  "correlation-data": { key: "correlationData", targets: ["publish", "will"] },
  "subscription-identifier": { key: "subscriptionIdentifier", targets: ["subscribe"], min: 1 },
  "session-expiry-interval": { key: "sessionExpiryInterval", targets: ["connect", "disconnect"] },
  "authentication-method": { key: "authenticationMethod", targets: ["connect"] },
  "authentication-data": { key: "authenticationData", targets: ["connect"] },
  "request-problem-information": { key: "requestProblemInformation", targets: ["connect"] },
  "will-delay-interval": { key: "willDelayInterval", targets: ["will"] },
  "request-response-information": { key: "requestResponseInformation", targets: ["connect"] },
  "receive-maximum": { key: "receiveMaximum", targets: ["connect"], min: 1 },
  "topic-alias-maximum": { key: "topicAliasMaximum", targets: ["connect"] },
  "maximum-packet-size": { key: "maximumPacketSize", targets: ["connect"], min: 1 },
  "user-property": { key: "userProperties", targets: ["connect", "publish", "subscribe", "disconnect", "will"] },
};

/** Which -D commands each CLI command sends. */
export const TARGETS: Record<Command, PropertyTarget[]> = {
  pub: ["connect", "publish", "disconnect", "will"],
  sub: ["connect", "subscribe", "disconnect", "will"],
};

/** mosquitto's -D command names that name a packet mote does not send with properties. */
const OTHER_COMMANDS = new Set(["auth", "puback", "pubrec", "pubrel", "pubcomp", "suback", "unsubscribe", "unsuback", "publish", "subscribe"]);

const KIND = new Map(PROPERTY_TABLE.map((p) => [p.name, p.kind]));
const MAX: Record<string, number> = { byte: 0xff, u16: 0xffff, u32: 0xffffffff, varint: 268435455 };

/** The -D property names a command accepts, per target (for --help). */
export function propertyHelp(command: Command): string[] {
  return TARGETS[command].map((t) => {
    const names = Object.entries(PROPERTIES).filter(([, p]) => p.targets.includes(t)).map(([n]) => n);
    return `${t}: ${names.join(", ")}`;
  });
}

/** Turns the -D tuples into one Properties object per packet. */
export function parsePropertyFlags(command: Command, tuples: readonly string[][]): PropertyBags {
  const bags: PropertyBags = {};
  for (const tuple of tuples) {
    const [cmdText, name] = tuple;
    const target = cmdText.toLowerCase() as PropertyTarget;
    if (!TARGETS[command].includes(target)) {
      if (OTHER_COMMANDS.has(target)) {
        throw usageError(`-D ${cmdText}: mote ${command} sends no ${cmdText.toUpperCase()} properties (it takes ${TARGETS[command].join(", ")})`);
      }
      throw usageError(`-D: unknown command '${cmdText}' (mote ${command} takes ${TARGETS[command].join(", ")})`);
    }
    const info = PROPERTIES[name];
    if (name === "topic-alias") {
      throw usageError("-D publish topic-alias: the firmware assigns topic aliases by itself (within the broker's Topic Alias Maximum)");
    }
    if (!info) throw usageError(`-D ${cmdText}: unknown property '${name}'`);
    if (!info.targets.includes(target)) throw usageError(`-D: property ${name} is not allowed in ${target} (only in ${info.targets.join(", ")})`);
    const props = (bags[target] ??= {});
    // By the table's name: the kind read below gives each value its type.
    const bag = props as Record<string, unknown>;
    if (info.key === "userProperties") {
      const pairs = (props.userProperties ??= Object.create(null)) as Record<string, string | string[]>;
      const [, , key, value] = tuple;
      const prev = pairs[key];
      pairs[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
      continue;
    }
    if (bag[info.key] !== undefined) throw usageError(`-D ${target} ${name} is given twice`);
    const text = tuple[2];
    const kind = KIND.get(info.key);
    if (kind === "string") bag[info.key] = text;
    else if (kind === "binary") bag[info.key] = Buffer.from(text, "utf8");
    else {
      const max = MAX[kind ?? "u32"];
      const min = info.min ?? 0;
      if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
        throw usageError(`-D ${target} ${name} takes a whole number from ${min} to ${max}, not '${text}'`);
      }
      bag[info.key] = Number(text);
    }
  }
  return bags;
}
