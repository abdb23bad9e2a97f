// `mote board`: the firmware on an emulated Cortex-M4 board (QEMU mps2-an386), its MQTT UART on a
// pty for `mote bridge --port`, its debug UART on stderr (or a file). Stop with Ctrl-C.
import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { usageError } from "../../host/errors.ts";
import { BOARD_PROFILES, startBoard, type BoardProfile } from "./qemu-board.ts";

export const BOARD_HELP = `mote board: the firmware, translated to C, on an emulated Cortex-M4 board (QEMU mps2-an386)

Usage:
  mote board --link <path> [options]      the board's MQTT UART appears as a pty at <path>
  then: mote bridge --port <path> --url mqtt://broker:1883

Options:
  --link <path>        where the pty of the board's MQTT UART appears
  --profile <name>     default (MQTT 5.0) or tiny (MQTT 3.1.1); build/mcu/<profile>.elf (npm run build:mcu)
  --client-id <id>     the board's client id (default board-1)
  --interval <s>       seconds between readings on board/<id>/temperature (default 5)
  --keep-alive <s>     MQTT keep alive in seconds
  --debug-file <path>  append the debug UART there instead of stderr
  --help               this help

The board publishes board/<id>/temperature (QoS 1, a sequence number in each reading), and
answers each message on board/<id>/cmd by publishing its payload to board/<id>/ack.
`;

export interface BoardConfig {
  link: string;
  profile: BoardProfile;
  clientId?: string;
  intervalS?: number;
  keepAliveS?: number;
  debugFile?: string;
}

function seconds(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw usageError(`${flag} must be whole seconds from 1 to 65535, got '${v}'`);
  return n;
}

export function parseBoardArgs(argv: string[]): BoardConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        link: { type: "string" }, profile: { type: "string" }, "client-id": { type: "string" }, interval: { type: "string" },
        "keep-alive": { type: "string" }, "debug-file": { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    throw usageError((e as Error).message.split("\n")[0].replace(/\. To specify.*$/, ""));
  }
  if (!values.link) throw usageError("--link <path> is required (where the board's MQTT UART appears)");
  const profile = values.profile ?? "default";
  if (!(BOARD_PROFILES as readonly string[]).includes(profile)) throw usageError(`--profile must be ${BOARD_PROFILES.join(" or ")}, got '${profile}'`);
  const clientId = values["client-id"];
  if (clientId !== undefined && !/^[A-Za-z0-9_-]{1,23}$/.test(clientId)) {
    throw usageError(`--client-id must be 1-23 letters, digits, '_' or '-', got '${clientId}'`);
  }
  return {
    link: values.link, profile: profile as BoardProfile, clientId, intervalS: seconds("--interval", values.interval),
    keepAliveS: seconds("--keep-alive", values["keep-alive"]), debugFile: values["debug-file"],
  };
}

export async function runBoard(cfg: BoardConfig, interrupted: Promise<void>): Promise<number> {
  const toFile = (line: string) => appendFileSync(cfg.debugFile!, `${line}\n`);
  const debug = cfg.debugFile ? toFile : (line: string) => process.stderr.write(`board: ${line}\n`);
  const board = await startBoard({ ...cfg, debug });
  process.stderr.write(`mote board: ${cfg.profile} firmware on ${board.link} (client id ${cfg.clientId ?? "board-1"}); ` +
    `bridge it with: mote bridge --port ${board.link} --url mqtt://broker:1883\n`);
  const code = await Promise.race([interrupted.then(() => 0), board.exited.then((c) => {
    process.stderr.write(`mote board: the board stopped (QEMU exit status ${c})\n`);
    return 1;
  })]);
  await board.stop();
  return code;
}
