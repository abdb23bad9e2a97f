// A pseudo-terminal pair made by socat: the user's program opens `link`, the emulator opens
// `inner`. Both ends are raw with echo off, so all 256 byte values pass unchanged.
//
// socat runs under a small shell that also reads a pipe from this process: when the pipe closes
// (stop(), or this process died without cleaning up, as vitest workers do on SIGTERM) the shell
// kills socat, so no socat outlives its emulator.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";

const READY_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 3000;
const READY = /starting data transfer loop/;

// A background list's stdin is /dev/null, so the watcher reads the pipe through fd 3.
const SCRIPT = `exec 3<&0
socat -d -d "pty,raw,echo=0,link=$1" "pty,raw,echo=0,link=$2" </dev/null 3<&- &
p=$!
echo "socat-pid $p" >&2
(cat <&3 >/dev/null; kill $p 2>/dev/null) &
exec 3<&-
wait $p
[ -z "$3" ] || rm -rf "$3"`;

export interface PtyPair {
  readonly link: string;
  readonly inner: string;
  /** Resolves when socat has exited (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
  /** Called once if socat exits before stop(). */
  onExit?: (log: string) => void;
}

/** `removeDir`, when given, is removed once socat has exited, however this process ended. */
export async function startPtyPair(link: string, inner: string, removeDir = ""): Promise<PtyPair> {
  const shell = spawn("/bin/sh", ["-c", SCRIPT, "sh", link, inner, removeDir], { stdio: ["pipe", "ignore", "pipe"] });
  let log = "";
  let socatPid: number | undefined;
  let stopping = false;
  const exited = new Promise<void>((resolve) => shell.once("exit", () => resolve()));
  shell.stdin!.on("error", () => {});
  shell.stderr!.setEncoding("utf8");
  shell.stderr!.on("data", (s: string) => {
    log = (log + s).slice(-16384);
    const m = /socat-pid (\d+)/.exec(log);
    if (m) socatPid = Number(m[1]);
  });

  const pair: PtyPair = {
    link,
    inner,
    async stop() {
      stopping = true;
      if (shell.exitCode !== null || shell.signalCode !== null) return;
      if (socatPid !== undefined) killQuietly(socatPid, "SIGTERM");
      shell.stdin!.end();
      const timer = setTimeout(() => {
        if (socatPid !== undefined) killQuietly(socatPid, "SIGKILL");
        shell.kill("SIGKILL");
      }, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
  void exited.then(() => { if (!stopping) pair.onExit?.(log); });

  await waitReady(shell, () => log, link, inner).catch(async (err: unknown) => {
    await pair.stop();
    throw err;
  });
  return pair;
}

function waitReady(shell: ChildProcess, log: () => string, link: string, inner: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (READY.test(log()) && existsSync(link) && existsSync(inner)) done();
    };
    const fail = (why: string) => done(new Error(`socat: ${why}\n${log()}`));
    const timer = setTimeout(() => fail(`not ready after ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    const poll = setInterval(check, 20);
    const onExit = () => fail("exited before it was ready");
    shell.stderr!.on("data", check);
    shell.once("exit", onExit);
    shell.once("error", (e) => fail(e.message));
    function done(err?: Error) {
      clearTimeout(timer);
      clearInterval(poll);
      shell.stderr!.off("data", check);
      shell.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    }
  });
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
