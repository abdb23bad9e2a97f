// TLS key material computed per connection (issue 13): certFile/keyFile given as functions are
// resolved and read again before every connection, so a client certificate that rotates is the
// one presented at the next reconnect. Against mosquitto requiring client certificates and
// taking the certificate's CN as the user name (use_identity_as_username).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Device } from "../../host/device.ts";
import { connectAsync } from "../../host/device-connect.ts";
import { isKind } from "../../host/errors.ts";
import { signedClient } from "../support/certs.ts";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";

let mosquitto: Mosquitto;
const dir = mkdtempSync(join(tmpdir(), "mote-rotate-"));
beforeAll(async () => {
  mosquitto = await startMosquitto({ listeners: ["mtls"] });
});
afterAll(async () => {
  await mosquitto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for an event, at most `ms`. */
const next = (d: Device, event: "connect" | "error", ms = 10_000) => new Promise<unknown>((resolve, reject) => {
  const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
  d.once(event, (x: unknown) => {
    clearTimeout(t);
    resolve(x);
  });
});

describe("a client certificate given as a function", () => {
  it("is read again before every connection: after a rotation the reconnect presents the new certificate", async () => {
    const first = signedClient(mosquitto.certs, "sensor-cert-1", dir);
    const second = signedClient(mosquitto.certs, "sensor-cert-2", dir);
    let current = first;
    let asked = 0;
    const d = await connectAsync(mosquitto.url("mtls"), {
      clientId: "rot-cert", caFile: mosquitto.certs.caCert, reconnectPeriod: 100,
      certFile: () => (asked++, current.cert), keyFile: async () => current.key,
    });
    try {
      expect(mosquitto.logs()).toMatch(/u'sensor-cert-1'/);
      current = second;
      const again = next(d, "connect");
      d.dropConnection();
      await again;
      expect(asked).toBe(2);
      expect(mosquitto.logs()).toMatch(/u'sensor-cert-2'/);
    } finally {
      await d.end();
    }
  }, 30_000);

  it("that names a missing file fails that connection with one line (kind io), not a hang", async () => {
    await expect(connectAsync(mosquitto.url("mtls"), {
      clientId: "rot-missing", caFile: mosquitto.certs.caCert, certFile: () => join(dir, "gone.crt"), keyFile: () => join(dir, "gone.key"),
    })).rejects.toSatisfy((e: unknown) => isKind(e, "io") && /^cannot read certificate file '.*gone\.crt': ENOENT$/.test((e as Error).message));
  }, 20_000);
});
