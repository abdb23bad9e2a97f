// Memory probe of the scale benchmark: creates N of one thing in this process and prints, as one
// JSON line, what each one cost. The things form a ladder, so the difference between two rungs is
// the cost of what the upper one adds:
//   empty         a Wasm module with one 64 KiB page, no data, no functions (V8's floor per instance)
//   shape         the same plus the firmware's shape: as many exported functions and globals
//   instance      the firmware module, instantiated, nothing called
//   firmware      host/firmware.ts Firmware + configure() + pollEvent(), as a sensor does at birth
//   sensor        sim/sensor.ts Sensor + host/link.ts Link on an in-process pipe whose far end
//                 answers CONNACK and discards the rest (no broker)
//   sensor-aedes  the same Sensor connected to the embedded aedes broker (sim/broker.ts)
//   socket        a bare TCP connection (net.Socket) to the broker at --url: the floor of any
//                 Node client over TCP, ours or MQTT.js
// Usage: node [--disable-wasm-trap-handler] --expose-gc --import tsx test/bench/scale-probe.ts
//          --what KIND [--n 10000] [--profile default] [--memory-max] [--functions F --globals G] [--url mqtt://HOST:PORT]
// --functions and --globals size the shape module (default: the firmware's counts).
// --memory-max declares the module's memory maximum equal to its minimum (a byte patch of the
// memory section; empty, shape and instance only): without the trap handler V8 then reserves
// 64 KiB instead of 4 GiB per memory, and neighbouring memories merge into one mapping.
import { readFileSync } from "node:fs";
import net from "node:net";
import { parseArgs } from "node:util";
import type { Duplex } from "node:stream";
import { firmwareModule, wasmPath, Firmware } from "../../host/firmware.ts";
import { configure } from "../../host/commands.ts";
import { parseFleetConfig } from "../../sim/config.ts";
import { GroupRun } from "../../sim/group.ts";
import { Sensor, type SensorEnv } from "../../sim/sensor.ts";
import { FleetClock } from "../../sim/fleet-clock.ts";
import { duplexPair } from "../../sim/inproc.ts";
import { capMemory } from "../../firmware/memory-cap.mjs";
import { embeddedBroker } from "../../sim/broker.ts";

export const PROBE_KINDS = ["empty", "shape", "instance", "firmware", "sensor", "sensor-aedes", "socket"] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

export interface ProbeResult {
  what: ProbeKind;
  profile: string;
  /** The shape module's exported functions and globals (shape only). */
  shape?: Shape;
  n: number;
  trapHandler: boolean;
  memoryMax: boolean;
  /** Per instance, bytes: process RSS growth. */
  rss: number;
  /** Resident bytes of the instances' linear memories (their own mappings; null when merged, or no Wasm). */
  wasmResident: number | null;
  /** V8 heap: used and committed growth. */
  heapUsed: number;
  heapCommitted: number;
  /** As the simulator's hostBytesPerSensor: heapUsed + arrayBuffers growth. */
  host: number;
  /** RSS not explained by linear memory or the used V8 heap: malloc'd native state (approximate: heap pages are not all resident). */
  native: number | null;
  /** Kernel page tables (VmPTE growth): real memory, not counted in RSS. */
  pageTables: number;
  /** Address space reserved (VmSize growth). */
  addressSpace: number;
  /** Process memory mappings at the end (vm.max_map_count bounds them). */
  mappings: number;
  createMs: number;
}

/** Sensors created per event-loop turn, as sim/fleet.ts starts a fleet "all at once". */
const BATCH = 250;
/** How long connected-style kinds may take to report every CONNACK. */
const SETTLE_MS = 60_000;
/** A CONNACK (MQTT 3.1.1, session not present, accepted): what the far end of a pipe answers. */
const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);
/** The firmware's exported function and global counts (default.wasm's exports, its global section). */
export const SHAPE_FUNCTIONS = WebAssembly.Module.exports(firmwareModule("default")).filter((e) => e.kind === "function").length;
export const SHAPE_GLOBALS = 75;
/** Sensors of the probe publish once an hour: memory is measured before any reading is due. */
const QUIET_INTERVAL = "1h";

