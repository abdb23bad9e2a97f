// --password-command 'CMD': the password comes from a command run before every connect, as git's
// credential helpers do. Its stdout (one trailing newline removed) is the password; its stderr
// goes to ours, so the user sees why it failed. The password is never part of a message: errors
// name the command's exit status or the time it took, not what it printed.
import { spawn } from "node:child_process";

/** A password command that has not finished by then is killed: the connect fails with a clear line and is retried later. */
export const PASSWORD_COMMAND_TIMEOUT_MS = 10_000;
/** MQTT's password field holds at most 65535 bytes. */
const PASSWORD_BYTES_MAX = 65535;

export function passwordCommand(cmd: string, timeoutMs = PASSWORD_COMMAND_TIMEOUT_MS): () => Promise<Buffer> {
  return () => new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", cmd], { stdio: ["ignore", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLong = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (b: Buffer) => {
      size += b.length;
      if (size > PASSWORD_BYTES_MAX + 2) tooLong = true;
      else chunks.push(b);
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`--password-command could not run: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") return reject(new Error(`--password-command gave no password within ${timeoutMs / 1000} s`));
      if (code !== 0) return reject(new Error(`--password-command failed (exit status ${code ?? signal})`));
      if (tooLong) return reject(new Error(`--password-command printed more than ${PASSWORD_BYTES_MAX} bytes`));
      let out = Buffer.concat(chunks);
      // One line ending, as a shell's $(...) would strip (a password may end in other whitespace).
      if (out.at(-1) === 0x0a) out = out.subarray(0, out.at(-2) === 0x0d ? -2 : -1);
      if (out.length === 0) return reject(new Error("--password-command printed no password"));
      resolve(out);
    });
  });
}
