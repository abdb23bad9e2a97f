// The scale benchmark (npm run bench -- --scale, or on its own):
//   npx tsx test/bench/scale.ts [--tcp N] [--inproc N] [--probe N] [--profile P] [--json]
// 1. Real TCP to one local mosquitto, side by side: our fleet (sim/cli.ts, one firmware instance
//    per sensor) then N MQTT.js clients (scale-mqttjs.ts), each in its own process, same interval,
//    QoS and ramp; RSS and heap per client as the simulator measures them; every message must arrive.
// 2. In-process links to the embedded aedes broker, N sensors in shards of INPROC_PER_PROCESS
//    (sim --shard K/S), all at once, each its own process with its own embedded broker.
// 3. Memory probes (scale-probe.ts): where a sensor's bytes go, rung by rung.
// Every child is killed when this process exits. See SCALE.md for the method and the numbers.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startMosquitto } from "../support/mosquitto.ts";
import type { FleetReport } from "../../sim/report-types.ts";
import type { MqttjsResult } from "./scale-mqttjs.ts";
import type { ProbeResult } from "./scale-probe.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Clients this sandbox fits: 20,000 descriptors per process, one per client, a few for Node and tsx. */
export const TCP_CLIENTS_DEFAULT = 19_950;
export const INPROC_SENSORS_DEFAULT = 100_000;
export const PROBE_INSTANCES_DEFAULT = 10_000;
/** The issue's target: host memory per sensor over TCP. */
export const TARGET_BYTES_PER_SENSOR = 8_000;
const INTERVAL_S = 30;
/** Readings each sensor must publish after the last one connected. */
const READINGS_AFTER_CONNECT = 2;
/** Connections opened per second over TCP (mosquitto's listen backlog is 100; 200 SYNs per 100 ms tick pass without drops here). */
const TCP_RAMP = 2000;
/** Measured: opening sockets and instances runs at about half the ramp, so allow twice its time. */
const CONNECT_SLACK = 2;
/** Slack after the last reading is due, and the drain after publishing stops. */
const MARGIN_S = 10;
const DRAIN_S = 30;
/**
 * In-process sensors per process. One process holds 100,000 now (capped memories), and all of
 * them connect (in about 3.5 minutes on 2 cores, 3.3 GB RSS), but V8 counts each instance's
 * 64 KiB memory as external memory and collects garbage ever more often as it grows: delivery
 * fell to ~150 messages/s. One process of 40,000 and two of 50,000 delivered everything (SCALE.md).
 */
const INPROC_PER_PROCESS = 50_000;
/** In-process: 2 × 50,000 sensors on 2 cores measured 84 s to connect. */
const INPROC_CONNECT_S = 100;
/** Capped Wasm memories per mapping without the trap handler (measured: 10,000 in 695 mappings; rounded down). */
const INSTANCES_PER_MAPPING = 10;
/** Mappings the rest of a fleet process uses (V8 heap pages, code, libraries), with room to spare. */
const MAPPINGS_HEADROOM = 10_000;
/** Descriptors a client process needs besides its sockets (stdio, epoll, tsx's esbuild pipes...). */
const FD_HEADROOM = 30;
const POLL_MS = 500;
const CHILD_TIMEOUT_MS = 15 * 60_000;
/** Node flags of every fleet child: no 10 GiB guard region per memory, and gc() for the memory samples. */
const FLEET_NODE_FLAGS = ["--disable-wasm-trap-handler", "--expose-gc", "--import", "tsx"];

// ---- children ----

interface ChildRun { code: number | null; signal: string | null; stdout: string; stderr: string; peakRssBytes: number; wallS: number }

const children = new Set<ChildProcess>();
process.once("exit", () => { for (const c of children) c.kill("SIGKILL"); });
// Ctrl-C would end this process without "exit": route it there so no fleet outlives the run.
process.once("SIGINT", () => process.exit(130));

function peakRss(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
  } catch {
    return 0; // already gone: the last sample stands
  }
}

