// SCRAM-SHA-256 (RFC 5802 + RFC 7677) as an MQTT 5 enhanced authentication method: the client
// (host/auth/scram.ts) and the tests' server (test/support/scram-server.ts) each replay RFC 7677's
// example byte for byte, then meet each other, then meet a server that lies: every refusal is one
// line of kind "auth" that never carries the password.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ITERATIONS_MAX, ITERATIONS_MIN, scramSha256 } from "../../host/auth/scram.ts";
import type { Authenticator } from "../../host/auth/authenticator.ts";
import { isKind } from "../../host/errors.ts";
import { ScramServer } from "../support/scram-server.ts";

interface Rfc7677Example {
  username: string; password: string; clientNonce: string; serverNonce: string; salt: string; iterations: number;
  clientFirst: string; serverFirst: string; clientFinal: string; serverFinal: string;
}
const rfc = JSON.parse(readFileSync(new URL("../fixtures/auth/scram-sha-256-rfc7677.json", import.meta.url), "utf8")) as Rfc7677Example;

const PASSWORD = "s3cret-pencil";
const bytes = (text: string) => Buffer.from(text, "utf8");
const text = (data: Buffer | undefined) => data?.toString("utf8");

/** The error a call throws or rejects with (the test fails when it does not). */
async function failure(call: () => unknown): Promise<Error> {
  try {
    await call();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure, got none");
}

/** Every refusal is one line, an "auth" error, and keeps the secret out. */
function expectOneLineAuthError(e: Error, secret: string) {
  expect(isKind(e, "auth")).toBe(true);
  expect(e.message).toMatch(/^SCRAM-SHA-256: [^\n]+$/);
  expect(e.message).not.toContain(secret);
}

/** Runs a whole exchange between a client and the server; returns where it stopped. */
async function exchange(client: Authenticator, server: ScramServer): Promise<"accepted" | "unknown-user" | "invalid-proof" | "malformed"> {
  const first = server.first((await client.start())!);
  if ("error" in first) return first.error;
  const final = server.final((await client.challenge(first.serverFirst))!);
  if ("error" in final) return final.error;
  client.success!(final.serverFinal);
  return "accepted";
}

/** A client that has sent its client-first with the RFC's nonce, ready for a server-first. */
async function startedClient(password = PASSWORD): Promise<Authenticator> {
  const client = scramSha256({ username: "user", password, nonce: () => rfc.clientNonce });
  await client.start();
  return client;
}

describe("[RFC 7677 §3] the RFC's example exchange, replayed", () => {
  it("[RFC 7677 §3] the client sends the RFC's client-first and client-final byte for byte and accepts its server-final", async () => {
    const client = scramSha256({ username: rfc.username, password: rfc.password, nonce: () => rfc.clientNonce });
    expect(client.method).toBe("SCRAM-SHA-256");
    expect(text(await client.start())).toBe(rfc.clientFirst);
    expect(text(await client.challenge(bytes(rfc.serverFirst)))).toBe(rfc.clientFinal);
    expect(() => client.success!(bytes(rfc.serverFinal))).not.toThrow();
  });

  it("[RFC 7677 §3] the server answers the RFC's server-first and server-final given its salt, iteration count and server nonce", () => {
    const opts = { nonce: () => rfc.serverNonce, salt: () => Buffer.from(rfc.salt, "base64"), iterations: rfc.iterations };
    const byPassword = new ScramServer({ [rfc.username]: { password: rfc.password } }, opts);
    const byVerifier = new ScramServer({ [rfc.username]: ScramServer.verifier(rfc.password, Buffer.from(rfc.salt, "base64"), rfc.iterations) }, opts);
    for (const server of [byPassword, byVerifier]) {
      expect(server.first(bytes(rfc.clientFirst))).toEqual({ serverFirst: bytes(rfc.serverFirst) });
      expect(server.final(bytes(rfc.clientFinal))).toEqual({ serverFinal: bytes(rfc.serverFinal) });
    }
  });
});

describe("[RFC 5802 §5] client and server together", () => {
  it("[RFC 5802 §5] a round trip with random nonces succeeds, and every start() and reauthenticate() draws a new nonce", async () => {
    const client = scramSha256({ username: "sensor-1", password: PASSWORD });
    const server = new ScramServer({ "sensor-1": { password: PASSWORD } });
    expect(await exchange(client, server)).toBe("accepted");
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) nonces.add(/,r=([^,]+)$/.exec(text(await client.start())!)![1]);
    nonces.add(/,r=([^,]+)$/.exec(text(await client.reauthenticate!())!)![1]);
    expect(nonces.size).toBe(4);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(await exchange({ ...client, start: client.reauthenticate! }, server)).toBe("accepted");
  });

  it("[RFC 5802 §5.1] a wrong password: the server refuses the proof (invalid-proof)", async () => {
    const server = new ScramServer({ "sensor-1": { password: PASSWORD } });
    expect(await exchange(scramSha256({ username: "sensor-1", password: "not-it" }), server)).toBe("invalid-proof");
  });

  it("[RFC 5802 §5.1] a tampered server signature: the client's success() throws one clear line", async () => {
    const client = scramSha256({ username: "sensor-1", password: PASSWORD });
    const e = await failure(() => exchange(client, new ScramServer({ "sensor-1": { password: PASSWORD } }, { tamperSignature: true })));
    expectOneLineAuthError(e, PASSWORD);
    expect(e.message).toBe("SCRAM-SHA-256: the server's signature does not match (the server does not know the password)");
  });

  it("[RFC 5802 §5.1] user names with \"=\" and \",\" are sent escaped as \"=3D\" and \"=2C\", and the server finds the user", async () => {
    const client = scramSha256({ username: "a=b,c", password: PASSWORD, nonce: () => rfc.clientNonce });
    expect(text(await client.start())).toBe(`n,,n=a=3Db=2Cc,r=${rfc.clientNonce}`);
    expect(await exchange(client, new ScramServer({ "a=b,c": { password: PASSWORD } }))).toBe("accepted");
  });

  it("[RFC 5802 §5.1, RFC 4013] the password is NFKC-normalised as a stand-in for SASLprep: U+2168 logs in as \"IX\"", async () => {
    const server = new ScramServer({ roman: { password: "IX" } });
    expect(await exchange(scramSha256({ username: "roman", password: "\u2168" }), server)).toBe("accepted");
  });

  it("a password function is called at every start(), so a password that rotates logs in with its current value", async () => {
    let current = "first";
    let calls = 0;
    const client = scramSha256({
      username: "rot",
      password: async () => {
        calls++;
        return current;
      },
    });
    expect(await exchange(client, new ScramServer({ rot: { password: "first" } }))).toBe("accepted");
    current = "second";
    expect(await exchange(client, new ScramServer({ rot: { password: "second" } }))).toBe("accepted");
    expect(calls).toBe(2);
  });

  it("a password function that gives no string is refused at start() with one line", async () => {
    const client = scramSha256({ username: "rot", password: (() => undefined) as unknown as () => string });
    expectOneLineAuthError(await failure(() => client.start()), "undefined");
  });
});

