// mote's mosquitto flags against mosquitto_pub / mosquitto_sub on the same broker: exit statuses
// (-W timing out: 27; a refused CONNACK: its code), -R, -T, --retained-only, --remove-retained,
// -U, -E, -I, --unix, -M, -A, and -d's packet lines. Each case runs both clients and compares.
import { mkdtempSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broker, killAll, mosquittoPub, mosquittoSub, mote, Proc, type Broker } from "./helpers.ts";

let b: Broker;
let auth: Broker;
let port: string;
const sockDir = mkdtempSync(join(tmpdir(), "mote-unix-"));
chmodSync(sockDir, 0o777);
const sock = join(sockDir, "mosquitto.sock");

beforeAll(async () => {
  [b, auth] = await Promise.all([broker({ extraConfig: [`listener 0 ${sock}`] }), broker({ users: { alice: "secret" } })]);
  port = String(b.port);
});

afterAll(async () => {
  killAll();
  await Promise.all([b?.stop(), auth?.stop()]);
});

const publish = async (...args: string[]) => {
  const r = await mosquittoPub(["-p", port, ...args]).done;
  expect(r.code).toBe(0);
};

/** Runs mosquitto_sub and mote sub with the same arguments; `send` runs once both subscribed (when `ids` are given). */
async function both(name: string, args: string[], send: () => Promise<void> = async () => {}) {
  const theirs = mosquittoSub(["-p", port, "-i", `${name}-mosq`, ...args]);
  const ours = mote(["sub", "-p", port, "-i", `${name}-mote`, ...args]);
  await Promise.all([b.subscribed(`${name}-mosq`), b.subscribed(`${name}-mote`)]);
  await send();
  const [t, o] = await Promise.all([theirs.done, ours.done]);
  return { t, o };
}

describe("exit statuses as mosquitto's", () => {
  it("-W timing out exits 27, whether or not a message arrived; -C reached first exits 0", async () => {
    // A retained message arrives with the SUBACK: mosquitto_sub's -W clock starts before mote's has connected.
    await publish("-t", "flags/w", "-m", "x", "-r");
    const { t, o } = await both("w-some", ["-t", "flags/w", "-W", "2"]);
    await publish("-t", "flags/w", "-n", "-r");
    expect([t.code, o.code]).toEqual([27, 27]);
    expect(o.stdout).toBe(t.stdout);
    expect(o.stderr).toBe("mote sub: timed out after 2 s\n");
    const quiet = await Promise.all([mosquittoSub(["-p", port, "-t", "flags/none", "-W", "1", "--quiet"]).done,
      mote(["sub", "-p", port, "-t", "flags/none", "-W", "1", "--quiet"]).done]);
    expect(quiet.map((r) => [r.code, r.stderr])).toEqual([[27, ""], [27, ""]]);
    const counted = await both("w-count", ["-t", "flags/wc", "-W", "5", "-C", "1"], () => publish("-t", "flags/wc", "-m", "x"));
    expect([counted.t.code, counted.o.code]).toEqual([0, 0]);
  });

  it("a refused CONNACK exits with its code: 3.1.1's return code, 5.0's reason code, for pub and sub", async () => {
    const p = String(auth.port);
    for (const v of ["311", "5"]) {
      for (const login of [["-u", "alice", "-P", "wrong"], []]) {
        const cases = [["sub", "-t", "a"], ["pub", "-t", "a", "-m", "x"]];
        for (const [cmd, ...rest] of cases) {
          const args = ["-p", p, "-V", v, ...login, ...rest];
          const tool = cmd === "sub" ? "mosquitto_sub" : "mosquitto_pub";
          const t = await new Proc(tool, ["-h", "127.0.0.1", ...args], { timeoutMs: 5000 }).done;
          const o = await mote([cmd, ...args], { timeoutMs: 10_000 }).done;
          expect(t.code).toBe(v === "5" ? 135 : 5); // mosquitto answers a wrong password with "not authorised" too
          expect(o.code).toBe(t.code);
          expect(o.stderr).toMatch(/connection refused/);
        }
      }
    }
  }, 60_000);
});

