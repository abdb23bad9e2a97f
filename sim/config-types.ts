// The fleet's configuration as parsed (sim/config.ts parses flags and the config file into it).
import type { LinkModel } from "./link-model.ts";
import type { ModelName } from "./models.ts";
import type { PayloadFormat } from "./payload.ts";
import type { TlsOptions } from "../host/transports/tls.ts";
import type { Shard } from "./units.ts";
import type { Credentials } from "./credentials.ts";
import type { BoardGroupConfig } from "./board-group.ts";

export type ModemDialect = "esp-at" | "bg96";

export interface GroupConfig {
  name: string;
  /** Sensors of the whole fleet in this group (every shard together). */
  count: number;
  model: ModelName;
  payload: PayloadFormat;
  qos: 0 | 1 | 2;
  /** Topic template: {id}, {group} and {model} are replaced per sensor. */
  topic: string;
  intervalMs: number;
  /** Each interval is drawn uniformly from interval ± jitter. */
  jitterMs: number;
  profile: string;
  link: LinkModel;
  /** The group reaches the broker through an emulated AT modem on a real pty (socat). */
  modem?: { dialect: ModemDialect; baud: number };
  /** Left out, with a warning, when what it needs is missing (socat for a modem group) instead of failing the run. */
  optional?: boolean;
  /** User name ({id} replaced per sensor) and password of its sensors: its own, else the fleet's. */
  credentials: Credentials;
}

export interface FleetConfig {
  /** Sensors of the whole fleet (every shard together). */
  sensors: number;
  /** undefined: the embedded broker (aedes, in process). */
  broker?: string;
  /** mqtts:// and wss:// brokers: the CA to trust, a client certificate, or no verification. */
  tls: TlsOptions;
  /** -u/-P, else the file's, else the broker URL's: the observer's, and each group's unless it has its own. */
  credentials: Credentials;
  durationS: number;
  /** After the run: time allowed for in-flight messages to arrive before counting losses. */
  drainS: number;
  version: 4 | 5;
  keepaliveS: number;
  /** Connections opened per second while the fleet starts (0: all at once). */
  ramp: number;
  seed: number;
  shard: Shard;
  reportDir: string;
  /** Print the report as one JSON document (stdout, nothing else there) instead of the Markdown summary; progress as JSON lines. */
  json: boolean;
  /** Progress: a live line on a terminal, a periodic line otherwise, or none. */
  progress: "auto" | "none";
  clientPrefix: string;
  /** MQTT 5: sensors replace repeated topics by topic aliases when the broker allows them. */
  topicAliases: boolean;
  /** real: wall-clock time against any broker; virtual: one discrete-event clock for the fleet, its links and the embedded broker. */
  time: "real" | "virtual";
  /** Processes this run is split over on this machine (--workers): each runs a shard, their reports are merged. */
  workers: number;
  groups: GroupConfig[];
  /** Emulated Cortex-M4 boards next to the sensors (--board, or the file's "board"). */
  board?: BoardGroupConfig;
  help: boolean;
}
