// Credentials computed per connection (issue 13): a password function is called before every
// CONNECT, reconnects included; the firmware's CONNECT is rebuilt for the same session, so what
// was queued is kept; a function that fails or never answers is a "credentials" error, and the
// device retries on its reconnect schedule instead of hanging. Against mosquitto with a password
// file that is rewritten (SIGHUP) between connections.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Device } from "../../host/device.ts";
import { connect, connectAsync } from "../../host/device-connect.ts";
import { isKind } from "../../host/errors.ts";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";

let mosquitto: Mosquitto;
beforeAll(async () => {
  mosquitto = await startMosquitto({ users: { rot: "pw-0", watcher: "w" } });
});
afterAll(async () => {
  await mosquitto?.stop();
});

/** Waits for an event, at most `ms`. */
function next(d: Device, event: "connect" | "error", ms = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    d.once(event, (x: unknown) => {
      clearTimeout(t);
      resolve(x);
    });
  });
}

describe("a password computed before every connection", () => {
  it("logs in again with the new password after the broker's password changed, keeping the session's queued messages", async () => {
    let current = "pw-0";
    let calls = 0;
    const watcher = await connectAsync(mosquitto.url(), { clientId: "watch", username: "watcher", password: "w" });
    const got: string[] = [];
    watcher.on("message", (_t, p) => got.push(p.toString()));
    await watcher.subscribe("rot/#", { qos: 1 });
    const d = await connectAsync(mosquitto.url(), {
      clientId: "rot-1", clean: false, username: "rot", reconnectPeriod: 100,
      password: async () => {
        calls++;
        return current;
      },
    });
    try {
      expect(calls).toBe(1);
      await d.publish("rot/a", "before", { qos: 1 });
      await mosquitto.setPasswords({ rot: "pw-1", watcher: "w" });
      current = "pw-1";
      const reconnected = next(d, "connect");
      d.dropConnection();
      // Queued while the connection is down: kept across the rebuilt CONNECT.
      const during = d.publish("rot/a", "during", { qos: 1 });
      await reconnected;
      await during;
      expect(calls).toBe(2);
      await d.publish("rot/a", "after", { qos: 1 });
      for (const until = Date.now() + 5000; got.length < 3 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual(["before", "during", "after"]);
    } finally {
      await d.end();
      await watcher.end();
    }
  }, 30_000);

  it("without a fresh password, the broker refuses the reconnect (the test can tell a fresh password from a cached one)", async () => {
    await mosquitto.setPasswords({ rot: "pw-2", watcher: "w" });
    const d = connect(mosquitto.url(), { clientId: "rot-2", username: "rot", password: "pw-1", reconnect: false });
    try {
      const e = await next(d, "error");
      expect(isKind(e, "refused")).toBe(true);
    } finally {
      await d.end();
    }
  }, 20_000);
});

describe("a credentials function that fails", () => {
  it("is a 'credentials' error naming the failure, and the device tries again on its reconnect schedule", async () => {
    let calls = 0;
    const d = connect(mosquitto.url(), {
      clientId: "rot-3", username: "rot", reconnectPeriod: 100,
      password: () => {
        calls++;
        if (calls === 1) throw new Error("vault unreachable");
        return "pw-2";
      },
    });
    try {
      const e = await next(d, "error");
      expect(isKind(e, "credentials")).toBe(true);
      expect((e as Error).message).toBe("credentials: vault unreachable");
      await next(d, "connect");
      expect(calls).toBe(2);
    } finally {
      await d.end();
    }
  }, 20_000);

  it("that never answers is a bounded wait (connectTimeout), then a 'credentials' error; end() does not hang", async () => {
    const d = connect(mosquitto.url(), { clientId: "rot-4", username: "rot", connectTimeout: 300, password: () => new Promise<string>(() => {}) });
    const e = await next(d, "error", 5000);
    expect(isKind(e, "credentials")).toBe(true);
    expect((e as Error).message).toBe("credentials: not ready within 300 ms");
    await Promise.race([d.end(), new Promise((_, reject) => setTimeout(() => reject(new Error("end() hung")), 2000))]);
  }, 20_000);

  it("with connectAsync: rejects with the credentials error instead of waiting", async () => {
    await expect(connectAsync(mosquitto.url(), { clientId: "rot-5", username: "rot", password: async () => Promise.reject(new Error("expired")) }))
      .rejects.toThrow("credentials: expired");
  }, 20_000);
});
