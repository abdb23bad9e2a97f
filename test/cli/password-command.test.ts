// --password-command (issue 13): the password comes from a command run before every connect, so a
// password (a token) that rotates is picked up at the next connection. End to end against
// mosquitto whose password file is rewritten and reloaded (SIGHUP); the password never shows.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";
import { killAll, lines, mosquittoPub, mote, waitFor } from "./helpers.ts";

let mosquitto: Mosquitto;
const dir = mkdtempSync(join(tmpdir(), "mote-pwcmd-"));
const secretFile = join(dir, "token");
const command = `cat ${secretFile}`;

/** The broker's password for `dev` and the file the command reads, both set to `pw`. */
async function rotate(pw: string): Promise<void> {
  await mosquitto.setPasswords({ dev: pw, admin: "admin-pw" });
  writeFileSync(secretFile, `${pw}\n`);
}

beforeAll(async () => {
  mosquitto = await startMosquitto({ users: { dev: "first-7f3a", admin: "admin-pw" } });
  writeFileSync(secretFile, "first-7f3a\n");
});

afterAll(async () => {
  killAll();
  await mosquitto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const port = () => String(mosquitto.ports.tcp);

describe("mote pub/sub --password-command", () => {
  it("logs in with the command's output, and with the new one once the password rotated", async () => {
    const first = await mote(["pub", "-h", "127.0.0.1", "-p", port(), "-u", "dev", "--password-command", command, "-t", "pw/a", "-m", "x", "-q", "1"]).done;
    expect(first).toMatchObject({ code: 0, stderr: "" });
    await rotate("second-91bc");
    const second = await mote(["pub", "-h", "127.0.0.1", "-p", port(), "-u", "dev", "--password-command", command, "-t", "pw/a", "-m", "y", "-q", "1"]).done;
    expect(second).toMatchObject({ code: 0, stderr: "" });
  }, 30_000);

  it("sub runs the command again at every reconnect: after a rotation and a broker restart it logs in and receives", async () => {
    await rotate("third-c02d");
    const sub = mote(["sub", "-h", "127.0.0.1", "-p", port(), "-u", "dev", "--password-command", command, "-i", "pw-sub", "-t", "pw/b",
      "-q", "1", "-C", "2", "-d"], { timeoutMs: 30_000 });
    await waitFor(() => (sub.stdout + sub.stderr).includes("SUBACK"), "the first SUBACK", 10_000);
    expect((await mosquittoPub(["-p", port(), "-u", "admin", "-P", "admin-pw", "-t", "pw/b", "-m", "one", "-q", "1"]).done).code).toBe(0);
    await waitFor(() => sub.stdout.includes("one"), "the first message", 10_000);
    await rotate("fourth-5e61");
    await mosquitto.restart();
    await waitFor(() => (sub.stdout + sub.stderr).split("SUBACK").length > 2, "a SUBACK on the new connection", 15_000);
    expect((await mosquittoPub(["-p", port(), "-u", "admin", "-P", "admin-pw", "-t", "pw/b", "-m", "two", "-q", "1"]).done).code).toBe(0);
    const r = await sub.done;
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).filter((l) => l === "one" || l === "two")).toEqual(["one", "two"]);
    for (const pw of ["third-c02d", "fourth-5e61"]) expect(r.stdout + r.stderr).not.toContain(pw);
  }, 40_000);

  it("a command that fails is one line naming its exit status, exit 1, and no hang", async () => {
    const r = await mote(["pub", "-h", "127.0.0.1", "-p", port(), "-u", "dev", "--password-command", "echo oops >&2; exit 3", "-t", "pw/a", "-m", "x"]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("oops\nmote pub: credentials: --password-command failed (exit status 3)\n");
  }, 20_000);

  it("-P and --password-command together are a usage error", async () => {
    const r = await mote(["pub", "-u", "dev", "-P", "x", "--password-command", command, "-t", "pw/a", "-m", "x"]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mote pub: give -P (or a password in -L) or --password-command, not both (see mote pub --help)\n");
  });
});
