// mote pub/sub --auth-method (issue 13): MQTT 5 enhanced authentication from the command line,
// against the scripted SCRAM-SHA-256 / bearer-token broker of test/support/auth-broker.ts.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { jwtExpiry } from "../../host/auth/bearer-token.ts";
import { AuthBroker, type AuthBrokerOptions } from "../support/auth-broker.ts";
import { killAll, mote } from "./helpers.ts";

const PASSWORD = "correct horse";
const brokers: AuthBroker[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.close()));
});
afterAll(killAll);

async function broker(o: AuthBrokerOptions = {}): Promise<AuthBroker> {
  const b = await new AuthBroker({ users: { alice: PASSWORD }, ...o }).listen();
  brokers.push(b);
  return b;
}

const pub = (b: AuthBroker, ...args: string[]) => mote(["pub", "-h", "127.0.0.1", "-p", String(b.port), "-t", "t/auth", "-m", "hi", "-q", "1", ...args]).done;

describe("mote pub --auth-method SCRAM-SHA-256", () => {
  it("logs in with -u/-P through the AUTH exchange (MQTT 5 implied), never sending the password", async () => {
    const b = await broker();
    const r = await pub(b, "--auth-method", "SCRAM-SHA-256", "-u", "alice", "-P", PASSWORD);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(b.connections[0]).toMatchObject({ method: "SCRAM-SHA-256", auths: [0x18], connack: 0 });
    expect(b.published).toEqual(["hi"]);
    expect(Buffer.concat(b.connections[0].data).toString()).not.toContain(PASSWORD);
  });

  it("a wrong password: the broker's refusal in one line, non-zero exit", async () => {
    const b = await broker({ refuseWith: 0x87 });
    const r = await pub(b, "--auth-method", "SCRAM-SHA-256", "-u", "alice", "-P", "wrong");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe("mote pub: connection refused: Not authorized (0x87)\n");
  });

  it("a broker that does not know the password (tampered signature): one line, exit 1", async () => {
    const b = await broker({ fault: "tamperSignature" });
    const r = await pub(b, "--auth-method", "SCRAM-SHA-256", "-u", "alice", "-P", PASSWORD);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("mote pub: authentication: SCRAM-SHA-256: the server's signature does not match (the server does not know the password)\n");
  });

  it("takes the password from --password-command", async () => {
    const b = await broker();
    const r = await pub(b, "--auth-method", "SCRAM-SHA-256", "-u", "alice", "--password-command", `printf '%s\\n' '${PASSWORD}'`);
    expect(r).toMatchObject({ code: 0, stderr: "" });
  });
});

describe("mote pub --auth-method with a token", () => {
  it("presents --auth-data as the method's authentication data", async () => {
    const token = `${Buffer.from("{}").toString("base64url")}.${Buffer.from(JSON.stringify({ exp: Date.now() / 1000 + 60 })).toString("base64url")}.x`;
    const b = await broker({ tokenValid: (t) => t === token && (jwtExpiry(t) ?? 0) * 1000 > Date.now() });
    const r = await pub(b, "--auth-method", "bearer", "--auth-data", token);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(b.tokenChecks).toEqual([true]);
  });

  it("-d never shows the token or the SCRAM messages", async () => {
    const token = "tok-3b9f0c1d";
    const b = await broker({ tokenValid: (t) => t === token });
    const r = await pub(b, "--auth-method", "bearer", "--auth-data", token, "-d");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/CONNECT/);
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(token).toString("hex"));
  });

  it("an expired token is refused: one line, non-zero exit", async () => {
    const b = await broker({ tokenValid: () => false });
    const r = await pub(b, "--auth-method", "bearer", "--auth-data", "expired");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe("mote pub: connection refused: Not authorized (0x87)\n");
  });
});

describe("--auth-method usage errors", () => {
  it.each([
    [["-V", "311"], "--auth-method is MQTT 5 enhanced authentication: it cannot be used with -V 311"],
    [["-u", "alice"], "SCRAM-SHA-256 needs -u and -P (or --password-command)"],
    [["-u", "alice", "-P", "x", "--auth-data", "y"], "SCRAM-SHA-256 computes its own authentication data: give -u and -P (or --password-command)"],
  ])("%j", async (args, line) => {
    const r = await mote(["pub", "-t", "t", "-m", "x", "--auth-method", "SCRAM-SHA-256", ...args]).done;
    expect(r).toMatchObject({ code: 2, stderr: `mote pub: ${line} (see mote pub --help)\n` });
  });

  it("--auth-data without --auth-method", async () => {
    const r = await mote(["pub", "-t", "t", "-m", "x", "--auth-data", "y"]).done;
    expect(r).toMatchObject({ code: 2, stderr: "mote pub: --auth-data needs --auth-method (see mote pub --help)\n" });
  });
});
