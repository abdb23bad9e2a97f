// What it takes to repeat a run: the command line and the configuration as resolved (flags, file
// and defaults together), the tool and Node versions, the seed, the host. Secrets are redacted
// here, before anything is written: passwords as ***, URLs without their passwords.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { arch, availableParallelism, cpus, hostname, platform, release } from "node:os";
import { PACKAGE_ROOT } from "../host/package-root.ts";
import type { FleetConfig } from "./config.ts";
import { redactArgv, redactCredentials, redactUrl } from "./credentials.ts";

export interface RunRecord {
  /** As typed, secrets redacted. */
  commandLine: string;
  /** The resolved configuration, secrets redacted. */
  config: Record<string, unknown>;
  toolVersion: string;
  nodeVersion: string;
  host: { name: string; os: string; cpu: string; cores: number };
}

/** A shell word: quoted when it holds anything a shell would read specially. */
const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

export function runRecord(argv: string[], cfg: FleetConfig): RunRecord {
  const { help: _help, groups, credentials, broker, ...rest } = cfg;
  const config = {
    ...rest,
    ...(broker !== undefined && { broker: redactUrl(broker) }),
    credentials: redactCredentials(credentials),
    groups: groups.map((g) => ({ ...g, credentials: redactCredentials(g.credentials) })),
  };
  const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
  return {
    commandLine: ["mote", "sim", ...redactArgv(argv)].map(shellWord).join(" "),
    config,
    toolVersion: version,
    nodeVersion: process.version,
    host: { name: hostname(), os: `${platform()} ${release()} ${arch()}`, cpu: cpus()[0]?.model.trim() ?? "unknown", cores: availableParallelism() },
  };
}
