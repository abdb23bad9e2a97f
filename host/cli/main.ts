// mote: the command line. `mote pub ...` and `mote sub ...` with mosquitto_pub / mosquitto_sub
// flags; `mote sim` runs a fleet (sim/). Usage errors exit 2, runtime errors 1, each as one line
// on stderr prefixed `mote pub:` / `mote sub:` / `mote sim:`; never a stack trace. The network side (Device, transports) is
// loaded only once the flags are good, so --help and usage errors answer quickly.
import { parseArgs, UsageError, type Command } from "./args.ts";
import { buildConfig } from "./config.ts";
import { commandHelp, mainHelp } from "./help.ts";

const COMMANDS: readonly Command[] = ["pub", "sub"];
/** Commands with flags of their own (not mosquitto's). */
const SERIAL_COMMANDS = ["bridge", "modem"] as const;
type SerialCommand = (typeof SERIAL_COMMANDS)[number];

/** Writes and waits until the bytes are handed to the OS, so nothing is lost at exit. */
function write(stream: NodeJS.WriteStream, text: string | Buffer): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

async function exit(code: number, prefix: string, line?: string): Promise<never> {
  if (line) await write(process.stderr, `${prefix}: ${line}\n`);
  await write(process.stdout, "");
  process.exit(code);
}

/** What a closed stdout (mote sub | head -1) does: exit quietly, or, once running, end like a signal. */
let onStdoutClosed: () => void = () => process.exit(0);

async function main(argv: string[]): Promise<never> {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") onStdoutClosed();
  });
  const [name, ...rest] = argv;
  if (name === undefined) {
    await write(process.stderr, mainHelp());
    return exit(2, "mote");
  }
  if (name === "--help" || name === "help") {
    await write(process.stdout, mainHelp());
    return exit(0, "mote");
  }
  if (SERIAL_COMMANDS.includes(name as SerialCommand)) return serialCommand(name as SerialCommand, rest);
  if (name === "sim") return simCommand(rest);
  if (!COMMANDS.includes(name as Command)) {
    return exit(2, "mote", `unknown command '${name}' (use mote pub, sub, sim, modem or bridge; see mote --help)`);
  }
  const command = name as Command;
  const prefix = `mote ${command}`;
  catchAll(prefix);

  if (rest.includes("--help")) {
    await write(process.stdout, commandHelp(command));
    return exit(0, prefix);
  }
  let config;
  try {
    config = buildConfig(parseArgs(command, rest));
  } catch (e) {
    if (e instanceof UsageError) return exit(2, prefix, `${e.message} (see ${prefix} --help)`);
    throw e;
  }

  // A ref'd timer keeps the process alive while the Device waits to reconnect.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const interrupted = interruption();
  const { CliExit, errorLine } = await import("./session.ts");
  try {
    const { runPub } = await import("./pub.ts");
    const { runSub } = await import("./sub.ts");
    const warn = (line: string) => { process.stderr.write(`${prefix}: ${line}\n`); };
    const code = command === "pub" ? await runPub(config, interrupted, warn) : await runSub(config, interrupted, warn);
    clearInterval(keepAlive);
    return exit(code, prefix);
  } catch (e) {
    if (e instanceof CliExit) return exit(e.code, prefix, e.message);
    return exit(1, prefix, errorLine(e));
  }
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0];

function catchAll(prefix: string): void {
  process.on("uncaughtException", (e) => void exit(1, prefix, `internal error: ${firstLine(e)}`));
  process.on("unhandledRejection", (e) => void exit(1, prefix, `internal error: ${firstLine(e)}`));
}

/** Resolves on the first SIGINT/SIGTERM (or a closed stdout); a second signal, or 3 s, ends at once. */
function interruption(): Promise<void> {
  let interrupt!: () => void;
  const interrupted = new Promise<void>((r) => { interrupt = r; });
  onStdoutClosed = () => interrupt();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      interrupt();
      const code = sig === "SIGINT" ? 130 : 143;
      process.once(sig, () => process.exit(code));
      setTimeout(() => process.exit(code), 3000).unref();
    });
  }
  return interrupted;
}

/** mote bridge / mote modem: long-running serial helpers, stopped with Ctrl-C. */
async function serialCommand(name: SerialCommand, rest: string[]): Promise<never> {
  const prefix = `mote ${name}`;
  catchAll(prefix);
  const mod = name === "bridge" ? await import("./bridge.ts") : await import("./modem.ts");
  const help = name === "bridge" ? (mod as typeof import("./bridge.ts")).BRIDGE_HELP : (mod as typeof import("./modem.ts")).MODEM_HELP;
  if (rest.includes("--help")) {
    await write(process.stdout, help);
    return exit(0, prefix);
  }
  try {
    const interrupted = interruption();
    const code = name === "bridge"
      ? await (mod as typeof import("./bridge.ts")).runBridge((mod as typeof import("./bridge.ts")).parseBridgeArgs(rest), interrupted)
      : await (mod as typeof import("./modem.ts")).runModem((mod as typeof import("./modem.ts")).parseModemArgs(rest), interrupted);
    return exit(code, prefix);
  } catch (e) {
    if (e instanceof UsageError) return exit(2, prefix, `${e.message} (see ${prefix} --help)`);
    return exit(1, prefix, firstLine(e));
  }
}

/** mote sim: a fleet of firmware sensors with a report (sim/main.ts); Ctrl-C ends it early, with the report. */
async function simCommand(rest: string[]): Promise<never> {
  catchAll("mote sim");
  const { runSim } = await import("../../sim/main.ts");
  const code = await runSim(rest, undefined, interruption());
  return exit(code, "mote sim");
}

void main(process.argv.slice(2));
