// The modem driver and ModemTransport over a real pty pair (socat) against a scripted fake
// modem, for each dialect: sync through noise and a reboot banner, open, chunked sends,
// byte-exact pull-mode reads with URCs at the worst moments, remote close, reboot while
// online, an unplugged port, a silent modem, and the byte accounting.
import { afterEach, describe, expect, it } from "vitest";
import { ESP_AT } from "../../../host/modem/dialects/esp-at.ts";
import { BG96 } from "../../../host/modem/dialects/bg96.ts";
import { SIMCOM } from "../../../host/modem/dialects/simcom.ts";
import { closeRigs, closedWith, connected, nastyBytes, rig, waitFor, watch, within } from "./harness.ts";

afterEach(closeRigs);

const DIALECTS = [
  { name: "esp-at", d: ESP_AT, banner: "ready", sendCmd: /^AT\+CIPSEND=(\d+)$/, readCmd: /^AT\+CIPRECVDATA=(\d+)$/ },
  { name: "bg96", d: BG96, banner: "RDY", sendCmd: /^AT\+QISEND=0,(\d+)$/, readCmd: /^AT\+QIRD=0,(\d+)$/ },
  { name: "simcom", d: SIMCOM, banner: "RDY", sendCmd: /^AT\+CIPSEND=(\d+)$/, readCmd: /^AT\+CIPRXGET=2,(\d+)$/ },
] as const;

const sizes = (cmds: string[], re: RegExp) => cmds.flatMap((c) => (re.exec(c) ? [Number(re.exec(c)![1])] : []));