describe("what mote sub prints, as mosquitto_sub", () => {
  it("-R skips retained messages; --retained-only prints only them and ends at the first live one", async () => {
    await publish("-t", "flags/r/kept", "-m", "old", "-r", "-q", "1");
    const r = await both("r", ["-t", "flags/r/#", "-v", "-R", "-C", "1"], () => publish("-t", "flags/r/live", "-m", "new"));
    expect(r.o).toMatchObject({ code: 0, stdout: "flags/r/live new\n" });
    expect(r.o.stdout).toBe(r.t.stdout);
    const only = await both("ro", ["-t", "flags/r/#", "-v", "--retained-only"], () => publish("-t", "flags/r/live", "-m", "new"));
    expect(only.o).toMatchObject({ code: 0, stdout: "flags/r/kept old\n" });
    expect(only.o.stdout).toBe(only.t.stdout);
    expect(only.t.code).toBe(0);
    const clash = await Promise.all([mosquittoSub(["-p", port, "-t", "a", "-R", "--retained-only"]).done,
      mote(["sub", "-p", port, "-t", "a", "-R", "--retained-only"]).done]);
    expect(clash.map((x) => x.code)).toEqual([1, 2]); // mote's usage errors exit 2
    await publish("-t", "flags/r/kept", "-r", "-n");
  });

  it("-T filters topics out; --remove-retained clears what it saw retained, except what -T spares", async () => {
    await publish("-t", "flags/rm/a", "-m", "A", "-r", "-q", "1");
    await publish("-t", "flags/rm/keep/b", "-m", "B", "-r", "-q", "1");
    const t = await both("t", ["-t", "flags/rm/#", "-v", "-T", "flags/rm/keep/#", "-C", "2"], () => publish("-t", "flags/rm/c", "-m", "C"));
    expect(t.o).toMatchObject({ code: 0, stdout: "flags/rm/a A\nflags/rm/c C\n" });
    expect(t.o.stdout).toBe(t.t.stdout);
    // Each clears flags/rm/a and not flags/rm/keep/b, and prints its own clearing publish coming back (no no-local in 3.1.1).
    const outputs: string[] = [];
    for (const run of [(a: string[]) => mote(["sub", "-h", "127.0.0.1", ...a]), mosquittoSub]) {
      await publish("-t", "flags/rm/a", "-m", "A", "-r", "-q", "1");
      const r = await run(["-p", port, "-t", "flags/rm/#", "-v", "-T", "flags/rm/keep/#", "--remove-retained", "-W", "2"]).done;
      expect(r.code).toBe(27);
      outputs.push(r.stdout);
      const left = await mosquittoSub(["-p", port, "-t", "flags/rm/#", "-v", "--retained-only", "-W", "1"]).done;
      expect(left.stdout).toBe("flags/rm/keep/b B\n");
    }
    expect(outputs[0]).toBe("flags/rm/a A\nflags/rm/a (null)\n");
    expect(outputs[0]).toBe(outputs[1]);
    await publish("-t", "flags/rm/keep/b", "-r", "-n");
  });

  it("-E exits 0 once subscribed; -U ends a stored subscription of a -c session; -I names the client prefix+pid", async () => {
    const e = await Promise.all([mosquittoSub(["-p", port, "-t", "flags/e", "-E"]).done, mote(["sub", "-p", port, "-t", "flags/e", "-E"]).done]);
    expect(e.map((r) => [r.code, r.stdout])).toEqual([[0, ""], [0, ""]]);
    // A session subscribed to flags/u/#, then -U removes it: a message sent meanwhile is not kept for the session.
    for (const [name, run] of [["u-mosq", mosquittoSub], ["u-mote", (a: string[]) => mote(["sub", "-h", "127.0.0.1", ...a])]] as const) {
      expect((await run(["-p", port, "-i", name, "-c", "-q", "1", "-t", "flags/u/#", "-E"]).done).code).toBe(0);
      expect((await run(["-p", port, "-i", name, "-c", "-q", "1", "-t", "flags/u/other", "-U", "flags/u/#", "-E"]).done).code).toBe(0);
    }
    await b.waitLog("Received UNSUBSCRIBE from u-mote\n");
    await publish("-t", "flags/u/x", "-m", "lost", "-q", "1");
    const after = await both("u", ["-c", "-q", "1", "-t", "flags/u/#", "-W", "1"]);
    expect([after.t.stdout, after.o.stdout]).toEqual(["", ""]);
    const i = mote(["sub", "-p", port, "-I", "pre-", "-t", "flags/i", "-E"]);
    expect((await i.done).code).toBe(0);
    expect(b.log()).toContain(`Sending SUBACK to pre-${i.child.pid}\n`);
  });
});

