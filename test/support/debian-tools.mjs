// The first step of `npm test`: the Debian tools the interop tests run (mosquitto and its
// clients, socat, openssl), the browser report.html is rendered in (chromium) and the ARM
// toolchain and emulator the firmware's microcontroller build runs on (wabt, gcc-arm-none-eabi, newlib, QEMU). When one is
// missing it installs them if it may (root, or sudo without a password) and otherwise stops with
// one line naming the command to run, so a fresh machine never ends in dozens of `spawn socat
// ENOENT`. Plain JavaScript: it runs before tsx.
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";

/** Debian package → the program of it that the tests run. */
const TOOLS = {
  mosquitto: "/usr/sbin/mosquitto",
  "mosquitto-clients": "mosquitto_sub",
  socat: "socat",
  openssl: "openssl",
  chromium: "chromium",
  // The firmware on an emulated Cortex-M4 (npm run build:mcu, test/mcu).
  wabt: "wasm2c",
  "gcc-arm-none-eabi": "arm-none-eabi-gcc",
  // A directory: search permission is what X_OK checks, and the package owns it.
  "libnewlib-arm-none-eabi": "/usr/lib/arm-none-eabi/newlib",
  "qemu-system-arm": "qemu-system-arm",
};

const onPath = (program) => {
  if (program.startsWith("/")) {
    try { accessSync(program, constants.X_OK); return true; } catch { return false; }
  }
  return spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
};

const missing = Object.entries(TOOLS).filter(([, program]) => !onPath(program)).map(([pkg]) => pkg);
if (missing.length > 0) {
  const command = `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  const root = process.getuid?.() === 0;
  const may = root || (onPath("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0);
  if (!may || !onPath("apt-get")) {
    console.error(`npm test needs ${missing.join(", ")}: run \`${command}\` first`);
    process.exit(1);
  }
  console.error(`npm test: installing ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (...args) => execFileSync(root ? args[0] : "sudo", root ? args.slice(1) : ["-n", ...args], { env, stdio: ["ignore", "ignore", "inherit"] });
  // The tests start their own brokers on free ports: the package must not start a system
  // mosquitto on 1883 (policy-rc.d exit status 101 = "action not allowed").
  const policy = "/usr/sbin/policy-rc.d";
  const addPolicy = !existsSync(policy);
  try {
    if (addPolicy) run("sh", "-c", `printf '#!/bin/sh\\nexit 101\\n' > ${policy} && chmod +x ${policy}`);
    run("apt-get", "update", "-qq");
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", ...missing);
  } catch {
    console.error(`npm test needs ${missing.join(", ")} and installing them failed: run \`${command}\` first`);
    process.exit(1);
  } finally {
    if (addPolicy) run("rm", "-f", policy);
  }
}