// ---- Wasm bytes: the floor modules and the memory-maximum patch ----

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => [...leb(s.length), ...Buffer.from(s)];
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** One page of memory, `functions` exported `() -> i32` functions and `globals` mutable i32 globals. */
function floorModule(functions: number, globals: number, memoryMax: boolean): Uint8Array<ArrayBuffer> {
  const I32 = 0x7f;
  const types = section(1, vec([[0x60, 0x00, 0x01, I32]]));
  const funcs = section(3, vec(Array.from({ length: functions }, () => [0x00])));
  const memory = section(5, vec([memoryMax ? [0x01, 0x01, 0x01] : [0x00, 0x01]]));
  const globalSec = section(6, vec(Array.from({ length: globals }, (_, i) => [I32, 0x01, 0x41, ...leb(i), 0x0b])));
  const exports = section(7, vec([[...name("memory"), 0x02, 0x00], ...Array.from({ length: functions }, (_, i) => [...name(`f${i}`), 0x00, ...leb(i)])]));
  // Each body reads a global so that the globals are live, as the firmware's are.
  const body = (i: number) => { const b = [0x00, 0x23, ...leb(globals > 0 ? i % globals : 0), 0x0b]; return [...leb(b.length), ...b]; };
  const code = section(10, vec(Array.from({ length: functions }, (_, i) => (globals > 0 ? body(i) : [0x04, 0x00, 0x41, 0x00, 0x0b]))));
  return new Uint8Array([...HEADER, ...types, ...(functions > 0 ? funcs : []), ...memory, ...(globals > 0 ? globalSec : []), ...exports, ...(functions > 0 ? code : [])]);
}

export interface Shape { functions: number; globals: number }

function moduleFor(what: ProbeKind, profile: string, memoryMax: boolean, shape: Shape): WebAssembly.Module {
  if (what === "empty") return new WebAssembly.Module(floorModule(0, 0, memoryMax));
  if (what === "shape") return new WebAssembly.Module(floorModule(shape.functions, shape.globals, memoryMax));
  if (!memoryMax) return firmwareModule(profile);
  return new WebAssembly.Module(capMemory(new Uint8Array(readFileSync(wasmPath(profile)))));
}

// ---- measuring ----

interface Sample { rss: number; heapUsed: number; heapTotal: number; arrayBuffers: number; pte: number; vmSize: number; mappings: number; wasm: number }

/** Resident bytes of all rw mappings of a Wasm memory's size: each unmerged memory is one of them. */
function smaps(memoryBytes: number): { mappings: number; wasm: number } {
  let mappings = 0;
  let wasm = 0;
  let isPage = false;
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(line);
    if (head) {
      mappings++;
      isPage = head[3] === "rw-p" && parseInt(head[2], 16) - parseInt(head[1], 16) === memoryBytes;
      continue;
    }
    if (isPage && line.startsWith("Rss:")) wasm += Number(/(\d+)/.exec(line)![1]) * 1024;
  }
  return { mappings, wasm };
}

function sample(memoryBytes: number): Sample {
  (globalThis as { gc?: () => void }).gc?.();
  const status = readFileSync("/proc/self/status", "utf8");
  const kib = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)![1]) * 1024;
  const m = process.memoryUsage();
  return { rss: kib("VmRSS"), heapUsed: m.heapUsed, heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers, pte: kib("VmPTE"), vmSize: kib("VmSize"), ...smaps(memoryBytes) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A pipe whose far end plays the broker only as far as CONNACK. */
function connackPipe(): Duplex {
  const [device, far] = duplexPair();
  far.once("data", () => far.write(CONNACK));
  far.resume();
  return device;
}

/** Opens n TCP connections and waits until all are established; returns the sockets. */
async function sockets(n: number, url: string): Promise<net.Socket[]> {
  const u = new URL(url);
  const all: net.Socket[] = [];
  let connected = 0;
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: u.hostname, port: Number(u.port) }, () => connected++);
    s.on("error", (e) => { throw e; });
    all.push(s);
    if (i % BATCH === BATCH - 1) await sleep(0);
  }
  const until = performance.now() + SETTLE_MS;
  while (connected < n && performance.now() < until) await sleep(50);
  if (connected < n) throw new Error(`only ${connected} of ${n} sockets connected within ${SETTLE_MS / 1000} s`);
  return all;
}