/** Runs `node <args>` in the repository; the peak RSS is the child's VmHWM, sampled until it exits. */
function runNode(args: string[]): Promise<ChildRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stdout = "";
  let stderr = "";
  let peak = 0;
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-20_000)));
  const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), POLL_MS);
  const timeout = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      clearInterval(poll);
      clearTimeout(timeout);
      children.delete(child);
      resolve({ code, signal, stdout, stderr, peakRssBytes: peak, wallS: (performance.now() - t0) / 1000 });
    });
  });
}

const lastLines = (s: string, n = 6) => s.trim().split("\n").slice(-n).join("\n");

// ---- results ----

export interface SideResult {
  side: string;
  clients: number;
  connected: number;
  connectAllS: number | null;
  published: number;
  delivered: number;
  lost: number;
  rssBytesPerClient: number;
  hostBytesPerClient: number;
  peakRssBytes: number;
  wallS: number;
  error?: string;
}

function readReport(dir: string): FleetReport | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as FleetReport;
  } catch {
    return undefined;
  }
}

function fleetSide(side: string, r: FleetReport | undefined, run: ChildRun): SideResult {
  if (!r) {
    return { side, clients: 0, connected: 0, connectAllS: null, published: 0, delivered: 0, lost: 0, rssBytesPerClient: 0, hostBytesPerClient: 0,
      peakRssBytes: run.peakRssBytes, wallS: run.wallS, error: `no report (exit ${run.code ?? run.signal}): ${lastLines(run.stderr)}` };
  }
  const all = r.connections.timeline.find((t) => t.connected >= r.sensors);
  return {
    side, clients: r.sensors, connected: Math.max(...r.connections.timeline.map((t) => t.connected)), connectAllS: all ? all.tS : null,
    published: r.messages.published, delivered: r.messages.delivered, lost: r.messages.lost,
    rssBytesPerClient: r.device.rssBytesPerSensor, hostBytesPerClient: r.device.hostBytesPerSensor,
    peakRssBytes: run.peakRssBytes, wallS: run.wallS, ...(run.code === 0 ? {} : { error: `exit ${run.code ?? run.signal}: ${lastLines(run.stderr)}` }),
  };
}

// ---- 1. TCP, side by side ----

function openFilesLimit(pid: number): number {
  return Number(/Max open files\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, "utf8"))?.[1] ?? 0);
}

export interface TcpResult { ours: SideResult; mqttjs: SideResult; durationS: number; socketFloor: ProbeResult | undefined }

