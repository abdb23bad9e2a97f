// The package as a user gets it: `npm pack`, then `npm install <tarball>` into an empty project
// (dependencies from the local npm cache when they are there, else the registry), and there:
// `npx mote --version`, a `mote pub` / `mote sub` round trip through mosquitto, the three entry
// points imported from JavaScript, a TypeScript consumer that `tsc --strict` accepts and one with
// a misspelt property that it rejects. The tarball holds no tests and stays under 1 MB.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const TARBALL_BYTES_MAX = 1024 * 1024;
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
/** What may be in the tarball: the launcher, the compiled JavaScript with its declarations, the firmware. */
const SHIPPED = /^package\/(bin\/mote|package\.json|README\.md|build\/firmware\/[\w-]+\.wasm|dist\/(bin|host|sim|firmware)\/[\w/.-]+\.(js|d\.ts))$/;

// A user's shell, not npm's: no npm_* variables from the npm that may be running this test.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

interface Run { code: number; stdout: string; stderr: string }
function run(cmd: string, args: string[], cwd: string, timeout = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
}
async function ok(cmd: string, args: string[], cwd: string, timeout?: number): Promise<string> {
  const r = await run(cmd, args, cwd, timeout);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const work = mkdtempSync(join(tmpdir(), "mote-pack-"));
const app = join(work, "app");
let tarball = "";
let entries: string[] = [];
let broker: Mosquitto;

beforeAll(async () => {
  const packed = Date.now();
  await ok("npm", ["pack", "--silent", "--pack-destination", work], ROOT, 120_000);
  tarball = join(work, `mqtt-mote-${VERSION}.tgz`);
  entries = (await ok("tar", ["tzf", tarball], work)).split("\n").filter((l) => l && !l.endsWith("/"));
  const installed = Date.now();
  await ok("mkdir", [app], work);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  await ok("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], app, 120_000);
  broker = await startMosquitto({ quiet: true });
  const size = readFileSync(tarball).length;
  process.stderr.write(`pack-install: ${size} bytes, ${entries.length} files, npm pack ${installed - packed} ms, npm install ${Date.now() - installed} ms\n`);
}, 200_000);

afterAll(async () => {
  await broker?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("stays under 1 MB and holds only the launcher, dist/ and the firmware modules: no tests, no sources", () => {
    expect(readFileSync(tarball).length).toBeLessThan(TARBALL_BYTES_MAX);
    expect(entries.filter((e) => !SHIPPED.test(e))).toEqual([]);
    expect(entries.filter((e) => /test|\.spec\./.test(e))).toEqual([]);
    for (const f of ["package/bin/mote", "package/dist/bin/mote.js", "package/dist/host/index.d.ts", "package/build/firmware/default.wasm"]) {
      expect(entries).toContain(f);
    }
  });

  it("installs without AssemblyScript or tsx", () => {
    const lock = readFileSync(join(app, "package-lock.json"), "utf8");
    for (const dev of ["node_modules/assemblyscript", "node_modules/tsx", "node_modules/typescript", "node_modules/vitest"]) expect(lock).not.toContain(`"${dev}"`);
  });

  it("npx mote --version prints the package's version", async () => {
    const r = await run("npx", ["--no-install", "mote", "--version"], app);
    expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it("mote sub receives what mote pub sends through mosquitto", async () => {
    const mote = join(app, "node_modules", ".bin", "mote");
    const port = String(broker.ports.tcp);
    const sub = spawn(mote, ["sub", "-h", "127.0.0.1", "-p", port, "-t", "pack/+", "-v", "-C", "1", "-W", "20"], { cwd: app, env });
    let out = "";
    let err = "";
    sub.stdout.on("data", (b: Buffer) => (out += b.toString()));
    sub.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((r) => sub.on("close", r));
    // The subscription is in place once mosquitto has answered it; publish until the message arrives.
    for (let i = 0; i < 40 && sub.exitCode === null && out === ""; i++) {
      await ok(mote, ["pub", "-h", "127.0.0.1", "-p", port, "-t", "pack/t", "-m", "21.5", "-q", "1"], app);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await exited, err).toBe(0);
    expect(out).toBe("pack/t 21.5\n");
  });

  it("imports mqtt-mote, mqtt-mote/firmware and mqtt-mote/sim by name from JavaScript", async () => {
    writeFileSync(join(app, "use.mjs"), [
      `import { connect, connectAsync, MqttError, MoteError, Reason } from "mqtt-mote";`,
      `import { Firmware, ABI_VERSION } from "mqtt-mote/firmware";`,
      `import { runFleet, parseFleetConfig } from "mqtt-mote/sim";`,
      `const fw = new Firmware();`,
      `console.log([typeof connect, typeof connectAsync, typeof MqttError, MqttError === MoteError, typeof Reason, fw.exports.abiVersion() === ABI_VERSION,`,
      `  typeof runFleet, parseFleetConfig(["--sensors", "3"]).groups.length > 0].join(" "));`,
    ].join("\n"));
    expect(await ok(process.execPath, ["use.mjs"], app)).toBe("function function function true object true function true\n");
  });

  const tsc = (file: string) =>
    run(process.execPath, [TSC, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022",
      "--types", "node", "--typeRoots", join(ROOT, "node_modules", "@types"), file], app);

  // Each tsc run takes seconds (it checks the package's declarations and Node's): the two run side by side.
  it.concurrent("type-checks a TypeScript consumer with tsc --strict", async () => {
    writeFileSync(join(app, "good.ts"), [
      `import { connectAsync, MqttError, type DeviceOptions } from "mqtt-mote";`,
      `import { Firmware, ABI_VERSION } from "mqtt-mote/firmware";`,
      `import { parseFleetConfig, type FleetReport } from "mqtt-mote/sim";`,
      `const options: DeviceOptions = { protocolVersion: 5, clientId: "c", properties: { sessionExpiryInterval: 10 } };`,
      `const device = await connectAsync("mqtt://127.0.0.1:1883", options);`,
      `device.on("message", (topic: string, payload: Buffer) => console.log(topic, payload.length));`,
      `await device.publish("t", "m", { qos: 1 }).catch((e: unknown) => e instanceof MqttError);`,
      `await device.end();`,
      `export const budget: number = new Firmware().budget("RX_BUFFER_BYTES") + ABI_VERSION;`,
      `export const sensors: number = parseFleetConfig(["--sensors", "1"]).sensors;`,
      `export let report: FleetReport | undefined;`,
    ].join("\n"));
    const r = await tsc("good.ts");
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it.concurrent("rejects a TypeScript consumer that misspells a property (sessionExpiry for sessionExpiryInterval)", async () => {
    writeFileSync(join(app, "bad.ts"), [
      `import { connectAsync } from "mqtt-mote";`,
      `await connectAsync("mqtt://127.0.0.1:1883", { protocolVersion: 5, properties: { sessionExpiry: 10 } });`,
    ].join("\n"));
    const r = await tsc("bad.ts");
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/bad\.ts\(2,\d+\): error TS\d+: .*sessionExpiry/);
  });
});
