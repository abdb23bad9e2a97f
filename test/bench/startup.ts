// Start-up: the wall time of one QoS 0 publish to a local mosquitto, process start to exit, for
// `mote pub` (the compiled JavaScript, dist/bin/mote.js, which the package's bin/mote runs),
// mosquitto_pub, MQTT.js's `mqtt pub` and, as the floor, `node -e 0`. The commands take turns,
// round after round, so a busy moment of the machine falls on all of them alike; each row is the
// median of its runs. `mote pub` through tsx (the sources, as a clone's bin/mote runs them) is
// shown for comparison. Target: mote pub within 100 ms of node -e 0.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { median } from "./measure.ts";
import { startMosquitto } from "../support/mosquitto.ts";

const ROOT = join(import.meta.dirname, "..", "..");
export const STARTUP_RUNS_DEFAULT = 10;
export const STARTUP_TARGET_MS = 100;

export interface StartupRow { command: string; medianMs: number; runs: number }

function wallMs(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`${cmd} ${args.join(" ")} exited ${code}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

/** Medians of `runs` rounds; the first row is node -e 0, the second mote pub (compiled). */
export async function runStartupBench(runs = STARTUP_RUNS_DEFAULT): Promise<StartupRow[]> {
  const mote = join(ROOT, "dist", "bin", "mote.js");
  if (!existsSync(mote)) throw new Error(`${mote} is missing: npm run build:dist`);
  const broker = await startMosquitto({ quiet: true });
  const at = ["-h", "127.0.0.1", "-p", String(broker.ports.tcp), "-t", "bench/startup", "-m", "21.5"];
  const commands: [string, string, string[]][] = [
    ["node -e 0", process.execPath, ["-e", "0"]],
    ["mote pub", process.execPath, [mote, "pub", ...at]],
    ["mosquitto_pub", "mosquitto_pub", at],
    ["mqtt pub (MQTT.js)", process.execPath, [join(ROOT, "node_modules", "mqtt", "build", "bin", "mqtt.js"), "pub", ...at]],
    ["mote pub through tsx (sources)", process.execPath, ["--import", "tsx", join(ROOT, "bin", "mote.ts"), "pub", ...at]],
  ];
  const times = commands.map((): number[] => []);
  try {
    for (const [, cmd, args] of commands) await wallMs(cmd, args); // warm the file cache
    for (let round = 0; round < runs; round++) {
      for (const [i, [, cmd, args]] of commands.entries()) times[i].push(await wallMs(cmd, args));
    }
  } finally {
    await broker.stop();
  }
  return commands.map(([command], i) => ({ command, medianMs: Number(median(times[i]).toFixed(1)), runs }));
}
