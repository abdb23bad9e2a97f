// Credentials computed per connection: a user name or password may be a function (a token that
// expires, a secret from a vault, a command's output) called before every CONNECT, reconnects
// included. When the values change, the firmware's CONNECT is rebuilt for the same session
// (configure() keeps the session when the client id, version and clean flag are the same).
// A function that throws or rejects is an error of its own kind ("credentials"), never a hang:
// the host loop bounds the wait and retries on the firmware's reconnect schedule.
import { configure, type ConnectOptions } from "./commands.ts";
import type { Firmware } from "./firmware.ts";
import { MoteError, errorLine } from "./errors.ts";
import { localError, statusText } from "./device-errors.ts";
import type { AuthProperties } from "./property-types.ts";

export type Secret = string | Buffer;
/** A fixed value, or a function giving the value for the next connection (undefined: none). */
export type CredentialSource<T> = T | (() => T | undefined | Promise<T | undefined>);

/** The value of a source that is fixed; undefined for a function (it is called before each connection). */
export const fixedPart = <T>(v: CredentialSource<T> | undefined): T | undefined => (typeof v === "function" ? undefined : v);

const sameValue = (a: Secret | undefined, b: Secret | undefined) =>
  a === b || (a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b)));

export class ConnectCredentials {
  private current: { username?: string; password?: Secret };

  constructor(
    private readonly fw: Firmware,
    /** The CONNECT as configured, with fixed credentials (or none yet). */
    private readonly connect: ConnectOptions,
    private readonly username: CredentialSource<string> | undefined,
    private readonly password: CredentialSource<Secret> | undefined,
    /** MQTT 5 enhanced authentication: the CONNECT's method and data, new for every connection. */
    private readonly authProperties?: () => Promise<AuthProperties>,
  ) {
    this.current = { username: connect.username, password: connect.password };
  }

  /** True when a user name or password is a function (called before every connection). */
  get dynamic(): boolean {
    return typeof this.username === "function" || typeof this.password === "function" || this.authProperties !== undefined;
  }

  /** The credentials for the next connection, in the firmware's CONNECT; rejects with a "credentials" MoteError. */
  async prepare(): Promise<void> {
    let username: string | undefined;
    let password: Secret | undefined;
    let auth: AuthProperties | undefined;
    try {
      [username, password] = await Promise.all([
        typeof this.username === "function" ? this.username() : this.username,
        typeof this.password === "function" ? this.password() : this.password,
      ]);
    } catch (e) {
      // The source's own words, never its value: a failing command's message names the command, not a secret.
      throw new MoteError(`credentials: ${errorLine(e)}`, "credentials");
    }
    try {
      auth = await this.authProperties?.();
    } catch (e) {
      throw new MoteError(`authentication: ${errorLine(e)}`, "auth");
    }
    if (!auth && username === this.current.username && sameValue(password, this.current.password)) return;
    const properties = auth ? { ...this.connect.properties, ...auth } : this.connect.properties;
    const rc = configure(this.fw, { ...this.connect, username, password, properties, keepSession: true });
    if (rc !== 0) throw localError(`credentials: the firmware refused them: ${statusText(-rc)}`, -rc);
    this.current = { username, password };
  }
}
