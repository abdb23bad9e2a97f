// `npm start`: a demo fleet of firmware sensors against an embedded broker (aedes), in process,
// with delivery verified by an observer device and a byte/memory budget report.
// This is the first cut of the simulator; see README for what it measures.
import { Aedes } from "aedes";
import { Firmware } from "../host/firmware.ts";
import { configure, publish, subscribe } from "../host/commands.ts";
import { Link } from "../host/link.ts";
import { PacketMeter } from "../host/packet-meter.ts";
import { Option, reasonText } from "../host/abi.ts";
import { profileBudget } from "../host/budget-report.ts";
import { duplexPair } from "./inproc.ts";
import { parseFleetArgs, FleetArgsError, USAGE } from "./args.ts";
import { latencySummary, markdown, writeReports, type FleetReport } from "./report.ts";

async function main(): Promise<number> {
  let args;
  try {
    args = parseFleetArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof FleetArgsError) {
      process.stderr.write(`mote sim: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const broker = await Aedes.createBroker();
  const open = () => {
    const [device, brokerSide] = duplexPair();
    broker.handle(brokerSide);
    return device;
  };
  const version = args.version;
  const up = new PacketMeter();
  const started = Date.now();

  // The observer: one more firmware device, subscribed to every sensor's topic.
  const seen = new Map<number, Set<number>>();
  let delivered = 0;
  const latencies: number[] = [];
  let duplicates = 0;
  const observer = new Firmware(args.profile);
  configure(observer, { version, clientId: "observer", keepalive: 30 });
  let observerReady!: () => void;
  const ready = new Promise<void>((r) => (observerReady = r));
  let observerRefusal = "";
  const observerLink = new Link(observer, {
    open,
    onEvent: (ev) => {
      if (ev.name === "Connected") {
        subscribe(observer, [{ topic: "sensors/+/temperature", qos: args.qos }]);
        observerLink.service();
      } else if (ev.name === "SubscribeDone") observerReady();
      else if (ev.name === "ConnectRefused" || ev.name === "ProtocolViolation") {
        observerRefusal = `${ev.name}, reason 0x${ev.reason.toString(16)} ${reasonText(ev.reason)}`;
      } else if (ev.name === "Message" && ev.topic && ev.payload) {
        const id = Number(ev.topic.split("/")[1]);
        const text = ev.payload.toString();
        const seq = Number(/"seq":(\d+)/.exec(text)?.[1]);
        latencies.push(Date.now() - started - Number(/"ts":(\d+)/.exec(text)?.[1]));
        const set = seen.get(id) ?? new Set<number>();
        if (set.has(seq)) duplicates++;
        else delivered++;
        set.add(seq);
        seen.set(id, set);
      }
    },
  });
  observerLink.start();
  const readyInTime = await Promise.race([ready.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10000).unref())]);
  if (!readyInTime) {
    observerLink.end();
    broker.close();
    throw new Error(`the observer could not subscribe within 10 s${observerRefusal ? ` (${observerRefusal})` : ""}`);
  }

  // The fleet.
  interface Sensor { fw: Firmware; link: Link; seq: number; temp: number; connected: boolean; }
  const sensors: Sensor[] = [];
  let published = 0;
  let refused = 0;
  for (let i = 0; i < args.sensors; i++) {
    const fw = new Firmware(args.profile);
    fw.exports.setOption(Option.Seed, (args.seed * 7919 + i) >>> 0 || 1);
    configure(fw, { version, clientId: `sensor-${i}`, keepalive: 30, clean: true });
    const s: Sensor = { fw, link: undefined as unknown as Link, seq: 0, temp: 20 + (i % 10), connected: false };
    s.link = new Link(fw, {
      open,
      onTransmit: (b) => up.add(b),
      onEvent: (ev) => {
        if (ev.name === "Connected") s.connected = true;
      },
    });
    sensors.push(s);
    s.link.start();
  }

  // Each sensor publishes a random-walk temperature every interval, staggered across the interval.
  let rng = args.seed >>> 0 || 1;
  const random = () => ((rng = (rng * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const timers: NodeJS.Timeout[] = [];
  const stopAt = Date.now() + args.durationS * 1000;
  sensors.forEach((s, i) => {
    const tick = () => {
      if (Date.now() >= stopAt) return;
      s.temp += (random() - 0.5) * 0.2;
      const payload = `{"seq":${s.seq},"ts":${Date.now() - started},"t":${s.temp.toFixed(2)}}`;
      const rc = publish(s.fw, `sensors/${i}/temperature`, payload, args.qos);
      if (rc >= 0) {
        s.seq++;
        published++;
      } else refused++;
      s.link.service();
      timers.push(setTimeout(tick, args.intervalMs));
    };
    timers.push(setTimeout(tick, Math.floor((i / sensors.length) * args.intervalMs)));
  });

  const progress = setInterval(() => {
    const connected = sensors.filter((s) => s.connected).length;
    process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] connected ${connected}/${sensors.length}, published ${published}, delivered ${delivered}\n`);
  }, 5000);

  await new Promise((r) => setTimeout(r, args.durationS * 1000 + 2000));
  clearInterval(progress);
  timers.forEach(clearTimeout);
  for (const s of sensors) s.link.end();
  observerLink.end();
  await new Promise((r) => setTimeout(r, 200));
  broker.close();

  const lost = sensors.reduce((n, s, i) => n + (s.seq - (seen.get(i)?.size ?? 0)), 0);
  const budget = profileBudget(args.profile);
  const report: FleetReport = {
    sensors: args.sensors,
    profile: args.profile,
    protocol: version === 5 ? "5.0" : "3.1.1",
    qos: args.qos,
    durationS: args.durationS,
    messages: { published, delivered, lost, duplicates, refusedLocally: refused },
    latencyMs: latencySummary(latencies),
    bytesByPacketType: up.table(),
    device: {
      wasmBytes: budget.wasmBytes,
      staticBytes: budget.staticBytes,
      linearMemoryBytes: budget.memoryBytes,
      memoryRegions: Object.fromEntries(budget.regions.map((r) => [r.name, r.size])),
    },
  };
  const path = writeReports(args.reportDir, report);
  process.stdout.write(markdown(report));
  process.stdout.write(`report: ${path}\n`);
  return lost === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`mote sim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
