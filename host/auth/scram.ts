// SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash) as an MQTT 5 enhanced authentication method: the
// client-first message goes in the CONNECT, the server-first arrives in AUTH 0x18 and is answered
// with the client-final, and the server-final in the CONNACK (or AUTH Success) must carry the
// server's signature, which only a server that knows the password can compute. No channel binding
// (gs2 header "n,,"): the TLS below MQTT is not visible to the exchange. Everything is node:crypto.
//
// The server's messages are wire input from a peer we do not trust yet, so every check is done
// before any work: an iteration count out of bounds is refused before PBKDF2 runs, since a hostile
// server could otherwise make us spin. Errors are one line and never carry the password or proof.
import { createHash, createHmac, pbkdf2, timingSafeEqual, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { MoteError } from "../errors.ts";
import type { Authenticator } from "./authenticator.ts";

const METHOD = "SCRAM-SHA-256";
/** gs2-header for "no channel binding, no authorization identity" [RFC 5802 §7]. */
const GS2_HEADER = "n,,";
/** SHA-256's output: the length of SaltedPassword and every key [RFC 7677 §3]. */
const KEY_BYTES = 32;
/** Random bytes in a fresh client nonce: 18 bytes make 24 base64 characters, without padding. */
const NONCE_RANDOM_BYTES = 18;
/** The least iteration count we accept: RFC 7677 §4 says a server SHOULD announce at least 4096. */
export const ITERATIONS_MIN = 4096;
/** The most we accept: PBKDF2 at this count takes a fifth of a second on a desktop core, seconds on a small board; more is a server making us spin. */
export const ITERATIONS_MAX = 1_000_000;
/** How much of a server's error text we repeat, so a hostile server cannot flood a log line. */
const SERVER_TEXT_CHARS_MAX = 100;

const pbkdf2Async = promisify(pbkdf2);

/** A SCRAM failure on our side: one line, kind "auth", never the password or the proof. */
const scramError = (what: string) => new MoteError(`${METHOD}: ${what}`, "auth");

/** A server's text made safe for one log line: control characters out, length bounded. */
const oneLine = (text: string) => text.replace(/[\x00-\x1f\x7f]/g, " ").slice(0, SERVER_TEXT_CHARS_MAX);

export const hmacSha256 = (key: Buffer, text: string | Buffer) => createHmac("sha256", key).update(text).digest();

/** a XOR b, for two keys of the same length. */
export function xorBytes(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** ClientKey, StoredKey and ServerKey from SaltedPassword [RFC 5802 §3]. */
export function scramKeys(saltedPassword: Buffer): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  const clientKey = hmacSha256(saltedPassword, "Client Key");
  return { clientKey, storedKey: createHash("sha256").update(clientKey).digest(), serverKey: hmacSha256(saltedPassword, "Server Key") };
}

/**
 * The stand-in for SASLprep (RFC 4013), which both sides apply to the password and the user name:
 * NFKC is SASLprep's normalisation step; its mapping and prohibition tables are not implemented, so
 * an exotic password (soft hyphens, non-ASCII spaces) may differ from a strict server's reading.
 */
export const saslPrep = (text: string) => text.normalize("NFKC");

/** A saslname: "=" and "," escaped as "=3D" and "=2C" [RFC 5802 §5.1]. */
const escapeSaslName = (name: string) => name.replace(/=/g, "=3D").replace(/,/g, "=2C");

/** printable = %x21-2B / %x2D-7E, i.e. visible ASCII but "," [RFC 5802 §7]. */
export const isPrintable = (text: string) => /^[\x21-\x2b\x2d-\x7e]+$/.test(text);

/** Strict base64 (no whitespace, padding only at the end), the only encoding SCRAM uses for bytes. */
export const isBase64 = (text: string) => text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);

/**
 * A SCRAM message's attributes, "a=value" separated by commas [RFC 5802 §7], in order; undefined
 * when a part is not an attribute or a name repeats.
 */
export function parseAttributes(message: string): { name: string; value: string }[] | undefined {
  const out: { name: string; value: string }[] = [];
  for (const part of message.split(",")) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m || out.some((a) => a.name === m[1])) return undefined;
    out.push({ name: m[1], value: m[2] });
  }
  return out;
}

/** The server's "e=" error [RFC 5802 §7, server-error], as our one line. */
const serverRefused = (value: string) => scramError(`the server refused the exchange: ${oneLine(value) || "(no reason given)"}`);

/** A message from the server as text, or a one-line error naming which message was missing. */
function serverText(data: Buffer | undefined, which: string): string {
  if (data === undefined || data.length === 0) throw scramError(`the server's ${which} message is empty`);
  return data.toString("utf8");
}