/** A server-first extending the RFC's client nonce with "xyz", then these attributes. */
const extending = (rest: string) => `r=${rfc.clientNonce}xyz,${rest}`;
const SALT = "s=W22ZaJ0SNY7soEsUEjb6gQ==";

/** Server-first messages a client must refuse, with what its one line says. The client's nonce is the RFC's. */
const HOSTILE_SERVER_FIRSTS: { name: string; serverFirst: string; says: RegExp }[] = [
  { name: "[RFC 5802 §5.1] a nonce that does not extend ours", serverFirst: `r=someone-elses-nonce,${SALT},i=4096`, says: /nonce does not extend ours/ },
  { name: "[RFC 5802 §5.1] our nonce with nothing added", serverFirst: `r=${rfc.clientNonce},${SALT},i=4096`, says: /nonce does not extend ours/ },
  { name: "[RFC 7677 §4] iteration count 1", serverFirst: extending(`${SALT},i=1`), says: /iteration count 1 is below the minimum 4096/ },
  { name: `[RFC 7677 §4] iteration count ${ITERATIONS_MIN - 1}`, serverFirst: extending(`${SALT},i=${ITERATIONS_MIN - 1}`), says: /is below the minimum/ },
  { name: `[RFC 7677 §4] iteration count ${ITERATIONS_MAX + 1}`, serverFirst: extending(`${SALT},i=${ITERATIONS_MAX + 1}`), says: /is above the/ },
  {
    name: "[RFC 7677 §4] iteration count 10,000,000 (refused before PBKDF2 would spin)",
    serverFirst: extending(`${SALT},i=10000000`), says: /iteration count 10000000 is above the 1000000 we accept/,
  },
  { name: "[RFC 5802 §7] a non-numeric iteration count", serverFirst: extending(`${SALT},i=4096x`), says: /not a number/ },
  { name: "[RFC 5802 §7] no salt", serverFirst: extending("i=4096"), says: /has no salt \(s=\)/ },
  { name: "[RFC 5802 §7] a salt that is not base64", serverFirst: extending("s=not base64!,i=4096"), says: /salt is not base64/ },
  { name: "[RFC 5802 §7] no nonce", serverFirst: `${SALT},i=4096`, says: /has no nonce \(r=\)/ },
  { name: "[RFC 5802 §7] an error (e=other-error)", serverFirst: "e=other-error", says: /the server refused the exchange: other-error$/ },
  { name: "[RFC 5802 §7] a mandatory extension (m=)", serverFirst: `m=x,${extending(`${SALT},i=4096`)}`, says: /requires an extension/ },
  { name: "[RFC 5802 §7] text that is not attributes, with a line break", serverFirst: "hello\nworld", says: /not a list of attributes: hello world$/ },
];

