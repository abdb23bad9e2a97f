// `mote modem`: the modem emulator as a tool. It makes a pseudo-terminal (or serves a real
// serial port wired to a board) and answers AT commands like an ESP-AT or Quectel BG96 modem,
// opening real TCP connections for the sockets it is asked to open.
import { usageError } from "../../host/errors.ts";
import { parseArgs } from "node:util";

export const MODEM_HELP = `mote modem: an emulated AT modem (ESP-AT or Quectel BG96) on a pty or a serial port

Usage:
  mote modem --dialect esp-at|bg96 --link <path> [options]   make a pty at <path> and serve it
  mote modem --dialect esp-at|bg96 --port <path> [options]   serve an existing serial device

Options:
  --dialect <name>    esp-at or bg96
  --link <path>       create a pseudo-terminal whose other end your program (or mote --modem) opens
  --port <path>       serve a real serial device (a USB-UART wired to a board's modem pins)
  --baud <n>          line speed, 8N1; the emulator paces its output to baud/10 bytes per second (default 115200)
  --transcript        print every exchange with a timestamp and byte count
  --seed <n>          seed of the scheduled impairments (none unless a test asks for them)
  --help              this help

The sockets the board opens (AT+CIPSTART / AT+QIOPEN) become real TCP connections from this
machine. Stop with Ctrl-C.
`;

export interface ModemConfig {
  dialect: "esp-at" | "bg96";
  link?: string;
  port?: string;
  baudRate: number;
  transcript: boolean;
  seed?: number;
}

export function parseModemArgs(argv: string[]): ModemConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dialect: { type: "string" }, link: { type: "string" }, port: { type: "string" }, baud: { type: "string" },
        transcript: { type: "boolean" }, seed: { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    throw usageError((e as Error).message.split("\n")[0].replace(/\. To specify.*$/, ""));
  }
  if (values.dialect !== "esp-at" && values.dialect !== "bg96") throw usageError(`--dialect must be esp-at or bg96, got '${values.dialect ?? ""}'`);
  if ((values.link === undefined) === (values.port === undefined)) throw usageError("give one of --link <path> or --port <path>");
  const baudRate = values.baud === undefined ? 115200 : Number(values.baud);
  if (!Number.isInteger(baudRate) || baudRate < 50 || baudRate > 4_000_000) throw usageError(`--baud must be a whole number of baud, got '${values.baud}'`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw usageError(`--seed must be a whole number, got '${values.seed}'`);
  return { dialect: values.dialect, link: values.link, port: values.port, baudRate, transcript: values.transcript ?? false, seed };
}

export async function runModem(cfg: ModemConfig, interrupted: Promise<void>): Promise<number> {
  const { startEmulator } = await import("./index.ts");
  const emulator = await startEmulator({
    dialect: cfg.dialect, link: cfg.link, port: cfg.port, baudRate: cfg.baudRate, seed: cfg.seed,
    transcript: cfg.transcript
      ? (e) => process.stdout.write(`${(e.t / 1000).toFixed(3)} ${e.dir.padEnd(7)} ${String(e.bytes).padStart(5)} ${e.text}\n`)
      : undefined,
  });
  process.stderr.write(`mote modem: ${cfg.dialect} at ${cfg.baudRate} baud on ${emulator.path}\n`);
  await interrupted;
  await emulator.stop();
  const s = emulator.stats();
  process.stderr.write(`mote modem: ${s.commands} commands, ${s.serialIn} bytes in, ${s.serialOut} out on the line; ` +
    `${s.netOut} bytes to the network, ${s.netIn} from it\n`);
  return 0;
}
