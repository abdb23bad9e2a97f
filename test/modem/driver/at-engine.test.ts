// The AT engine's own rule that a reply is bounded: a command gets at most the info lines a
// command can produce, and a read reply at most the bytes the command asked for. Over either,
// the command settles as an "overflow" failure naming the command and the offending reply, and
// the excess is never kept nor passed on as socket data. No pty: bytes go straight into feed().
import { describe, expect, it } from "vitest";
import { AtEngine, type AtFailure, type AtResult, type Exchange, type Reply } from "../../../host/modem/at-engine.ts";
import { INFO_LINES_MAX } from "../../../host/modem/budget.ts";
import { BG96 } from "../../../host/modem/dialects/bg96.ts";
import { ESP_AT } from "../../../host/modem/dialects/esp-at.ts";
import type { Dialect } from "../../../host/modem/dialect.ts";
import { within } from "../../device/helpers.ts";

function engine(dialect: Dialect = BG96) {
  const seen = { data: [] as Buffer[], unexpected: [] as string[], written: [] as string[] };
  const e = new AtEngine(dialect, {
    write: (b) => seen.written.push(b.toString("latin1")),
    urc: () => {},
    data: (b) => seen.data.push(Buffer.from(b)),
    garbage: () => {},
    unexpected: (l) => seen.unexpected.push(l),
  });
  const feed = (...parts: Array<string | Buffer>) => e.feed(Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p))));
  return { e, seen, feed };
}

/** The command's failure (the test fails if it succeeded or never settled). */
async function failed(p: Promise<AtResult>): Promise<AtFailure> {
  const r = await within(p, 1000, "the command to settle");
  if ("ok" in r) throw new Error(`expected a failure, got ${JSON.stringify(r.ok.final)}`);
  return r;
}

/** The command's reply (the test fails if it failed). */
async function succeeded(p: Promise<AtResult>): Promise<Reply> {
  const r = await within(p, 1000, "the command to settle");
  if (!("ok" in r)) throw new Error(`expected a reply, got ${r.message}`);
  return r.ok;
}

const ex = (cmd: string, more: Partial<Exchange> = {}): Exchange => ({ cmd, timeoutMs: 2000, ok: BG96.ok, fail: BG96.fail, ...more });

describe("AT engine: replies are bounded", () => {
  it(`the info line after ${INFO_LINES_MAX} fails the command (overflow, naming it); the flood after it is not kept`, async () => {
    const { e, seen, feed } = engine();
    const p = e.run(ex("AT+QIACT=1"));
    let flood = "";
    for (let i = 1; i <= 20_000; i++) flood += `\r\n+FLOOD: ${i}\r\n`;
    feed(flood, "\r\nOK\r\n");
    const err = await failed(p);
    expect(err.failure).toBe("overflow");
    expect(err.cmd).toBe("AT+QIACT=1");
    expect(err.reply).toBe(`+FLOOD: ${INFO_LINES_MAX + 1}`);
    expect(err.message).toBe(`AT+QIACT=1 answered more than ${INFO_LINES_MAX} info lines: "+FLOOD: ${INFO_LINES_MAX + 1}"`);
    expect(e.busy).toBe(false);
    expect(seen.unexpected.length).toBe(20_000 - (INFO_LINES_MAX + 1) + 1); // the lines after the offending one, and the OK: nobody's
  });

  it("an exchange may declare its own line budget (maxLines)", async () => {
    const { e, feed } = engine();
    const p = e.run(ex("AT+LIST", { maxLines: 2 }));
    feed("\r\na\r\n\r\nb\r\n\r\nc\r\n\r\nOK\r\n");
    const err = await failed(p);
    expect(err.failure).toBe("overflow");
    expect(err.reply).toBe("c");
    const q = e.run(ex("AT+LIST", { maxLines: 3 }));
    feed("\r\na\r\n\r\nb\r\n\r\nc\r\n\r\nOK\r\n");
    expect((await succeeded(q)).lines).toEqual(["a", "b", "c"]);
  });

  it("a long offending line is quoted short in the message", async () => {
    const { e, feed } = engine();
    const p = e.run(ex("AT", { maxLines: 0 }));
    feed(`\r\n${"x".repeat(900)}\r\n`);
    const err = await failed(p);
    expect(err.failure).toBe("overflow");
    expect(err.message).toBe(`AT answered more than 0 info lines: "${"x".repeat(64)}..."`);
  });

  it("a read reply announcing more bytes than asked fails the read at its header; the bytes are dropped, never data", async () => {
    const { e, seen, feed } = engine();
    const p = e.run(ex("AT+QIRD=0,10", { maxDataBytes: 10 }));
    const body = Buffer.alloc(50_000, 0x41);
    feed("\r\n+QIRD: 50000\r\n", body, "\r\n\r\nOK\r\n");
    const err = await failed(p);
    expect(err.failure).toBe("overflow");
    expect(err.reply).toBe("+QIRD: 50000");
    expect(err.message).toBe('AT+QIRD=0,10 answered more bytes than asked: "+QIRD: 50000" makes 50000, at most 10');
    expect(seen.data).toEqual([]);
    expect(e.droppedBytes).toBe(50_000);
    expect(seen.unexpected).toEqual(["OK"]);
    // The engine is free for the next command.
    const q = e.run(ex("AT"));
    feed("\r\nOK\r\n");
    expect((await succeeded(q)).final).toBe("OK");
  });

  it("read replies add up: a second header of 10 bytes for a read of 10 fails it (ESP +CIPRECVDATA)", async () => {
    const { e, seen, feed } = engine(ESP_AT);
    const p = e.run({ ...ex("AT+CIPRECVDATA=10", { maxDataBytes: 10 }), ok: ESP_AT.ok, fail: ESP_AT.fail });
    let reply = "";
    for (let i = 0; i < 1000; i++) reply += "+CIPRECVDATA:10,0123456789";
    feed(reply, "\r\nOK\r\n");
    const err = await failed(p);
    expect(err.failure).toBe("overflow");
    expect(err.message).toBe('AT+CIPRECVDATA=10 answered more bytes than asked: "+CIPRECVDATA:10" makes 20, at most 10');
    expect(seen.data).toEqual([]);
  });

  it("a read reply of exactly the bytes asked is taken; a command that asked for none takes no read reply", async () => {
    const { e, feed } = engine();
    const p = e.run(ex("AT+QIRD=0,10", { maxDataBytes: 10 }));
    feed("\r\n+QIRD: 10\r\n0123456789\r\n\r\nOK\r\n");
    const r = await succeeded(p);
    expect(Buffer.concat(r.data).toString()).toBe("0123456789");
    const q = e.run(ex("AT+QIACT?"));
    feed("\r\n+QIRD: 3\r\nabc\r\n\r\nOK\r\n");
    const err = await failed(q);
    expect(err.failure).toBe("overflow");
    expect(err.message).toBe('AT+QIACT? answered more bytes than asked: "+QIRD: 3" makes 3, at most 0');
  });
});
