// A modem that answers more than asked is a modem error, not data (issue 9, item 6). Over a
// real pty against the scripted fake modem: a read reply announcing more bytes than the read
// asked for, read replies adding up to more, and a flood of info lines during one command each
// end the command with a modem error naming the reply; nothing of it reaches the socket, and
// the next connection resyncs and opens.
import { afterEach, describe, expect, it } from "vitest";
import { INFO_LINES_MAX } from "../../../host/modem/budget.ts";
import { closeRigs, connected, rig, waitFor, watch, type DialectName } from "./harness.ts";
import { rejection } from "../../device/helpers.ts";

afterEach(closeRigs);

interface ReadForm {
  name: DialectName;
  readCmd: RegExp;
  /** The header announcing n bytes as the modem prints it, and as the driver names it. */
  header(n: number): { wire: string; text: string };
  trailer: string;
}

const FORMS: ReadForm[] = [
  { name: "esp-at", readCmd: /^AT\+CIPRECVDATA=(\d+)$/, header: (n) => ({ wire: `+CIPRECVDATA:${n},`, text: `+CIPRECVDATA:${n}` }), trailer: "\r\nOK\r\n" },
  { name: "bg96", readCmd: /^AT\+QIRD=0,(\d+)$/, header: (n) => ({ wire: `\r\n+QIRD: ${n}\r\n`, text: `+QIRD: ${n}` }), trailer: "\r\n\r\nOK\r\n" },
  { name: "simcom", readCmd: /^AT\+CIPRXGET=2,(\d+)$/, header: (n) => ({ wire: `\r\n+CIPRXGET: 2,${n},0\r\n`, text: `+CIPRXGET: 2,${n},0` }), trailer: "\r\nOK\r\n" },
];

/** A rig whose reads ask for 10 bytes, online, with server data waiting and `answer` replying to the read. */
async function readingRig(f: ReadForm, answer: (n: number) => Array<string | Buffer>) {
  const r = await rig(f.name, { rxSpace: () => 10 });
  const s = r.t.open();
  const got = watch(s);
  await connected(s);
  let readCmd = "";
  r.w.override = (cmd, mm) => {
    const m = f.readCmd.exec(cmd);
    if (!m || readCmd) return false;
    readCmd = cmd;
    mm.say(...answer(Number(m[1])));
    return true;
  };
  r.w.serverSends(Buffer.from("more than ten bytes wait in the modem"));
  await waitFor(() => got.state.closed || got.length() > 0, 5000, "the read to end");
  return { ...r, got, readCmd };
}

/** After a fault: once the modem has said everything, the next connection resyncs and opens. */
async function reconnects(r: Awaited<ReturnType<typeof rig>>): Promise<void> {
  r.w.override = undefined;
  await waitFor(() => r.t.wireBytes().received === r.m.written, 5000, "the rest of the reply");
  const before = r.m.commands.length;
  await connected(r.t.open(), 8000);
  expect(r.m.commands[before]).toBe("AT");
}

describe.each(FORMS)("$name", (f) => {
  it("a read reply announcing more bytes than asked (5000 for 10) ends the connection with a modem error naming it; none of it is delivered", async () => {
    const h = f.header(5000);
    const r = await readingRig(f, () => [h.wire, Buffer.alloc(5000, 0x5a), f.trailer]);
    expect(r.readCmd).toMatch(f.readCmd);
    expect(r.got.length()).toBe(0);
    expect(r.got.state.closed).toBe(true);
    expect(r.got.state.error?.message).toBe(`modem: ${r.readCmd} answered more bytes than asked: "${h.text}" makes 5000, at most 10`);
    expect(r.t.driver.state).toBe("SYNC");
    expect(r.t.stats().received.payload).toBe(0);
    await reconnects(r);
  });

  it("read replies adding up to more than asked (1000 headers of 10 bytes for 10) end the connection the same way", async () => {
    const h = f.header(10);
    const r = await readingRig(f, () => [...Array.from({ length: 1000 }, () => [h.wire, "0123456789"]).flat(), f.trailer]);
    expect(r.got.length()).toBe(0);
    expect(r.got.state.error?.message).toBe(`modem: ${r.readCmd} answered more bytes than asked: "${h.text}" makes 20, at most 10`);
    await reconnects(r);
  });
});

describe("bg96", () => {
  it("20,000 info lines during AT+QIACT=1 end the command with a modem error naming the line past the budget", async () => {
    const r = await rig("bg96");
    r.w.override = (cmd, mm) => {
      if (cmd !== "AT+QIACT=1") return false;
      r.w.bearerUp = true;
      let flood = "";
      for (let i = 1; i <= 20_000; i++) flood += `\r\n+CGEV: ME PDN ACT ${i}\r\n`;
      mm.say(flood, "\r\nOK\r\n");
      return true;
    };
    const err = await rejection(connected(r.t.open(), 8000), 10_000, "the open to end");
    expect(err?.message).toBe(`modem: AT+QIACT=1 answered more than ${INFO_LINES_MAX} info lines: "+CGEV: ME PDN ACT ${INFO_LINES_MAX + 1}"`);
    expect(r.t.driver.unexpected.length).toBeLessThanOrEqual(20);
    await reconnects(r);
  });
});
