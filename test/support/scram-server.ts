// The server side of SCRAM-SHA-256 (RFC 5802 + RFC 7677), for the scripted brokers of the tests:
// first() takes the client-first message (the CONNECT's Authentication Data) and answers the
// server-first (the AUTH 0x18's); final() takes the client-final and answers the server-final
// (the CONNACK's), or says why the client is refused, for the broker to map to a reason code.
//
// One exchange at a time: first() begins a new one (forgetting any unfinished one) and final()
// ends it, successful or not. Users are given by password (derived once, here, with a salt and
// an iteration count from the options) or as a stored verifier, the way a real server keeps them.
// Deterministic when opts.nonce and opts.salt are given, which is how the RFC's example is replayed.
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { hmacSha256, isBase64, isPrintable, parseAttributes, saslPrep, scramKeys, xorBytes } from "../../host/auth/scram.ts";

/** What a server stores for a user instead of the password [RFC 5802 §3]. */
export interface ScramVerifier { salt: Buffer; iterations: number; storedKey: Buffer; serverKey: Buffer }

export interface ScramServerOptions {
  /** The server's part of the nonce (default: 18 random bytes, base64). */
  nonce?: () => string;
  /** Iteration count for users given by password (default 4096, RFC 7677's minimum). */
  iterations?: number;
  /** Salt for a user given by password (default: 16 random bytes). */
  salt?: (user: string) => Buffer;
  /** Flip one bit of the server signature (v=), as a server that does not know the password would get it wrong. */
  tamperSignature?: boolean;
}

const ITERATIONS_DEFAULT = 4096;
const SALT_BYTES_DEFAULT = 16;
const SERVER_NONCE_RANDOM_BYTES = 18;
const KEY_BYTES = 32;
/** The only gs2 headers accepted: no channel binding ("y": the client could bind but thinks we cannot), no authzid. */
const GS2_HEADER = /^([ny]),,/;

/** An exchange between first() and final(). */
interface Pending { gs2Header: string; clientFirstBare: string; serverFirst: string; nonce: string; verifier: ScramVerifier }

/** The user name in a saslname, or undefined when an "=" escapes something other than "=" or "," [RFC 5802 §5.1]. */
function unescapeSaslName(name: string): string | undefined {
  if (/=(?!3D|2C)/.test(name)) return undefined;
  return name.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

export class ScramServer {
  private readonly verifiers = new Map<string, ScramVerifier>();
  private pending: Pending | undefined;

  /** The verifier a server keeps for a password: SaltedPassword's StoredKey and ServerKey [RFC 5802 §3]. */
  static verifier(password: string, salt: Buffer, iterations: number): ScramVerifier {
    const { storedKey, serverKey } = scramKeys(pbkdf2Sync(saslPrep(password), salt, iterations, KEY_BYTES, "sha256"));
    return { salt, iterations, storedKey, serverKey };
  }

  constructor(
    users: Record<string, { password: string } | ScramVerifier>,
    private readonly opts: ScramServerOptions = {},
  ) {
    for (const [name, user] of Object.entries(users)) {
      const verifier = "password" in user
        ? ScramServer.verifier(user.password, opts.salt?.(name) ?? randomBytes(SALT_BYTES_DEFAULT), opts.iterations ?? ITERATIONS_DEFAULT)
        : user;
      this.verifiers.set(saslPrep(name), verifier);
    }
  }

  /** Answers a client-first message with the server-first, or refuses it. */
  first(clientFirst: Buffer): { serverFirst: Buffer } | { error: "unknown-user" | "malformed" } {
    this.pending = undefined;
    const text = clientFirst.toString("utf8");
    const gs2 = GS2_HEADER.exec(text);
    if (!gs2) return { error: "malformed" };
    const clientFirstBare = text.slice(gs2[0].length);
    const attrs = parseAttributes(clientFirstBare);
    if (!attrs || attrs.length < 2 || attrs[0].name !== "n" || attrs[1].name !== "r" || !isPrintable(attrs[1].value)) return { error: "malformed" };
    const name = unescapeSaslName(attrs[0].value);
    if (name === undefined) return { error: "malformed" };
    const verifier = this.verifiers.get(name);
    if (!verifier) return { error: "unknown-user" };
    const nonce = attrs[1].value + (this.opts.nonce?.() ?? randomBytes(SERVER_NONCE_RANDOM_BYTES).toString("base64"));
    const serverFirst = `r=${nonce},s=${verifier.salt.toString("base64")},i=${verifier.iterations}`;
    this.pending = { gs2Header: gs2[0], clientFirstBare, serverFirst, nonce, verifier };
    return { serverFirst: Buffer.from(serverFirst, "utf8") };
  }

  /** Checks a client-final message's proof and answers the server-final, or refuses it; ends the exchange either way. */
  final(clientFinal: Buffer): { serverFinal: Buffer } | { error: "invalid-proof" | "malformed" } {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return { error: "malformed" };
    const text = clientFinal.toString("utf8");
    // The proof is the last attribute, and the AuthMessage holds everything before it [RFC 5802 §7].
    const proofAt = text.lastIndexOf(",p=");
    if (proofAt < 0) return { error: "malformed" };
    const withoutProof = text.slice(0, proofAt);
    const proofText = text.slice(proofAt + ",p=".length);
    const attrs = parseAttributes(withoutProof);
    if (!attrs || attrs.length < 2 || attrs[0].name !== "c" || attrs[1].name !== "r") return { error: "malformed" };
    if (attrs[0].value !== Buffer.from(pending.gs2Header).toString("base64") || attrs[1].value !== pending.nonce) return { error: "malformed" };
    if (!isBase64(proofText)) return { error: "malformed" };
    const proof = Buffer.from(proofText, "base64");
    if (proof.length !== KEY_BYTES) return { error: "malformed" };

    const { storedKey, serverKey } = pending.verifier;
    const authMessage = `${pending.clientFirstBare},${pending.serverFirst},${withoutProof}`;
    const clientKey = xorBytes(proof, hmacSha256(storedKey, authMessage));
    if (!timingSafeEqual(createHash("sha256").update(clientKey).digest(), storedKey)) return { error: "invalid-proof" };
    const signature = hmacSha256(serverKey, authMessage);
    if (this.opts.tamperSignature) signature[0] ^= 0x01;
    return { serverFinal: Buffer.from(`v=${signature.toString("base64")}`, "utf8") };
  }
}
