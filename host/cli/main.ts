// mote: the command line. `mote pub ...` and `mote sub ...` with mosquitto_pub / mosquitto_sub
// flags, `mote bridge` here; `mote sim` and `mote modem` come from sim/, which sits on the host,
// so the entry point above both (bin/mote.ts) hands them in as extra commands: host never imports
// sim. Usage errors exit 2, runtime errors 1, each as one line on stderr prefixed `mote pub:` /
// `mote sub:` / `mote sim:`; never a stack trace. The network side (Device, transports) is
// loaded only once the flags are good, so --help and usage errors answer quickly.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { errorLine, exitStatus, isKind } from "../errors.ts";
import { PACKAGE_ROOT } from "../package-root.ts";
import { parseArgs, type Command } from "./args.ts";
import { buildConfig } from "./config.ts";
import { commandHelp, mainHelp } from "./help.ts";

const COMMANDS: readonly Command[] = ["pub", "sub"];

/** A command with flags of its own (not mosquitto's), stopped with Ctrl-C. */
export interface CliCommand {
  /** Its --help text; a command without one answers --help and reports its errors itself. */
  help?: () => Promise<string>;
  /**
   * Runs until done or interrupted and returns the exit code; a usage error exits 2. It may say how
   * long it needs to end after the first Ctrl-C (`setStopGrace`, default STOP_GRACE_MS): a fleet drains and writes its report.
   */
  run(args: string[], interrupted: Promise<void>, setStopGrace: (ms: number) => void): Promise<number>;
}

/** After the first SIGINT/SIGTERM a command has this long to end by itself. */
const STOP_GRACE_MS = 3000;
/**
 * A second signal this soon after the first is the same Ctrl-C delivered twice (a terminal signals
 * the process group, and tsx or `timeout` relay it again), not a second Ctrl-C.
 */
const SECOND_SIGNAL_AFTER_MS = 1000;

/** `mote bridge`: a board's UART to a broker (host/bridge/). */
const BRIDGE: CliCommand = {
  help: async () => (await import("./bridge.ts")).BRIDGE_HELP,
  run: async (args, interrupted) => {
    const { parseBridgeArgs, runBridge } = await import("./bridge.ts");
    return runBridge(parseBridgeArgs(args), interrupted);
  },
};

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

/** Runs `mote <argv>`: pub, sub and bridge, and the commands another layer adds (`extra`). */
export async function runMote(argv: string[], extra: Readonly<Record<string, CliCommand>> = {}): Promise<never> {
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
  if (name === "--version") {
    await write(process.stdout, `${packageVersion()}\n`);
    return exit(0, "mote");
  }
  const tool = name === "bridge" ? BRIDGE : Object.hasOwn(extra, name) ? extra[name] : undefined;
  if (tool) return toolCommand(name, tool, rest);
  if (!COMMANDS.includes(name as Command)) {
    return exit(2, "mote", `unknown command '${name}' (use mote pub, sub, sim, modem, board or bridge; see mote --help)`);
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
    if (isKind(e, "usage")) return exit(2, prefix, `${e.message} (see ${prefix} --help)`);
    throw e;
  }

  // A ref'd timer keeps the process alive while the Device waits to reconnect.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const interrupted = interruption();
  try {
    const warn = (line: string) => { process.stderr.write(`${prefix}: ${line}\n`); };
    // Only the command that runs is loaded.
    const code = command === "pub"
      ? await (await import("./pub.ts")).runPub(config, interrupted, warn)
      : await (await import("./sub.ts")).runSub(config, interrupted, warn);
    clearInterval(keepAlive);
    return exit(code, prefix);
  } catch (e) {
    return exit(exitStatus(e), prefix, errorLine(e));
  }
}

/** `mote --version`: the version in the package's package.json. */
const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0];

function catchAll(prefix: string): void {
  process.on("uncaughtException", (e) => void exit(1, prefix, `internal error: ${firstLine(e)}`));
  process.on("unhandledRejection", (e) => void exit(1, prefix, `internal error: ${firstLine(e)}`));
}

/**
 * Resolves on the first SIGINT/SIGTERM (or a closed stdout); a second signal, or the stop grace
 * later (STOP_GRACE_MS unless `grace.ms` was changed before the signal), ends at once.
 */
function interruption(grace = { ms: STOP_GRACE_MS }): Promise<void> {
  let interrupt!: () => void;
  const interrupted = new Promise<void>((r) => { interrupt = r; });
  onStdoutClosed = () => interrupt();
  let firstAt: number | undefined;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      const code = sig === "SIGINT" ? 130 : 143;
      if (firstAt !== undefined) {
        if (performance.now() - firstAt > SECOND_SIGNAL_AFTER_MS) process.exit(code);
        return;
      }
      firstAt = performance.now();
      interrupt();
      setTimeout(() => process.exit(code), grace.ms).unref();
    });
  }
  return interrupted;
}

/** mote bridge, mote modem, mote sim: long-running tools, stopped with Ctrl-C. */
async function toolCommand(name: string, tool: CliCommand, rest: string[]): Promise<never> {
  const prefix = `mote ${name}`;
  catchAll(prefix);
  if (tool.help && rest.includes("--help")) {
    await write(process.stdout, await tool.help());
    return exit(0, prefix);
  }
  try {
    const grace = { ms: STOP_GRACE_MS };
    const code = await tool.run(rest, interruption(grace), (ms) => (grace.ms = ms));
    return exit(code, prefix);
  } catch (e) {
    if (isKind(e, "usage")) return exit(2, prefix, `${e.message} (see ${prefix} --help)`);
    if (!tool.help) throw e; // it reports its own errors: what escapes is internal (catchAll)
    return exit(1, prefix, firstLine(e));
  }
}