describe("[RFC 5802 §5.1] a server-first message the client refuses, each with one line that never holds the password", () => {
  for (const { name, serverFirst, says } of HOSTILE_SERVER_FIRSTS) {
    it(name, async () => {
      const client = await startedClient();
      const e = await failure(() => client.challenge(bytes(serverFirst)));
      expectOneLineAuthError(e, PASSWORD);
      expect(e.message).toMatch(says);
    });
  }

  it("[RFC 5802 §5.1] an AUTH without data is refused", async () => {
    expectOneLineAuthError(await failure(async () => (await startedClient()).challenge(undefined)), PASSWORD);
  });
});

describe("[RFC 5802 §5] a server-final message or a step out of turn", () => {
  /** A client that has answered the RFC's server-first and waits for the server-final. */
  async function answeredClient(): Promise<Authenticator> {
    const client = scramSha256({ username: rfc.username, password: rfc.password, nonce: () => rfc.clientNonce });
    await client.start();
    await client.challenge(bytes(rfc.serverFirst));
    return client;
  }

  for (const { name, serverFinal, says } of [
    { name: "[RFC 5802 §7] an error (e=invalid-proof)", serverFinal: "e=invalid-proof", says: /server refused the exchange: invalid-proof$/ },
    { name: "[RFC 5802 §7] no signature", serverFinal: "x=1", says: /has no signature \(v=\)/ },
    { name: "[RFC 5802 §7] no data at all", serverFinal: "", says: /server-final message is empty/ },
    { name: "[RFC 5802 §5.1] a signature for another exchange", serverFinal: `v=${Buffer.alloc(32).toString("base64")}`, says: /signature does not match/ },
  ]) {
    it(`${name} is refused with one line`, async () => {
      const client = await answeredClient();
      const e = await failure(() => client.success!(bytes(serverFinal)));
      expectOneLineAuthError(e, rfc.password);
      expect(e.message).toMatch(says);
    });
  }

  it("[RFC 5802 §5] success() before the challenge was answered throws: the server proved nothing", async () => {
    const e = await failure(async () => (await startedClient()).success!(bytes(rfc.serverFinal)));
    expectOneLineAuthError(e, PASSWORD);
    expect(e.message).toMatch(/accepted before the exchange was complete/);
  });

  it("[RFC 5802 §5] a second challenge after the client-final throws", async () => {
    const e = await failure(async () => (await answeredClient()).challenge(bytes(rfc.serverFirst)));
    expectOneLineAuthError(e, rfc.password);
    expect(e.message).toMatch(/another challenge after our client-final/);
  });

  it("a start() while a challenge is being answered makes that answer stale: it rejects, and the new exchange goes on", async () => {
    const client = scramSha256({ username: rfc.username, password: rfc.password, nonce: () => rfc.clientNonce });
    await client.start();
    const stale = client.challenge(bytes(rfc.serverFirst));
    await client.start();
    expectOneLineAuthError(await failure(() => stale), rfc.password);
    expect(text(await client.challenge(bytes(rfc.serverFirst)))).toBe(rfc.clientFinal);
  });
});

describe("[RFC 5802 §5.1] the server refuses what it cannot accept", () => {
  const server = () => new ScramServer({ user: { password: PASSWORD } });

  for (const { name, clientFirst, error } of [
    { name: "an unknown user", clientFirst: "n,,n=nobody,r=abc", error: "unknown-user" },
    { name: "[RFC 5802 §7] channel binding asked for (p=), which it does not offer", clientFirst: "p=tls-unique,,n=user,r=abc", error: "malformed" },
    { name: "[RFC 5802 §5.1] an \"=\" that escapes neither \"=\" nor \",\"", clientFirst: "n,,n=us=41er,r=abc", error: "malformed" },
    { name: "[RFC 5802 §7] no nonce", clientFirst: "n,,n=user", error: "malformed" },
  ]) {
    it(`client-first with ${name}: ${error}`, () => {
      expect(server().first(bytes(clientFirst))).toEqual({ error });
    });
  }

  it("[RFC 5802 §7] a client-final without a client-first, with another nonce, or without a proof is malformed", () => {
    const s = server();
    expect(s.final(bytes(rfc.clientFinal))).toEqual({ error: "malformed" });
    for (const clientFinal of ["c=biws,r=abcXYZ,p=AAAA", "c=biws,r=abc-server-part"]) {
      const first = s.first(bytes("n,,n=user,r=abc"));
      expect("serverFirst" in first).toBe(true);
      expect(s.final(bytes(clientFinal))).toEqual({ error: "malformed" });
    }
  });
});
