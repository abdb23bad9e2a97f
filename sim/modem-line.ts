// A sensor of a modem group reaches the broker as a board with an AT modem would: its firmware
// drives an emulated ESP-AT or BG96 (sim/modem-emulator) over a real pty pair made by socat,
// at the group's baud rate, and the emulated modem opens the TCP connection to the broker.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { Duplex } from "node:stream";
import { startEmulator } from "./modem-emulator/index.ts";
import { ModemTransport } from "../host/modem/modem-transport.ts";
import type { GroupConfig } from "./config.ts";

/** Whether socat, which makes the pty pairs, is on the PATH. */
export function socatOnPath(): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, "socat"), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface ModemLine {
  open(): Duplex;
  /** Serial bytes each way (AT framing included), from the emulator's counters. */
  serialBytes(): { toModem: number; fromModem: number };
  close(): Promise<void>;
}

/** Emulated modems boot faster than real ones: the fleet's run is short. */
const BOOT_MS = 200;
const BEARER_MS = 300;
const SIM_SSID = "mote-sim";
const SIM_WIFI_PASSWORD = "mote-sim-password";

export async function modemLine(modem: NonNullable<GroupConfig["modem"]>, broker: { host: string; port: number }, seed: number): Promise<ModemLine> {
  const emulator = await startEmulator({ dialect: modem.dialect, baudRate: modem.baud, seed, bootMs: BOOT_MS, bearerDelayMs: BEARER_MS });
  // The emulated ESP-AT has no stored network: the sensor joins one, as a board's first boot would.
  const wifi = modem.dialect === "esp-at" ? { ssid: SIM_SSID, password: SIM_WIFI_PASSWORD } : {};
  const transport = new ModemTransport({ path: emulator.path, baudRate: modem.baud, dialect: modem.dialect, host: broker.host, port: broker.port, ...wifi });
  return {
    open: () => transport.open(),
    serialBytes: () => {
      const w = transport.wireBytes();
      return { toModem: w.sent, fromModem: w.received };
    },
    async close() {
      await transport.close?.();
      await emulator.stop();
    },
  };
}