export async function tcpSideBySide(n: number, profile: string, socketProbe: number): Promise<TcpResult> {
  const connectS = Math.ceil((n / TCP_RAMP) * CONNECT_SLACK);
  const durationS = connectS + READINGS_AFTER_CONNECT * INTERVAL_S + MARGIN_S;
  // max_queued_messages 0 (no limit): a busy subscriber must not lose messages to a queue bound, on either side.
  const broker = await startMosquitto({ quiet: true, extraConfig: ["max_connections -1", "max_queued_messages 0"] });
  const dir = mkdtempSync(join(tmpdir(), "scalebench-tcp-"));
  try {
    const limit = openFilesLimit(broker.pid!);
    if (limit < n + FD_HEADROOM) throw new Error(`mosquitto may open ${limit} files, fewer than ${n} clients need: raise ulimit -n`);
    const ours = await runNode([...FLEET_NODE_FLAGS, "sim/cli.ts", "--broker", broker.url(), "--sensors", String(n), "--ramp", String(TCP_RAMP),
      "--interval", `${INTERVAL_S}s`, "--duration", `${durationS}s`, "--drain", `${DRAIN_S}s`, "--qos", "1", "--profile", profile,
      "--report", dir, "--json", "--quiet"]);
    const theirs = await runNode(["--expose-gc", "--import", "tsx", "test/bench/scale-mqttjs.ts", "--url", broker.url(), "--clients", String(n),
      "--ramp", String(TCP_RAMP), "--interval", String(INTERVAL_S * 1000), "--duration", String(durationS * 1000), "--drain", String(DRAIN_S * 1000), "--qos", "1"]);
    let mqttjs: SideResult;
    try {
      const m = JSON.parse(theirs.stdout.trim().split("\n").pop()!) as MqttjsResult;
      mqttjs = { side: m.library, clients: m.clients, connected: m.connected, connectAllS: m.connectAllS, published: m.published, delivered: m.delivered,
        lost: m.lost, rssBytesPerClient: m.rssBytesPerClient, hostBytesPerClient: m.hostBytesPerClient, peakRssBytes: theirs.peakRssBytes, wallS: theirs.wallS };
    } catch {
      mqttjs = { ...fleetSide("MQTT.js", undefined, theirs), side: "MQTT.js" };
    }
    // The floor under both: a bare connected net.Socket, nothing else.
    const floor = socketProbe > 0 ? await runProbe({ what: "socket", trapHandler: true }, socketProbe, profile, broker.url()) : undefined;
    return { ours: fleetSide(`ours (${profile})`, readReport(dir), ours), mqttjs, durationS, socketFloor: floor && !("error" in floor) ? floor : undefined };
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- 2. in-process, sharded ----

/**
 * Wasm memories one process can hold here. With the trap handler each memory reserves 10 GiB, so
 * the 128 TiB user address space ends near 12,800. Without it, a memory without a maximum
 * reserves 4 GiB in a mapping of its own, and vm.max_map_count (65,530 here) ended a process
 * near 30,000 (V8 aborts on a failed munmap); the firmware now declares maximum = initial, and
 * V8 maps such memories together: 10,000 instances took 695 mappings (scale-probe.ts).
 */
export function perProcessCap(): number {
  const maxMaps = Number(readFileSync("/proc/sys/vm/max_map_count", "utf8"));
  return Math.floor((maxMaps - MAPPINGS_HEADROOM) * INSTANCES_PER_MAPPING);
}

export interface InprocResult {
  sensors: number;
  processes: number;
  connected: number;
  connectAllS: number | null;
  published: number;
  delivered: number;
  lost: number;
  rssBytesPerSensor: number;
  hostBytesPerSensor: number;
  /** The largest peak RSS of one process, and all processes' peaks added up. */
  peakRssBytes: number;
  peakRssBytesAll: number;
  wallS: number;
  durationS: number;
  errors: string[];
}

export async function inprocess(n: number, profile: string): Promise<InprocResult> {
  const processes = Math.ceil(n / Math.min(INPROC_PER_PROCESS, perProcessCap()));
  const durationS = INPROC_CONNECT_S + READINGS_AFTER_CONNECT * INTERVAL_S + MARGIN_S;
  const dirs = Array.from({ length: processes }, () => mkdtempSync(join(tmpdir(), "scalebench-inproc-")));
  try {
    const runs = await Promise.all(dirs.map((dir, i) => runNode([...FLEET_NODE_FLAGS, "sim/cli.ts", "--sensors", String(n), "--shard", `${i + 1}/${processes}`,
      "--interval", `${INTERVAL_S}s`, "--duration", `${durationS}s`, "--drain", `${DRAIN_S}s`, "--qos", "1", "--profile", profile,
      "--report", dir, "--json", "--quiet"])));
    const sides = runs.map((run, i) => fleetSide(`shard ${i + 1}/${processes}`, readReport(dirs[i]), run));
    const sum = (f: (s: SideResult) => number) => sides.reduce((a, s) => a + f(s), 0);
    const sensors = sum((s) => s.clients);
    const connectTimes = sides.map((s) => s.connectAllS);
    return {
      sensors, processes, connected: sum((s) => s.connected),
      connectAllS: connectTimes.some((t) => t === null) ? null : Math.max(...(connectTimes as number[])),
      published: sum((s) => s.published), delivered: sum((s) => s.delivered), lost: sum((s) => s.lost),
      rssBytesPerSensor: Math.round(sum((s) => s.rssBytesPerClient * s.clients) / Math.max(1, sensors)),
      hostBytesPerSensor: Math.round(sum((s) => s.hostBytesPerClient * s.clients) / Math.max(1, sensors)),
      peakRssBytes: Math.max(...sides.map((s) => s.peakRssBytes)), peakRssBytesAll: sum((s) => s.peakRssBytes),
      wallS: Math.max(...sides.map((s) => s.wallS)), durationS, errors: sides.flatMap((s) => (s.error ? [`${s.side}: ${s.error}`] : [])),
    };
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

// ---- 3. probes ----

interface ProbeSpec { what: string; profile?: string; trapHandler: boolean; memoryMax?: boolean; functions?: number }

function probeSpecs(profile: string): ProbeSpec[] {
  const profiles = JSON.parse(readFileSync(join(ROOT, "build", "firmware", "profiles.json"), "utf8")) as string[];
  return [
    { what: "empty", trapHandler: true },
    { what: "shape", trapHandler: true, functions: 1 },
    { what: "shape", trapHandler: true, functions: 8 },
    { what: "shape", trapHandler: true },
    ...profiles.map((p) => ({ what: "instance", profile: p, trapHandler: true })),
    { what: "instance", profile, trapHandler: false },
    { what: "instance", profile, trapHandler: false, memoryMax: true },
    ...profiles.map((p) => ({ what: "firmware", profile: p, trapHandler: true })),
    { what: "sensor", profile, trapHandler: true },
    { what: "sensor", profile: "tiny", trapHandler: true },
    { what: "sensor-aedes", profile, trapHandler: true },
  ];
}

type ProbeOutcome = ProbeResult | { what: string; error: string };

async function runProbe(s: ProbeSpec, n: number, profile: string, url?: string): Promise<ProbeOutcome> {
  const run = await runNode([...(s.trapHandler ? [] : ["--disable-wasm-trap-handler"]), "--expose-gc", "--import", "tsx", "test/bench/scale-probe.ts",
    "--what", s.what, "--n", String(n), "--profile", s.profile ?? profile, ...(s.memoryMax ? ["--memory-max"] : []),
    ...(s.functions !== undefined ? ["--functions", String(s.functions)] : []), ...(url ? ["--url", url] : [])]);
  try {
    return JSON.parse(run.stdout.trim().split("\n").pop()!) as ProbeResult;
  } catch {
    return { what: s.what, error: `exit ${run.code ?? run.signal}: ${lastLines(run.stderr, 3)}` };
  }
}

export async function probes(n: number, profile: string): Promise<ProbeOutcome[]> {
  const out: ProbeOutcome[] = [];
  for (const s of probeSpecs(profile)) out.push(await runProbe(s, n, profile));
  return out;
}

// ---- output ----

const kB = (b: number) => `${(b / 1000).toFixed(1)} kB`;
const MB = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
const secs = (s: number | null) => (s === null ? "never" : `${s.toFixed(1)} s`);
const space = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${(b / 2 ** 10).toFixed(0)} KiB`);

/** The promise behind the duration: every sensor publishes READINGS_AFTER_CONNECT times after the last one connected. */
function readingsWarning(what: string, connectAllS: number | null, durationS: number): string | undefined {
  const room = durationS - READINGS_AFTER_CONNECT * INTERVAL_S;
  if (connectAllS !== null && connectAllS <= room) return undefined;
  return `WARN ${what}: all connected at ${secs(connectAllS)}, later than ${room} s: not every sensor published ${READINGS_AFTER_CONNECT} times after that`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")).join("\n") + "\n";
}

function delivery(s: SideResult): string | undefined {
  if (s.error) return `FAIL ${s.side}: ${s.error}`;
  if (s.connected < s.clients) return `FAIL ${s.side}: only ${s.connected} of ${s.clients} clients connected`;
  if (s.lost > 0 || s.delivered < s.published) return `FAIL ${s.side}: ${s.delivered} of ${s.published} messages delivered, ${s.lost} lost`;
  return undefined;
}

function verdict(ours: SideResult, mqttjs: SideResult): { met: boolean; text: string; ratio: number } {
  const ratio = mqttjs.rssBytesPerClient / ours.rssBytesPerClient;
  const over = ours.rssBytesPerClient - TARGET_BYTES_PER_SENSOR;
  const met = over <= 0;
  return {
    met, ratio,
    text: `target <= ${kB(TARGET_BYTES_PER_SENSOR)} RSS per sensor (>= 2x better than MQTT.js): ${met ? "met" : `MISSED by ${kB(over)}`} ` +
      `(ours ${kB(ours.rssBytesPerClient)}, MQTT.js ${kB(mqttjs.rssBytesPerClient)}, MQTT.js/ours ${ratio.toFixed(2)}x)`,
  };
}

export interface ScaleOptions { tcp: number; inproc: number; probe: number; profile: string; json: boolean }

const w = (t: string) => process.stdout.write(t);

/** Section 1; false when a side lost messages or clients. */
async function reportTcp(o: ScaleOptions): Promise<boolean> {
  const { ours, mqttjs, durationS, socketFloor } = await tcpSideBySide(o.tcp, o.profile, o.probe);
  const v = verdict(ours, mqttjs);
  const fails = [delivery(ours), delivery(mqttjs)].filter((f): f is string => f !== undefined);
  const warnings = [readingsWarning(ours.side, ours.connectAllS, durationS), readingsWarning(mqttjs.side, mqttjs.connectAllS, durationS)].filter((x) => x);
  if (o.json) {
    for (const s of [ours, mqttjs]) w(JSON.stringify({ section: "tcp", intervalS: INTERVAL_S, qos: 1, ramp: TCP_RAMP, durationS, ...s }) + "\n");
    w(JSON.stringify({ section: "tcp-verdict", targetBytesPerSensor: TARGET_BYTES_PER_SENSOR, met: v.met, mqttjsOverOurs: Number(v.ratio.toFixed(2)),
      deliveryFailures: fails, warnings, socketFloor }) + "\n");
    return fails.length === 0;
  }
  w(`\nReal TCP to one local mosquitto, ${o.tcp} clients, QoS 1 every ${INTERVAL_S} s, ramp ${TCP_RAMP}/s, ${durationS} s of publishing, each side in its own process:\n`);
  const row = (label: string, f: (s: SideResult) => string, ratio = "") => [label, f(ours), f(mqttjs), ratio];
  w(table([
    ["", ours.side, mqttjs.side, "MQTT.js/ours"],
    row("clients connected", (s) => `${s.connected}/${s.clients}`),
    row("time to connect all", (s) => secs(s.connectAllS)),
    row("published", (s) => String(s.published)),
    row("delivered", (s) => String(s.delivered)),
    row("lost", (s) => String(s.lost)),
    row("RSS per client", (s) => kB(s.rssBytesPerClient), `${v.ratio.toFixed(2)}x`),
    row("heap per client", (s) => kB(s.hostBytesPerClient), `${(mqttjs.hostBytesPerClient / ours.hostBytesPerClient).toFixed(2)}x`),
    row("peak RSS of the process", (s) => MB(s.peakRssBytes)),
  ]));
  for (const f of [...fails, ...warnings]) w(`${f}\n`);
  if (socketFloor) w(`floor under both: a bare connected net.Socket costs ${kB(socketFloor.rss)} RSS, ${kB(socketFloor.heapUsed)} heap (${socketFloor.n} sockets)\n`);
  w(`${v.text}\n`);
  return fails.length === 0;
}

/** Section 2; false when sensors did not all connect or messages were lost. */
async function reportInprocess(o: ScaleOptions): Promise<boolean> {
  const r = await inprocess(o.inproc, o.profile);
  const fail = r.errors.length > 0 || r.lost > 0 || r.delivered < r.published || r.connected < r.sensors;
  const warning = readingsWarning("in-process", r.connectAllS, r.durationS);
  if (o.json) {
    w(JSON.stringify({ section: "inproc", profile: o.profile, perProcessCap: perProcessCap(), ...r, warning }) + "\n");
    return !fail;
  }
  w(`\nIn-process links to the embedded aedes, ${r.sensors} sensors (${o.profile}) in ${r.processes} process(es) of up to ${perProcessCap()} ` +
    `(vm.max_map_count), all at once, QoS 1 every ${INTERVAL_S} s for ${r.durationS} s:\n`);
  w(table([
    ["sensors connected", `${r.connected}/${r.sensors}`], ["time to connect all", secs(r.connectAllS)],
    ["delivered / published", `${r.delivered}/${r.published}`], ["lost", String(r.lost)],
    ["RSS per sensor (incl. aedes)", kB(r.rssBytesPerSensor)], ["heap per sensor (incl. aedes)", kB(r.hostBytesPerSensor)],
    ["peak RSS, largest process", MB(r.peakRssBytes)], ["peak RSS, all processes", MB(r.peakRssBytesAll)], ["wall time", secs(r.wallS)],
  ]));
  if (warning) w(`${warning}\n`);
  if (fail) w(`FAIL in-process: ${[...r.errors, `${r.delivered} of ${r.published} delivered, ${r.lost} lost, ${r.connected} of ${r.sensors} connected`].join("; ")}\n`);
  return !fail;
}

/** Section 3: measurements only, nothing to fail. */
async function reportProbes(o: ScaleOptions): Promise<void> {
  const rows = await probes(o.probe, o.profile);
  if (o.json) {
    for (const r of rows) w(JSON.stringify({ section: "probe", ...r }) + "\n");
    return;
  }
  w(`\nWhere the bytes go: ${o.probe} of each in one process (scale-probe.ts), per instance:\n`);
  const t: string[][] = [["what", "trap handler", "RSS", "Wasm pages", "V8 heap", "other native", "page tables (not in RSS)", "address space", "mappings"]];
  for (const r of rows) {
    if ("error" in r) {
      t.push([r.what, "", `error: ${r.error.split("\n")[0]}`, "", "", "", "", "", ""]);
      continue;
    }
    const label = r.what === "shape" ? `shape (${r.shape!.functions} exports, ${r.shape!.globals} globals)` : r.what === "empty" ? "empty" : `${r.what} ${r.profile}`;
    t.push([`${label}${r.memoryMax ? ", memory max = min" : ""}`, r.trapHandler ? "on" : "off", kB(r.rss), r.wasmResident === null ? "merged" : kB(r.wasmResident),
      kB(r.heapUsed), r.native === null ? "-" : kB(r.native), kB(r.pageTables), space(r.addressSpace), String(r.mappings)]);
  }
  w(table(t));
}

/** Runs the sections asked for (a count of 0 skips one); true when every message was delivered. */
export async function runScaleBench(o: ScaleOptions): Promise<boolean> {
  if (!o.json) w(`\nScale (node ${process.version}, fd limit ${readFileSync("/proc/self/limits", "utf8").match(/Max open files\s+(\d+)/)?.[1]}, ` +
    `vm.max_map_count ${readFileSync("/proc/sys/vm/max_map_count", "utf8").trim()}; 1 kB = 1000 B; RSS and heap per client = growth from a warm ` +
    `first tenth of the clients, connected, to all connected, after gc(), per client added: sim/memory.ts)\n`);
  let ok = true;
  if (o.tcp > 0) ok = (await reportTcp(o)) && ok;
  if (o.inproc > 0) ok = (await reportInprocess(o)) && ok;
  if (o.probe > 0) await reportProbes(o);
  if (!o.json) w(ok ? "scale: every message delivered\n" : "scale: FAIL (see above)\n");
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({
    options: {
      tcp: { type: "string", default: String(TCP_CLIENTS_DEFAULT) }, inproc: { type: "string", default: String(INPROC_SENSORS_DEFAULT) },
      probe: { type: "string", default: String(PROBE_INSTANCES_DEFAULT) }, profile: { type: "string", default: "default" },
      json: { type: "boolean", default: false },
    },
  });
  const ok = await runScaleBench({ tcp: Number(a.tcp), inproc: Number(a.inproc), probe: Number(a.probe), profile: a.profile!, json: a.json! });
  process.exit(ok ? 0 : 1);
}
