// Command-line flags of the fleet simulator. Every flag is checked; a wrong one is an error
// with one clear line, never a silent default.
export interface FleetArgs {
  sensors: number;
  durationS: number;
  intervalMs: number;
  qos: 0 | 1 | 2;
  version: 4 | 5;
  profile: string;
  reportDir: string;
  seed: number;
  help: boolean;
}

export class FleetArgsError extends Error {}

export const USAGE = `usage: npm start -- [--sensors N] [--duration S] [--interval MS] [--qos 0|1|2] [-V 5|311]
                     [--profile default|tiny|large] [--report DIR] [--seed N]
  Runs N firmware sensors against an embedded broker (aedes, MQTT 3.1.1) and writes DIR/report.json
  and DIR/report.md. Defaults: 200 sensors, 20 s, one message per second each, QoS 1, MQTT 3.1.1.
`;

function int(flag: string, v: string | undefined, min: number, max: number): number {
  if (v === undefined) throw new FleetArgsError(`${flag} needs a value`);
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new FleetArgsError(`${flag} must be an integer from ${min} to ${max}, got '${v}'`);
  return n;
}

export function parseFleetArgs(argv: string[]): FleetArgs {
  const a: FleetArgs = { sensors: 200, durationS: 20, intervalMs: 1000, qos: 1, version: 4, profile: "default", reportDir: "report", seed: 1, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case "--sensors": a.sensors = int(flag, next(), 1, 100000); break;
      case "--duration": a.durationS = int(flag, next(), 1, 86400); break;
      case "--interval": a.intervalMs = int(flag, next(), 10, 3600000); break;
      case "--qos": a.qos = int(flag, next(), 0, 2) as 0 | 1 | 2; break;
      case "-V": {
        const v = next();
        if (v === "5" || v === "mqttv5") a.version = 5;
        else if (v === "311" || v === "mqttv311") a.version = 4;
        else throw new FleetArgsError(`-V must be 5 or 311, got '${v ?? ""}'`);
        break;
      }
      case "--profile": {
        const p = next();
        if (!p || !/^[a-z0-9-]+$/.test(p)) throw new FleetArgsError(`--profile needs a profile name, got '${p ?? ""}'`);
        a.profile = p;
        break;
      }
      case "--report": {
        const d = next();
        if (!d) throw new FleetArgsError("--report needs a directory");
        a.reportDir = d;
        break;
      }
      case "--seed": a.seed = int(flag, next(), 0, 0xffffffff); break;
      case "-h": case "--help": a.help = true; break;
      default: throw new FleetArgsError(`unknown flag '${flag}'`);
    }
  }
  if (a.profile === "tiny" && a.version === 5) throw new FleetArgsError("profile 'tiny' speaks MQTT 3.1.1 only: drop -V 5");
  return a;
}