/** The checked fields of a server-first message [RFC 5802 §5.1, §7]: the combined nonce, salt and iteration count. */
function parseServerFirst(text: string, clientNonce: string): { nonce: string; salt: Buffer; iterations: number } {
  if (text.startsWith("e=")) throw serverRefused(text.slice(2));
  const attrs = parseAttributes(text);
  if (!attrs) throw scramError(`the server-first message is not a list of attributes: ${oneLine(text)}`);
  if (attrs[0].name === "m") throw scramError("the server requires an extension (m=) we do not support");
  const get = (name: string, what: string) => {
    const a = attrs.find((x) => x.name === name);
    if (!a) throw scramError(`the server-first message has no ${what} (${name}=)`);
    return a.value;
  };
  const nonce = get("r", "nonce");
  const salt = get("s", "salt");
  const count = get("i", "iteration count");
  if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length || !isPrintable(nonce)) {
    throw scramError("the server's nonce does not extend ours (a replayed or forged exchange)");
  }
  if (salt.length === 0 || !isBase64(salt)) throw scramError("the server's salt is not base64");
  if (!/^[1-9][0-9]{0,9}$/.test(count)) throw scramError(`the server's iteration count is not a number: ${oneLine(count)}`);
  const iterations = Number(count);
  if (iterations < ITERATIONS_MIN) throw scramError(`the server's iteration count ${iterations} is below the minimum ${ITERATIONS_MIN} (RFC 7677 §4)`);
  if (iterations > ITERATIONS_MAX) throw scramError(`the server's iteration count ${iterations} is above the ${ITERATIONS_MAX} we accept`);
  return { nonce, salt: Buffer.from(salt, "base64"), iterations };
}

/** Where one exchange stands; every start() begins a new one. */
type Exchange =
  | { step: "sent-first"; clientNonce: string; clientFirstBare: string; password: string }
  | { step: "deriving" }
  | { step: "sent-final"; serverSignature: Buffer }
  | { step: "done" };

/** Why a challenge cannot be answered, by where the exchange stands. */
const OUT_OF_TURN_CHALLENGE: Record<Exclude<Exchange["step"], "sent-first"> | "none", string> = {
  none: "the server sent a challenge before the exchange started",
  deriving: "the server sent a second challenge while the first was being answered",
  "sent-final": "the server sent another challenge after our client-final message",
  done: "the server sent a challenge after the exchange ended",
};

export interface ScramOptions {
  username: string;
  /** The password, or a function called at every start() (a password that rotates). */
  password: string | (() => string | Promise<string>);
  /** The client nonce, for tests only; by default each exchange draws a fresh random one. */
  nonce?: () => string;
}

/** The SCRAM-SHA-256 client as an MQTT 5 Authenticator. */
export function scramSha256(o: ScramOptions): Authenticator {
  let exchange: Exchange | undefined;

  const start = async (): Promise<Buffer> => {
    exchange = undefined;
    const given: unknown = typeof o.password === "function" ? await o.password() : o.password;
    if (typeof given !== "string") throw scramError("the password function gave no password (a string is needed)");
    const password = saslPrep(given);
    const clientNonce = o.nonce ? o.nonce() : randomBytes(NONCE_RANDOM_BYTES).toString("base64");
    if (!isPrintable(clientNonce)) throw new Error(`${METHOD}: a client nonce must be printable ASCII without ","`);
    const clientFirstBare = `n=${escapeSaslName(saslPrep(o.username))},r=${clientNonce}`;
    exchange = { step: "sent-first", clientNonce, clientFirstBare, password };
    return Buffer.from(GS2_HEADER + clientFirstBare, "utf8");
  };

  const challenge = async (data: Buffer | undefined): Promise<Buffer> => {
    const first = exchange;
    if (first?.step !== "sent-first") throw scramError(OUT_OF_TURN_CHALLENGE[first?.step ?? "none"]);
    const serverFirst = serverText(data, "server-first");
    const { nonce, salt, iterations } = parseServerFirst(serverFirst, first.clientNonce);
    // The "deriving" step refuses a second challenge while PBKDF2 runs; a start() meanwhile makes this exchange stale.
    const current: Exchange = (exchange = { step: "deriving" });
    const saltedPassword = await pbkdf2Async(first.password, salt, iterations, KEY_BYTES, "sha256");
    if (exchange !== current) throw scramError("the exchange was restarted while it was answering a challenge");
    const { clientKey, storedKey, serverKey } = scramKeys(saltedPassword);
    const clientFinalWithoutProof = `c=${Buffer.from(GS2_HEADER).toString("base64")},r=${nonce}`;
    const authMessage = `${first.clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
    const proof = xorBytes(clientKey, hmacSha256(storedKey, authMessage));
    exchange = { step: "sent-final", serverSignature: hmacSha256(serverKey, authMessage) };
    return Buffer.from(`${clientFinalWithoutProof},p=${proof.toString("base64")}`, "utf8");
  };

  const success = (data: Buffer | undefined): void => {
    const final = exchange;
    if (final?.step !== "sent-final") throw scramError("the server accepted before the exchange was complete (it did not prove it knows the password)");
    exchange = { step: "done" };
    const text = serverText(data, "server-final");
    if (text.startsWith("e=")) throw serverRefused(text.slice(2));
    const v = parseAttributes(text)?.find((a) => a.name === "v")?.value;
    if (v === undefined || !isBase64(v)) throw scramError("the server's final message has no signature (v=)");
    const signature = Buffer.from(v, "base64");
    if (signature.length !== final.serverSignature.length || !timingSafeEqual(signature, final.serverSignature)) {
      throw scramError("the server's signature does not match (the server does not know the password)");
    }
  };

  return { method: METHOD, start, challenge, success, reauthenticate: start };
}
