// Shared set-up of the serial-path suites: one quiet mosquitto and a temp dir per file, a
// bounded wait, and how each emulated modem gets its bearer.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto.ts";

export interface SerialPath {
  broker: Mosquitto;
  /** A path for a pty link in this file's temp dir. */
  tty(name: string): string;
}

/** Starts the broker and the temp dir before the file's tests and removes them after. */
export function useSerialPath(prefix: string): SerialPath {
  const env = {} as { broker: Mosquitto; dir: string };
  beforeAll(async () => {
    env.broker = await startMosquitto({ quiet: true });
    env.dir = mkdtempSync(join(tmpdir(), `mote-${prefix}-`));
  });
  afterAll(async () => {
    await env.broker?.stop();
    if (env.dir) rmSync(env.dir, { recursive: true, force: true });
  });
  return {
    get broker() { return env.broker; },
    tty: (name) => join(env.dir, `${name}.tty`),
  };
}

export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** How each modem gets its bearer: a Wi-Fi network for ESP-AT (the emulator starts unjoined), an APN for BG96. */
export const bearer = (dialect: "esp-at" | "bg96") => (dialect === "esp-at" ? { ssid: "lab", password: "secret" } : { apn: "iot" });
