// Broker URLs as MQTT.js users write them: mqtt:// (tcp://), mqtts:// (ssl://, tls://), ws://, wss://.
import { usageError } from "./errors.ts";

export type Scheme = "mqtt" | "mqtts" | "ws" | "wss";

export interface BrokerUrl {
  scheme: Scheme;
  host: string;
  port: number;
  /** WebSocket path (default /mqtt). */
  path: string;
  username?: string;
  password?: string;
}

const ALIASES: Record<string, Scheme> = { "mqtt:": "mqtt", "tcp:": "mqtt", "mqtts:": "mqtts", "ssl:": "mqtts", "tls:": "mqtts", "ws:": "ws", "wss:": "wss" };
const DEFAULT_PORTS: Record<Scheme, number> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };

/** Throws a usage MoteError with one line on a URL that is not a broker's. */
export function parseBrokerUrl(text: string): BrokerUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw usageError(`'${text}' is not a URL (expected e.g. mqtt://host:1883)`);
  }
  const scheme = ALIASES[u.protocol];
  if (!scheme) throw usageError(`unsupported scheme '${u.protocol.replace(":", "")}' in '${text}' (use mqtt, mqtts, ws or wss)`);
  if (!u.hostname) throw usageError(`no host in '${text}'`);
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[scheme];
  return {
    scheme,
    // IPv6 literals come bracketed from URL; sockets want them bare.
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    path: scheme === "ws" || scheme === "wss" ? (u.pathname && u.pathname !== "/" ? u.pathname + u.search : "/mqtt") : "",
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}