describe.each(DIALECTS)("$name", ({ name, d, banner, sendCmd, readCmd }) => {
  it("syncs through noise and a reboot banner (AT until OK, echo off), then opens the socket", async () => {
    const { w, m, t } = await rig(name);
    let ats = 0;
    w.override = (cmd) => {
      if (cmd !== "AT") return false;
      ats++;
      if (ats === 1) m.say(Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0d, 0x0a])); // wrong-baud noise, no OK
      if (ats === 2) m.line(banner); // the modem restarts instead of answering
      return ats <= 2;
    };
    const s = t.open();
    expect(s.connecting).toBe(true);
    await connected(s, 8000);
    expect(s.connecting).toBe(false);
    expect(t.driver.state).toBe("ONLINE");
    expect(ats).toBeGreaterThanOrEqual(3);
    const afterSync = m.commands.slice(m.commands.lastIndexOf("AT") + 1);
    expect(afterSync[0]).toBe("ATE0");
    for (const st of d.sync) expect(afterSync).toContain(st.cmd);
    expect(afterSync.some((c) => /CIPSTART|QIOPEN/.test(c))).toBe(true);
  });

  it(`sends in chunks of at most ${d.send.maxBytes} bytes, one send in flight, byte-exact`, async () => {
    const { w, m, t } = await rig(name);
    const s = t.open();
    await connected(s);
    const data = nastyBytes(5000);
    await within(new Promise<void>((resolve, reject) => s.write(data, (e) => (e ? reject(e) : resolve()))), 5000, "the write callback");
    expect(w.sentBytes.equals(data)).toBe(true);
    const max = d.send.maxBytes;
    const expected = [...Array(Math.floor(5000 / max)).fill(max), 5000 % max].filter((n) => n > 0);
    expect(sizes(m.commands, sendCmd)).toEqual(expected);
    expect(w.sent.map((b) => b.length)).toEqual(expected);
  });

  it("reads in pull mode, byte-exact, with URCs between prompt and data, inside replies and mid-read", async () => {
    const { w, m, t } = await rig(name);
    const s = t.open();
    const got = watch(s);
    await connected(s);
    w.chaos = true;
    const bursts = [nastyBytes(3100), nastyBytes(700), nastyBytes(1)];
    w.midRead.push(nastyBytes(300), nastyBytes(2200));
    const expected = Buffer.concat([...bursts, ...w.midRead]);
    const upload = nastyBytes(4000);
    const wrote = new Promise<void>((resolve) => s.write(upload, () => resolve()));
    for (const b of bursts) w.serverSends(b);
    await waitFor(() => got.length() >= expected.length, 8000, "all server bytes");
    await within(wrote, 5000, "the upload");
    expect(got.bytes().equals(expected)).toBe(true);
    expect(w.sentBytes.equals(upload)).toBe(true);
    const asks = sizes(m.commands, readCmd);
    expect(Math.max(...asks)).toBe(d.read.maxBytes);
    expect(got.state.error).toBeUndefined();
    expect(t.driver.state).toBe("ONLINE");
    expect(w.injected.beforeReply).toBeGreaterThan(0);
    expect(w.injected.afterPrompt).toBeGreaterThan(0);
    expect(w.injected.midRead).toBe(2);
  });

  it("reads at most the room the caller has (rxSpace)", async () => {
    const { w, m, t } = await rig(name, { rxSpace: () => 700 });
    const s = t.open();
    const got = watch(s);
    await connected(s);
    const data = nastyBytes(2500);
    w.serverSends(data);
    await waitFor(() => got.length() >= data.length, 5000, "the server bytes");
    expect(got.bytes().equals(data)).toBe(true);
    const asks = sizes(m.commands, readCmd);
    expect(asks.length).toBeGreaterThanOrEqual(4);
    expect(asks.every((n) => n === 700)).toBe(true);
  });

  it("a server close delivers what still waits in the modem, then ends with 'socket closed by the server'", async () => {
    const { w, m, t } = await rig(name);
    const s = t.open();
    const got = watch(s);
    await connected(s);
    const data = nastyBytes(2000);
    w.serverSends(data);
    w.serverCloses();
    const err = await closedWith(s);
    expect(err?.message).toBe("modem: socket closed by the server");
    expect(got.bytes().equals(data)).toBe(true);
    if (d.closeAfterRemoteClose) expect(m.commands.at(-1)).toBe(d.close.cmd);
    expect(t.driver.state).toBe("READY");
    // The next connection opens without a resync.
    const before = m.commands.length;
    const s2 = t.open();
    await connected(s2);
    expect(m.commands.slice(before).filter((c) => c === "AT" || c === "ATE0")).toEqual([]);
  });

  it("a local end() closes the modem's socket and the stream without an error", async () => {
    const { m, t } = await rig(name);
    const s = t.open();
    await connected(s);
    s.end();
    expect(await closedWith(s)).toBeUndefined();
    expect(m.commands.at(-1)).toBe(d.close.cmd);
  });

  it(`a reboot banner (${banner}) while online ends the connection, and the next one resyncs`, async () => {
    const { w, m, t } = await rig(name);
    const s = t.open();
    await connected(s);
    w.socketOpen = false;
    m.line(banner);
    const err = await closedWith(s);
    expect(err?.message).toBe(`modem: the modem restarted (${banner})`);
    const before = m.commands.length;
    const s2 = t.open();
    await connected(s2);
    const again = m.commands.slice(before);
    expect(again[0]).toBe("AT");
    expect(again).toContain("ATE0");
  });

  it("an unplugged port (socat killed) closes the socket with a clear error, and reopening says why it cannot", async () => {
    const { pty, t } = await rig(name, { timing: { idleProbeMs: 200 } });
    const s = t.open();
    await connected(s);
    await pty.kill();
    const err = await closedWith(s, 4000);
    expect(err?.message).toMatch(/^modem: (serial port \S+ closed|write to \S+ failed: .*)\s*\(unplugged\?\)$/);
    expect(t.driver.state).toBe("PORT_CLOSED");
    const again = t.open();
    const err2 = await closedWith(again, 4000);
    expect(err2?.message).toMatch(/^modem: cannot open serial port \S+: /);
  });

  it("a modem that never answers: 'no reply to AT on <port> at <baud> baud'", async () => {
    const { w, t, pty } = await rig(name, { timing: { syncAttempts: 3, syncReplyMs: 100 } });
    w.override = () => true;
    const s = t.open();
    const err = await closedWith(s, 5000);
    expect(err?.message).toBe(`modem: no reply to AT on ${pty.a} at 115200 baud`);
  });

  it("unreadable bytes while online end the connection and resync", async () => {
    const { m, t } = await rig(name);
    const s = t.open();
    await connected(s);
    m.say(Buffer.from([0x0d, 0x0a, 0xff, 0x00, 0xfe, 0x0d, 0x0a]));
    const err = await closedWith(s);
    expect(err?.message).toMatch(/^modem: unreadable reply from the modem .*; resynchronising$/);
    expect(t.driver.state).toBe("SYNC");
  });

  it("a command without a reply times out, ends the connection and resyncs", async () => {
    const { w, m, t } = await rig(name, { dialect: { ...d, send: { ...d.send, timeoutMs: 400 } } });
    const s = t.open();
    await connected(s);
    w.override = (cmd) => sendCmd.test(cmd); // swallow the send command
    s.write(Buffer.from("hello"));
    const err = await closedWith(s);
    expect(err?.message).toMatch(/^modem: no reply to AT\+(CIPSEND=5|QISEND=0,5) within \d+ ms$/);
    w.override = undefined;
    const s2 = t.open();
    await connected(s2);
    expect(m.commands).toContain(d.close.cmd); // the stale socket was closed before the new open
  });

  it("noise between a send command and its prompt: the modem's data phase is completed, so the resync gets through", async () => {
    const { w, t } = await rig(name);
    const s = t.open();
    await connected(s);
    let owed: Buffer | undefined;
    w.override = (cmd, mm) => {
      const r = sendCmd.exec(cmd);
      if (!r || owed) return false;
      mm.say("\r\n\xff\xfe\x01\r\n> "); // noise, then the prompt: the modem now waits for n bytes
      mm.expectData(Number(r[1]), (b) => {
        owed = b;
        mm.line("SEND OK");
      });
      return true;
    };
    s.write(nastyBytes(300));
    const err = await closedWith(s);
    expect(err?.message).toMatch(/^modem: unreadable reply from the modem/);
    await waitFor(() => owed !== undefined, 2000, "the data phase to be completed");
    expect(owed!.equals(Buffer.alloc(300))).toBe(true); // zeros: no broker takes them for MQTT
    expect(w.sentBytes.length).toBe(0);
    await connected(t.open());
  });

  it("counts payload, AT overhead and serial bytes each way, and their time on the wire", async () => {
    const { w, m, t } = await rig(name);
    const s = t.open();
    const got = watch(s);
    await connected(s);
    const up = nastyBytes(3000);
    const down = nastyBytes(2000);
    await new Promise<void>((resolve) => s.write(up, () => resolve()));
    w.serverSends(down);
    await waitFor(() => got.length() >= down.length, 5000, "the download");
    s.end();
    await closedWith(s);
    await waitFor(() => m.arrivals.reduce((n, a) => n + a.bytes.length, 0) === t.wireBytes().sent, 2000, "the last bytes");
    const st = t.stats();
    const serialIn = m.arrivals.reduce((n, a) => n + a.bytes.length, 0);
    expect(st.sent).toEqual({ payload: 3000, serial: serialIn, overhead: serialIn - 3000, wireMs: (serialIn * 10_000) / 115200 });
    expect(st.received.payload).toBe(2000);
    expect(st.received.serial).toBe(m.written);
    expect(st.received.overhead).toBe(m.written - 2000);
    expect(st.sent.overhead).toBeGreaterThan(0);
    expect(t.wireBytes()).toEqual({ sent: st.sent.serial, received: st.received.serial });
  });
});
