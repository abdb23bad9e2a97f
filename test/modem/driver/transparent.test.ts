// Transparent mode (opt-in): after the open (BG96 CONNECT) or the prompt of a length-less send
// (ESP AT+CIPSEND), every byte is data both ways, byte-exact; leaving it takes guard times of
// silence around `+++`; BG96's NO CARRIER ends the stream as a server close.
import { afterEach, describe, expect, it } from "vitest";
import type { FakeModem } from "./fake-modem.ts";
import { closeRigs, closedWith, connected, nastyBytes, rig, waitFor, watch } from "./harness.ts";

afterEach(closeRigs);

const GUARD = 100; // FAST.guardMs

/** Puts the fake modem in passthrough; `+++` alone returns it to command mode (BG96 says OK a little later). */
function passthrough(m: FakeModem, okAfterEscape: boolean) {
  const data: Buffer[] = [];
  const escapes: number[] = [];
  m.passthrough((b) => {
    if (b.toString("latin1") === "+++") {
      escapes.push(Date.now());
      m.passthrough(undefined);
      if (okAfterEscape) setTimeout(() => m.line("OK"), GUARD / 2);
      return;
    }
    data.push(Buffer.from(b));
  });
  return { data, escapes, bytes: () => Buffer.concat(data) };
}

const DIALECTS = [
  {
    name: "bg96" as const,
    open: /^AT\+QIOPEN=1,0,"TCP","127\.0\.0\.1",1883,0,2$/,
    enter: (m: FakeModem) => {
      m.line("CONNECT");
      return passthrough(m, true);
    },
    close: "AT+QICLOSE=0",
    closedMarker: "\r\nNO CARRIER\r\n",
  },
  {
    name: "simcom" as const,
    open: /^AT\+CIPSTART="TCP","127\.0\.0\.1","1883"$/,
    enter: (m: FakeModem) => {
      m.say("\r\nOK\r\n\r\nCONNECT\r\n");
      return passthrough(m, true);
    },
    close: "AT+CIPCLOSE",
    closedMarker: "\r\nCLOSED\r\n",
  },
  {
    name: "esp-at" as const,
    open: /^AT\+CIPSEND$/,
    enter: (m: FakeModem) => {
      m.say("\r\nOK\r\n\r\n>");
      return passthrough(m, false);
    },
    close: "AT+CIPCLOSE",
    closedMarker: undefined,
  },
];

describe.each(DIALECTS)("$name transparent mode", ({ name, open, enter, close, closedMarker }) => {
  async function online() {
    const r = await rig(name, { transparent: true });
    let link: ReturnType<typeof passthrough> | undefined;
    r.w.override = (cmd, m) => {
      if (!open.test(cmd)) return false;
      link = enter(m);
      return true;
    };
    const writes: Array<{ at: number; text: string }> = [];
    r.t.driver.onTrace = (dir, b) => {
      if (dir === "tx") writes.push({ at: performance.now(), text: b.toString("latin1") });
    };
    const s = r.t.open();
    const got = watch(s);
    await connected(s);
    await waitFor(() => link !== undefined, 2000, "passthrough");
    return { ...r, s, got, writes, link: link! };
  }

  it("carries every byte value both ways, then leaves with guard times around +++ and closes", async () => {
    const { m, t, s, got, link, writes } = await online();
    if (name === "esp-at") expect(m.commands).toContain("AT+CIPMODE=1");
    const up = nastyBytes(3000);
    const down = nastyBytes(3000);
    await new Promise<void>((resolve) => s.write(up, () => resolve()));
    m.say(down);
    await waitFor(() => link.bytes().length >= up.length && got.length() >= down.length, 3000, "both directions");
    expect(link.bytes().equals(up)).toBe(true);
    expect(got.bytes().equals(down)).toBe(true);
    s.end();
    expect(await closedWith(s, 3000)).toBeUndefined();
    expect(m.commands.at(-1)).toBe(close);
    // The escape went alone, with silence before and after it.
    expect(link.escapes).toHaveLength(1);
    const at = writes.findIndex((x) => x.text === "+++");
    expect(at).toBeGreaterThan(0);
    expect(writes[at + 1].text).toBe(`${close}\r`);
    expect(writes[at].at - writes[at - 1].at).toBeGreaterThanOrEqual(GUARD);
    expect(writes[at + 1].at - writes[at].at).toBeGreaterThanOrEqual(GUARD);
    const st = t.stats();
    expect(st.sent.payload).toBe(up.length);
    expect(st.received.payload).toBe(down.length);
  });

  if (closedMarker) {
    it(`${JSON.stringify(closedMarker.trim())} at the end of the stream is a server close; the data before it arrives intact`, async () => {
      const { m, s, got } = await online();
      const down = nastyBytes(1200);
      m.passthrough(undefined);
      m.say(down, closedMarker);
      const err = await closedWith(s, 3000);
      expect(err?.message).toBe("modem: socket closed by the server");
      expect(got.bytes().equals(down)).toBe(true);
      if (name === "bg96") await waitFor(() => m.commands.at(-1) === close, 2000, "the close command Quectel asks for");
    });
  }
});
