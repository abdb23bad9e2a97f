// A bearer token (an OAuth access token, a JWT) as MQTT 5 enhanced authentication: the token is
// the CONNECT's Authentication Data, fetched fresh for every connection, and the Device
// re-authenticates (AUTH 0x19 with a new token) before the token expires, so a long session never
// runs on an expired token. A JWT's `exp` claim is read without verifying the signature: the
// broker verifies; the client only needs to know when to renew.
import type { Authenticator } from "./authenticator.ts";

/** The method name brokers commonly use for a token in the authentication data. */
export const BEARER_METHOD = "bearer";
/** Renew this share of the token's remaining life early (clock skew, a slow broker)... */
const RENEW_EARLY_SHARE = 0.2;
/** ...but never less than this early, nor more than this. */
const RENEW_EARLY_MIN_MS = 500;
const RENEW_EARLY_MAX_MS = 60_000;
const MS_PER_S = 1000;

/** The `exp` claim (seconds since the epoch) of a JWT, or undefined when the token is not a JWT or has none. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" && Number.isFinite(claims.exp) ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

export function bearerToken(o: {
  /** A fresh token: called before every connection and every renewal. */
  token: () => string | Promise<string>;
  method?: string;
  /** When the token has no `exp` (not a JWT): renew after this many ms (default: never). */
  renewEveryMs?: number;
  /** The clock the expiry is compared with (ms since the epoch; tests pass a fixed one). */
  now?: () => number;
}): Authenticator {
  let expiresAtMs: number | undefined;
  const now = o.now ?? Date.now;
  const fetch = async () => {
    const token = await o.token();
    const exp = jwtExpiry(token);
    expiresAtMs = exp === undefined ? undefined : exp * MS_PER_S;
    return Buffer.from(token, "utf8");
  };
  return {
    method: o.method ?? BEARER_METHOD,
    start: fetch,
    reauthenticate: fetch,
    challenge() {
      throw new Error("the broker challenged a bearer token: the method has no challenge");
    },
    renewInMs() {
      if (expiresAtMs === undefined) return o.renewEveryMs;
      const left = expiresAtMs - now();
      const early = Math.min(RENEW_EARLY_MAX_MS, Math.max(RENEW_EARLY_MIN_MS, left * RENEW_EARLY_SHARE));
      return Math.max(0, left - early);
    },
  };
}
