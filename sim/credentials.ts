// Credentials of the fleet: -u/-P (or the file's username/password), else the broker URL's
// user info, for the observer and every sensor; a group in the config file may set its own,
// with {id} in the user name replaced by the sensor's id. A password may instead come from a
// command run before every connect (--password-command, {id} replaced), and MQTT 5 sensors may
// log in by enhanced authentication (--auth-method: SCRAM-SHA-256, or a token from --auth-data
// or the password, {id} replaced), so each sensor presents its own token. Secrets never leave
// this process: every URL shown in a report or a log line goes through redactUrl first.
import { parseBrokerUrl } from "../host/url.ts";
import { authOptions } from "../host/auth/auth-options.ts";
import { passwordCommand } from "../host/auth/password-command.ts";
import type { DeviceOptions } from "../host/device.ts";

export interface Credentials {
  /** May hold {id} (a group's template), replaced per sensor by `loginOf`. */
  username?: string;
  password?: string;
  /** Run before every connect (sh -c); its stdout is the password. May hold {id}. */
  passwordCommand?: string;
  /** MQTT 5 enhanced authentication: SCRAM-SHA-256 or a token method's name. */
  authMethod?: string;
  /** The token of a token method. May hold {id}. */
  authData?: string;
}

/** The keys of Credentials, as config keys (top level and per group). */
export const CREDENTIAL_KEYS = ["username", "password", "passwordCommand", "authMethod", "authData"] as const;
/** Keys whose value may hold {id}. */
const TEMPLATE_KEYS = ["username", "passwordCommand", "authData"] as const;

/** The flags, in the table of sim/config.ts; the file's keys are username and password, top-level and per group. */
export const CREDENTIAL_FLAGS: [flag: string, key: string, arity: 1, help: string][] = [
  ["-u", "username", 1, "USER  user name of every sensor and the observer (default: the broker URL's)"],
  ["--username", "username", 1, "USER  the same as -u"],
  ["-P", "password", 1, "PASS  password of every sensor and the observer (default: the broker URL's)"],
  ["--password", "password", 1, "PASS  the same as -P"],
  ["--password-command", "passwordCommand", 1, "CMD   run before every connect ({id}: the sensor's id); its stdout is the password"],
  ["--auth-method", "authMethod", 1, "NAME  MQTT 5 enhanced auth: SCRAM-SHA-256 (user and password), or a token method (--auth-data)"],
  ["--auth-data", "authData", 1, "TOKEN the token of --auth-method ({id}: the sensor's id)"],
];

/** The username/password keys of `src` (flags, the file, or one of its groups), checked; values are never quoted. */
function credentialValues(src: Record<string, unknown>, where: string, fail: (m: string) => never): Credentials {
  const out: Credentials = {};
  for (const k of CREDENTIAL_KEYS) {
    const v = src[k];
    if (v === undefined) continue;
    if (typeof v !== "string" || v === "") fail(`${where}${k} must be a non-empty string`);
    if (Buffer.byteLength(v as string) > 65535) fail(`${where}${k} must be at most 65535 bytes`);
    out[k] = v as string;
  }
  for (const k of TEMPLATE_KEYS) {
    if (out[k] !== undefined && /\{(?!id\})[^}]*\}/.test(out[k])) fail(`${where}${k}: the only placeholder is {id}`);
  }
  return out;
}

/**
 * The fleet's credentials (flags, else the file's, else the broker URL's user info) and each
 * file group's (its own values, else the fleet's). A --model list replaces the file's groups.
 */
export function parseCredentials(
  flags: Record<string, unknown>, file: Record<string, unknown>, broker: string | undefined, fail: (m: string) => never,
): { fleet: Credentials; groups: Credentials[] } {
  const url: Credentials = broker === undefined ? {} : parseBrokerUrl(broker);
  const f = credentialValues(flags, "--", fail);
  const c = credentialValues(file, "--config: ", fail);
  const fleet: Credentials = { ...url, ...c, ...f };
  for (const k of CREDENTIAL_KEYS) if (fleet[k] === undefined) delete fleet[k];
  const models = typeof flags.model === "string" && flags.model.includes(",");
  const groups = models || !Array.isArray(file.groups) ? [] : (file.groups as Record<string, unknown>[]).map((g, i) =>
    ({ ...fleet, ...credentialValues(g, `--config: groups[${i}].`, fail) }));
  return { fleet, groups };
}

/** How a sensor with this id logs in: its user name and password (a value, or a command run per connect) and its enhanced authentication. */
export function loginOf(c: Credentials, id: number | string, version: 4 | 5): Pick<DeviceOptions, "username" | "password" | "auth"> {
  const fill = (t: string | undefined) => t?.replaceAll("{id}", String(id));
  const command = fill(c.passwordCommand);
  const password = command !== undefined ? passwordCommand(command) : c.password;
  return authOptions({ authMethod: c.authMethod, authData: fill(c.authData) }, fill(c.username), password, version);
}

/** What cannot work, checked before the run: the same rules as mote pub/sub's flags. */
export function checkLogin(c: Credentials, version: 4 | 5): void {
  if (c.password !== undefined && c.passwordCommand !== undefined) throw new Error("give a password or a password command, not both");
  loginOf(c, 0, version);
}

/** The URL without its password: mqtt://alice:***@host (a URL that does not parse loses all its user info). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_, scheme: string, info: string) => {
    const colon = info.indexOf(":");
    return colon < 0 ? `${scheme}${info}@` : `${scheme}${info.slice(0, colon)}:***@`;
  });
}

/** Flags whose value is a secret. */
const SECRET_FLAGS = new Set(["-P", "--password", "--auth-data"]);
export const REDACTED = "***";

/** A command line as it may be shown: passwords as ***, URLs without theirs. */
export function redactArgv(argv: string[]): string[] {
  return argv.map((a, i) => {
    if (i > 0 && SECRET_FLAGS.has(argv[i - 1])) return REDACTED;
    const eq = a.indexOf("=");
    if (eq > 0 && SECRET_FLAGS.has(a.slice(0, eq))) return `${a.slice(0, eq)}=${REDACTED}`;
    return redactUrl(a);
  });
}

/** Credentials as they may be shown: the user name (a template is no secret), the password as ***. */
export function redactCredentials(c: Credentials): Credentials {
  return { ...c, ...(c.password !== undefined && { password: REDACTED }), ...(c.authData !== undefined && { authData: REDACTED }) };
}
