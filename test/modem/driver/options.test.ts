// ModemTransport options that are wrong fail at once, with a message that says which and why;
// optional parameters (an open Wi-Fi network without a password) work.
import { afterEach, describe, expect, it } from "vitest";
import { ModemTransport } from "../../../host/modem/modem-transport.ts";
import { ESP_AT } from "../../../host/modem/dialects/esp-at.ts";
import { closeRigs, connected, rig } from "./harness.ts";

afterEach(closeRigs);

describe("ModemTransport options", () => {
  const base = { path: "/dev/null", dialect: "bg96" as const, host: "broker.test", port: 1883 };

  it("rejects an unknown dialect, naming the known ones", () => {
    expect(() => new ModemTransport({ ...base, dialect: "hayes" as "bg96" })).toThrow("modem: unknown dialect 'hayes' (known: esp-at, bg96, simcom)");
  });

  it("rejects values that would break a command line", () => {
    expect(() => new ModemTransport({ ...base, apn: 'iot"; AT+CFUN=0' })).toThrow(/^modem: apn must not contain quotes or line breaks/);
    expect(() => new ModemTransport({ ...base, host: "a\r\nAT" })).toThrow(/^modem: host must not contain/);
    expect(() => new ModemTransport({ ...base, port: 70000 })).toThrow("modem: bad port 70000");
  });

  it("rejects transparent mode for a dialect without one", () => {
    const { transparent: _, ...noTransparent } = ESP_AT;
    expect(() => new ModemTransport({ ...base, dialect: { ...noTransparent, name: "plain" }, transparent: true })).toThrow("modem: the plain dialect has no transparent mode");
  });

  it("an open Wi-Fi network: the password is empty", async () => {
    const { m, t } = await rig("esp-at", { ssid: "open-net" });
    await connected(t.open());
    expect(m.commands).toContain('AT+CWJAP="open-net",""');
  });

  it("kind is 'modem' and wireBytes() starts at zero", () => {
    const t = new ModemTransport(base);
    expect(t.kind).toBe("modem");
    expect(t.wireBytes()).toEqual({ sent: 0, received: 0 });
    expect(t.stats().sent).toEqual({ payload: 0, overhead: 0, serial: 0, wireMs: 0 });
  });
});
