// `mote bridge`: forwards a board's raw MQTT byte stream from a serial port to a broker and
// back (for boards that run an MQTT client over their UART), until interrupted; then prints
// the byte accounting.
import { usageError } from "../errors.ts";
import { parseArgs } from "node:util";

export const BRIDGE_HELP = `mote bridge: forward a board's MQTT byte stream between a serial port and a broker

Usage:
  mote bridge --port <serial device> --url <broker URL> [options]

Options:
  --port <path>       the board's serial device (/dev/ttyUSB0, a socat pty, ...)
  --baud <n>          line speed, 8N1 (default 115200)
  --url <url>         the broker: mqtt://host:1883, mqtts://host:8883, ws://, wss://
  --pace              hold the serial side to baud/10 bytes per second (ptys are not paced)
  --transcript        print every packet each way (first 64 bytes), dropped bytes and notes
  --cafile <file>     CA certificates for mqtts:// and wss://
  --cert <file>       client certificate (with --key)
  --key <file>        client key
  --insecure          do not verify the broker's certificate
  --help              this help

A broker connection opens at the board's CONNECT and closes when the broker closes; bytes the
board sends without a connection are dropped and counted, never spliced into a new one.
Stop with Ctrl-C: the byte accounting (per packet type each way, line time at the baud rate) is
printed to stderr.
`;

export interface BridgeConfig {
  port: string;
  baudRate: number;
  url: string;
  pace: boolean;
  transcript: boolean;
  tls: { caFile?: string; certFile?: string; keyFile?: string; insecure?: boolean };
}

export function parseBridgeArgs(argv: string[]): BridgeConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" }, baud: { type: "string" }, url: { type: "string" }, pace: { type: "boolean" },
        transcript: { type: "boolean" }, cafile: { type: "string" }, cert: { type: "string" }, key: { type: "string" },
        insecure: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (e) {
    throw usageError((e as Error).message.split("\n")[0].replace(/\. To specify.*$/, ""));
  }
  if (!values.port) throw usageError("--port <serial device> is required");
  if (!values.url) throw usageError("--url <broker URL> is required");
  const baudRate = values.baud === undefined ? 115200 : Number(values.baud);
  if (!Number.isInteger(baudRate) || baudRate < 50 || baudRate > 4_000_000) throw usageError(`--baud must be a whole number of baud, got '${values.baud}'`);
  if ((values.cert === undefined) !== (values.key === undefined)) throw usageError("--cert and --key go together");
  return {
    port: values.port, baudRate, url: values.url, pace: values.pace ?? false, transcript: values.transcript ?? false,
    tls: { caFile: values.cafile, certFile: values.cert, keyFile: values.key, insecure: values.insecure },
  };
}

export async function runBridge(cfg: BridgeConfig, interrupted: Promise<void>): Promise<number> {
  const { startBridge } = await import("../bridge/index.ts");
  const bridge = await startBridge({
    port: cfg.port, baudRate: cfg.baudRate, url: cfg.url, pace: cfg.pace, tls: cfg.tls,
    transcript: cfg.transcript ? process.stdout : undefined,
    log: (line) => process.stderr.write(`mote bridge: ${line}\n`),
  });
  process.stderr.write(`mote bridge: ${cfg.port} at ${cfg.baudRate} baud <-> ${cfg.url}\n`);
  const ended = await Promise.race([interrupted.then(() => undefined), bridge.closed]);
  await bridge.stop();
  const s = bridge.stats();
  const lines = [
    `serial: ${s.serial.fromBoard} bytes from the board (${s.serial.lineSeconds.fromBoard.toFixed(2)} s on the line), ` +
      `${s.serial.toBoard} to it (${s.serial.lineSeconds.toBoard.toFixed(2)} s)`,
    `broker: ${s.broker.connections} connections, ${s.broker.closedByBroker} closed by the broker, ${s.broker.failures} failed`,
    `dropped: ${s.dropped.bytes} bytes (${s.dropped.garbage} outside MQTT framing)`,
    ...Object.entries(s.packets.toBroker).map(([t, v]) => `  to broker ${t}: ${v.packets} packets, ${v.bytes} bytes`),
    ...Object.entries(s.packets.toBoard).map(([t, v]) => `  to board  ${t}: ${v.packets} packets, ${v.bytes} bytes`),
  ];
  process.stderr.write(lines.map((l) => `mote bridge: ${l}`).join("\n") + "\n");
  if (ended instanceof Error) throw ended;
  return 0;
}
