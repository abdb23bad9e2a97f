// mote sub prints messages of any size the broker sends, as mosquitto_sub does (issue 9): a
// 20 MiB message, above the Device's 16 MiB reassembly limit, arrives in chunks and must be
// streamed to stdout, not skipped in silence. A real mosquitto, fed by mosquitto_pub -f.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broker, killAll, mosquittoPub, mote, type Broker } from "./helpers.ts";

const BIG_BYTES = 20 * 1024 * 1024;

let b: Broker;
let dir: string;
let bigFile: string;
let big: Buffer;

beforeAll(async () => {
  b = await broker();
  dir = mkdtempSync(join(tmpdir(), "mote-big-"));
  bigFile = join(dir, "big.bin");
  // Printable ASCII with a period that is no power of two, so a lost or repeated chunk shows in the hash.
  big = Buffer.alloc(BIG_BYTES);
  for (let i = 0; i < BIG_BYTES; i++) big[i] = 0x21 + (i % 89);
  writeFileSync(bigFile, big);
});

afterAll(async () => {
  killAll();
  await b?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Length and SHA-256 instead of 20 MiB of text in a failure message. */
const digest = (text: Buffer | string) => ({ bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") });

describe("mote sub and a message larger than the Device reassembles", () => {
  it("prints a 20 MiB message and then a small one, exactly (plain 3.1.1, and -v with 5.0), exit 0", async () => {
    const plain = mote(["sub", "-p", String(b.port), "-i", "big-plain", "-t", "big", "-C", "2"], { timeoutMs: 25_000 });
    const verbose = mote(["sub", "-p", String(b.port), "-i", "big-verbose", "-V", "5", "-t", "big", "-C", "2", "-v"], { timeoutMs: 25_000 });
    await b.subscribed("big-plain");
    await b.subscribed("big-verbose");
    expect((await mosquittoPub(["-p", String(b.port), "-t", "big", "-f", bigFile, "-q", "1"], 20_000).done).code).toBe(0);
    expect((await mosquittoPub(["-p", String(b.port), "-t", "big", "-m", "hello", "-q", "1"]).done).code).toBe(0);
    const [p, v] = await Promise.all([plain.done, verbose.done]);
    for (const [r, expected, label] of [
      [p, Buffer.concat([big, Buffer.from("\nhello\n")]), "plain"],
      [v, Buffer.concat([Buffer.from("big "), big, Buffer.from("\nbig hello\n")]), "-v"],
    ] as const) {
      expect({ code: r.code, timedOut: r.timedOut, stderr: r.stderr }, label).toEqual({ code: 0, timedOut: false, stderr: "" });
      expect({ ...digest(r.stdout), tail: r.stdout.slice(-12) }, label).toEqual({ ...digest(expected), tail: expected.subarray(-12).toString() });
    }
  }, 45_000);
});
