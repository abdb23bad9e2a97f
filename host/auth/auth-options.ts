// --auth-method NAME (MQTT 5 enhanced authentication) for mote pub/sub and mote sim: SCRAM-SHA-256 takes the
// user from -u and the password from -P or --password-command, and sends neither in the CONNECT's
// own fields (the exchange proves them without sending the password); any other method name is a
// token (a bearer token, an OAuth access token) from --auth-data, -P or --password-command,
// renewed by re-authentication before a JWT's exp.
import { usageError } from "../errors.ts";
import type { Authenticator } from "./authenticator.ts";
import { scramSha256 } from "./scram.ts";
import { bearerToken } from "./bearer-token.ts";
import type { DeviceOptions } from "../device.ts";

const SCRAM = "SCRAM-SHA-256";

export interface AuthFlags {
  authMethod?: string;
  authData?: string;
}

/** The secret as given: a value, or a function run before every connect. */
type Secret = DeviceOptions["password"];

const text = async (s: Secret): Promise<string> => {
  const v = typeof s === "function" ? await s() : s;
  if (v === undefined) throw new Error("no secret");
  return Buffer.isBuffer(v) ? v.toString("utf8") : v;
};

/** What the flags ask for: the Authenticator, and the user name and password the CONNECT itself still carries. */
export function authOptions(f: AuthFlags, username: string | undefined, password: Secret, version: 4 | 5):
  { auth?: Authenticator; username: string | undefined; password: Secret } {
  if (f.authMethod === undefined) {
    if (f.authData !== undefined) throw usageError("--auth-data needs --auth-method");
    return { username, password };
  }
  if (version === 4) throw usageError("--auth-method is MQTT 5 enhanced authentication: it cannot be used with -V 311");
  if (f.authMethod === "") throw usageError("--auth-method needs a method name (SCRAM-SHA-256, or the name a token method has)");
  if (f.authMethod.toUpperCase() === SCRAM) {
    if (f.authData !== undefined) throw usageError("SCRAM-SHA-256 computes its own authentication data: give -u and -P (or --password-command)");
    if (username === undefined || password === undefined) throw usageError("SCRAM-SHA-256 needs -u and -P (or --password-command)");
    return { auth: scramSha256({ username, password: () => text(password) }), username: undefined, password: undefined };
  }
  if ((f.authData === undefined) === (password === undefined)) {
    throw usageError(`--auth-method ${f.authMethod}: give the token with --auth-data, or -P (or --password-command), once`);
  }
  const token = f.authData ?? password;
  return { auth: bearerToken({ method: f.authMethod, token: () => text(token) }), username, password: undefined };
}