/** Creates n sensors of one group and waits until all are connected; returns what keeps them alive. */
async function sensors(n: number, profile: string, open: () => Duplex): Promise<unknown[]> {
  const cfg = parseFleetConfig(["--sensors", String(n), "--profile", profile, "--interval", QUIET_INTERVAL, "--qos", "1"]);
  const t0 = performance.now();
  const group = new GroupRun(cfg.groups[0], 0, n, open, t0, 1);
  let connected = 0;
  const env: SensorEnv = {
    version: 4, keepaliveS: cfg.keepaliveS, seed: cfg.seed, clientPrefix: "probe-", topicAliases: cfg.topicAliases, clock: () => performance.now() - t0,
    timers: new FleetClock(), stopAtMs: Infinity,
    onConnectionChange: (d) => (connected += d),
    onTransportError: (e) => { throw e; },
    onConnectRefused: (e) => { throw e; },
  };
  const all: Sensor[] = [];
  for (let id = 0; id < n; id++) {
    const s = new Sensor(id, group, env);
    all.push(s);
    s.start();
    if (id % BATCH === BATCH - 1) await sleep(0);
  }
  const until = performance.now() + SETTLE_MS;
  while (connected < n && performance.now() < until) await sleep(50);
  if (connected < n) throw new Error(`only ${connected} of ${n} sensors connected within ${SETTLE_MS / 1000} s`);
  return all;
}

export async function probe(what: ProbeKind, n: number, profile: string, memoryMax: boolean,
  shape: Shape = { functions: SHAPE_FUNCTIONS, globals: SHAPE_GLOBALS }, url?: string): Promise<ProbeResult> {
  if (what === "socket" && !url) throw new Error("--what socket needs --url");
  if (memoryMax && !["empty", "shape", "instance"].includes(what)) throw new Error("--memory-max applies to empty, shape and instance only");
  const mod = ["empty", "shape", "instance"].includes(what) ? moduleFor(what, profile, memoryMax, shape) : undefined;
  // Compiled before the baseline, as the simulator's first sensor would find it; its memory size finds the memories' mappings.
  const memoryBytes = what === "socket" ? 0 : (new WebAssembly.Instance(mod ?? firmwareModule(profile), {}).exports.memory as WebAssembly.Memory).buffer.byteLength;
  const broker = what === "sensor-aedes" ? await embeddedBroker() : undefined;
  const keep: unknown[] = [];
  const before = sample(memoryBytes);
  const t0 = performance.now();
  if (mod) for (let i = 0; i < n; i++) keep.push(new WebAssembly.Instance(mod, {}));
  else if (what === "firmware") {
    for (let i = 0; i < n; i++) {
      const fw = new Firmware(profile);
      configure(fw, { clientId: `probe-${i}`, clean: false, keepalive: 60 });
      fw.exports.pollEvent(0);
      keep.push(fw);
    }
  } else if (what === "socket") keep.push(...(await sockets(n, url!)));
  else keep.push(...(await sensors(n, profile, broker ? () => broker.open() : connackPipe)));
  const createMs = performance.now() - t0;
  const after = sample(memoryBytes);
  // A use after the sample: otherwise an optimised loop may let `keep` die before the sample's gc().
  if (keep.length !== n) throw new Error(`kept ${keep.length} of ${n}`);
  const per = (a: number, b: number) => Math.round((a - b) / n);
  const wasmResident = memoryMax || what === "socket" ? null : per(after.wasm, before.wasm);
  const rss = per(after.rss, before.rss);
  const heapUsed = per(after.heapUsed, before.heapUsed);
  return {
    what, profile, ...(what === "shape" ? { shape } : {}), n, trapHandler: !process.execArgv.includes("--disable-wasm-trap-handler"), memoryMax,
    rss, wasmResident, heapUsed, heapCommitted: per(after.heapTotal, before.heapTotal),
    host: per(after.heapUsed + after.arrayBuffers, before.heapUsed + before.arrayBuffers),
    native: wasmResident === null ? null : rss - wasmResident - heapUsed,
    pageTables: per(after.pte, before.pte), addressSpace: per(after.vmSize, before.vmSize), mappings: after.mappings,
    createMs: Math.round(createMs),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { what: { type: "string" }, n: { type: "string", default: "10000" }, profile: { type: "string", default: "default" }, "memory-max": { type: "boolean", default: false },
      functions: { type: "string", default: String(SHAPE_FUNCTIONS) }, globals: { type: "string", default: String(SHAPE_GLOBALS) }, url: { type: "string" } },
  });
  const what = values.what as ProbeKind;
  if (!PROBE_KINDS.includes(what)) throw new Error(`--what must be one of ${PROBE_KINDS.join(", ")}`);
  const r = await probe(what, Number(values.n), values.profile!, values["memory-max"]!, { functions: Number(values.functions), globals: Number(values.globals) }, values.url);
  process.stdout.write(JSON.stringify(r) + "\n");
  process.exit(0);
}
