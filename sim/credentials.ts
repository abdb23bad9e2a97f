// Credentials of the fleet: -u/-P (or the file's username/password), else the broker URL's
// user info, for the observer and every sensor; a group in the config file may set its own,
// with {id} in the user name replaced by the sensor's id. Secrets never leave this process:
// every URL shown in a report or a log line goes through redactUrl first.
import { parseBrokerUrl } from "../host/url.ts";

export interface Credentials {
  /** May hold {id} (a group's template), replaced per sensor by `loginOf`. */
  username?: string;
  password?: string;
}

/** The flags, in the table of sim/config.ts; the file's keys are username and password, top-level and per group. */
export const CREDENTIAL_FLAGS: [flag: string, key: string, arity: 1, help: string][] = [
  ["-u", "username", 1, "USER  user name of every sensor and the observer (default: the broker URL's)"],
  ["--username", "username", 1, "USER  the same as -u"],
  ["-P", "password", 1, "PASS  password of every sensor and the observer (default: the broker URL's)"],
  ["--password", "password", 1, "PASS  the same as -P"],
];

/** The username/password keys of `src` (flags, the file, or one of its groups), checked; values are never quoted. */
function credentialValues(src: Record<string, unknown>, where: string, fail: (m: string) => never): Credentials {
  const out: Credentials = {};
  for (const k of ["username", "password"] as const) {
    const v = src[k];
    if (v === undefined) continue;
    if (typeof v !== "string" || v === "") fail(`${where}${k} must be a non-empty string`);
    if (Buffer.byteLength(v as string) > 65535) fail(`${where}${k} must be at most 65535 bytes`);
    out[k] = v as string;
  }
  if (out.username !== undefined && /\{(?!id\})[^}]*\}/.test(out.username)) fail(`${where}username: the only placeholder is {id}`);
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
  const username = f.username ?? c.username ?? url.username;
  const password = f.password ?? c.password ?? url.password;
  const fleet: Credentials = { ...(username !== undefined && { username }), ...(password !== undefined && { password }) };
  const models = typeof flags.model === "string" && flags.model.includes(",");
  const groups = models || !Array.isArray(file.groups) ? [] : (file.groups as Record<string, unknown>[]).map((g, i) =>
    ({ ...fleet, ...credentialValues(g, `--config: groups[${i}].`, fail) }));
  return { fleet, groups };
}

/** The user name and password a sensor with this id logs in with. */
export function loginOf(c: Credentials, id: number): Credentials {
  return { username: c.username?.replaceAll("{id}", String(id)), password: c.password };
}

/** The URL without its password: mqtt://alice:***@host (a URL that does not parse loses all its user info). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_, scheme: string, info: string) => {
    const colon = info.indexOf(":");
    return colon < 0 ? `${scheme}${info}@` : `${scheme}${info.slice(0, colon)}:***@`;
  });
}

/** Flags whose value is a secret. */
const SECRET_FLAGS = new Set(["-P", "--password"]);
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
  return { ...(c.username !== undefined && { username: c.username }), ...(c.password !== undefined && { password: REDACTED }) };
}
