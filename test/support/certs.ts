// Throwaway test certificates, made with the openssl CLI: a CA, a server certificate for
// localhost / 127.0.0.1 and a client certificate (CN "mote-client") signed by it, and an
// unrelated "wrong" CA with a server certificate of its own (same names), for tests that expect
// a certificate to be rejected. EC P-256, SHA-256, valid for 2 days.
//
// mosquitto started as root drops to user `mosquitto`, so every directory is 0755 and every file
// 0644, keys included: they protect nothing. Made once per directory per process.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface Certs {
  dir: string;
  /** The CA that signs the server and client certificates. */
  caCert: string;
  caKey: string;
  /** CN localhost, SAN DNS:localhost and IP:127.0.0.1, signed by the CA. */
  serverCert: string;
  serverKey: string;
  /** CN mote-client, signed by the CA. */
  clientCert: string;
  clientKey: string;
  /** An unrelated CA and a server certificate (same names as serverCert) signed by it. */
  wrongCaCert: string;
  wrongCaKey: string;
  wrongServerCert: string;
  wrongServerKey: string;
}

export const CLIENT_CN = "mote-client";
const DAYS = "2";
const OPENSSL = "openssl";

const made = new Map<string, Certs>();
let processDir: string | undefined;

function openssl(args: string[]): void {
  try {
    execFileSync(OPENSSL, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`openssl ${args.join(" ")} failed: ${(err as Error).message}\n${stderr}`);
  }
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

function selfSignedCa(key: string, cert: string, cn: string): void {
  openssl(["req", "-x509", ...EC_KEY, "-keyout", key, "-out", cert, "-days", DAYS, "-sha256", "-subj", `/CN=${cn}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
}

function signed(dir: string, name: string, cn: string, ca: { cert: string; key: string }, extensions: string[]): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, ["basicConstraints=critical,CA:FALSE", ...extensions, ""].join("\n"));
  openssl(["req", "-new", ...EC_KEY, "-keyout", key, "-out", csr, "-subj", `/CN=${cn}`]);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial", `0x${randomBytes(8).toString("hex")}`,
    "-days", DAYS, "-sha256", "-extfile", ext, "-out", cert]);
  rmSync(csr);
  rmSync(ext);
  return { cert, key };
}

const SERVER_EXT = ["keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth", "subjectAltName=DNS:localhost,IP:127.0.0.1"];
const CLIENT_EXT = ["keyUsage=critical,digitalSignature", "extendedKeyUsage=clientAuth"];

function generate(dir: string): Certs {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  const ca = { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  const wrongCa = { cert: join(dir, "wrong-ca.crt"), key: join(dir, "wrong-ca.key") };
  selfSignedCa(ca.key, ca.cert, "mqtt-mote test CA");
  selfSignedCa(wrongCa.key, wrongCa.cert, "mqtt-mote wrong CA");
  const server = signed(dir, "server", "localhost", ca, SERVER_EXT);
  const client = signed(dir, "client", CLIENT_CN, ca, CLIENT_EXT);
  const wrongServer = signed(dir, "wrong-server", "localhost", wrongCa, SERVER_EXT);
  const certs: Certs = {
    dir,
    caCert: ca.cert, caKey: ca.key,
    serverCert: server.cert, serverKey: server.key,
    clientCert: client.cert, clientKey: client.key,
    wrongCaCert: wrongCa.cert, wrongCaKey: wrongCa.key,
    wrongServerCert: wrongServer.cert, wrongServerKey: wrongServer.key,
  };
  for (const [name, path] of Object.entries(certs)) if (name !== "dir") chmodSync(path, 0o644);
  return certs;
}

/**
 * The certificate set in dir (made on first use in this process), or in a per-process temporary
 * directory that is removed when the process exits.
 */
export function makeCerts(dir?: string): Certs {
  if (dir === undefined) {
    if (processDir === undefined) {
      processDir = mkdtempSync(join(tmpdir(), "mote-certs-"));
      const remove = processDir;
      process.once("exit", () => rmSync(remove, { recursive: true, force: true }));
    }
    dir = processDir;
  }
  const key = resolve(dir);
  let certs = made.get(key);
  if (certs === undefined) {
    certs = generate(key);
    made.set(key, certs);
  }
  return certs;
}

/** The contents of a certificate or key file (for client options: ca, cert, key). */
export function pem(path: string): Buffer {
  return readFileSync(path);
}

/** Another client certificate signed by the set's CA, with this CN, in dir (a certificate that rotates). */
export function signedClient(certs: Certs, cn: string, dir: string): { cert: string; key: string } {
  const made = signed(dir, `client-${cn}`, cn, { cert: certs.caCert, key: certs.caKey }, CLIENT_EXT);
  for (const path of [made.cert, made.key]) chmodSync(path, 0o644);
  return made;
}