describe("the connection flags", () => {
  it("--unix connects through the broker's Unix socket, as mosquitto_sub --unix", async () => {
    const theirs = new Proc("mosquitto_sub", ["--unix", sock, "-i", "unix-mosq", "-t", "flags/unix", "-C", "1"]);
    const ours = mote(["sub", "--unix", sock, "-i", "unix-mote", "-t", "flags/unix", "-C", "1"]);
    await Promise.all([b.subscribed("unix-mosq"), b.subscribed("unix-mote")]);
    expect((await mote(["pub", "--unix", sock, "-t", "flags/unix", "-m", "via socket"]).done).code).toBe(0);
    const [t, o] = await Promise.all([theirs.done, ours.done]);
    expect(o).toMatchObject({ code: 0, stdout: "via socket\n" });
    expect(o.stdout).toBe(t.stdout);
    const missing = await Promise.all([new Proc("mosquitto_sub", ["--unix", join(sockDir, "none"), "-t", "a"]).done,
      mote(["sub", "--unix", join(sockDir, "none"), "-t", "a"]).done]);
    expect(missing.map((r) => r.code)).toEqual([1, 1]);
  });

  it("-A binds the local address; -M caps QoS 1 messages in flight", async () => {
    const a = await Promise.all([mosquittoPub(["-p", port, "-A", "127.0.0.1", "-t", "flags/a", "-m", "x"]).done,
      mote(["pub", "-p", port, "-h", "127.0.0.1", "-A", "127.0.0.1", "-t", "flags/a", "-m", "x"]).done]);
    expect(a.map((r) => r.code)).toEqual([0, 0]);
    const lines = Array.from({ length: 50 }, (_, k) => `m${k}`).join("\n") + "\n";
    const m = await mote(["pub", "-p", port, "-i", "m-cap", "-t", "flags/m", "-l", "-q", "1", "-M", "1"], { input: lines }).done;
    expect(m.code).toBe(0);
    expect(b.count("Received PUBLISH from m-cap")).toBe(50);
  });

  it("-d prints the packets mosquitto's -d prints, in the same order, each with its bytes", async () => {
    const t = await mosquittoPub(["-p", port, "-i", "dbg", "-t", "flags/d", "-m", "hi", "-q", "2", "-d"]).done;
    const o = await mote(["pub", "-p", port, "-i", "dbg", "-t", "flags/d", "-m", "hi", "-q", "2", "-d"]).done;
    const packets = (text: string) => text.split("\n").map((l) => /^Client dbg (sending|received) ([A-Z]+)/.exec(l)?.slice(1, 3).join(" ")).filter(Boolean);
    expect(packets(o.stderr)).toEqual(packets(t.stdout));
    expect(o.stderr).toContain("Client dbg received CONNACK (0)\n    20 02 00 00\n");
    expect(o.stderr).toContain("Client dbg sending PUBLISH (d0, q2, r0, m1, 'flags/d', ... (2 bytes))\n    34 0d 00 07 66 6c 61 67 73 2f 64 00 01 68 69\n");
    expect(o.stdout).toBe("");
  });
});
