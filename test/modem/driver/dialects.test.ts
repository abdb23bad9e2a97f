// Behaviour one dialect has and the other does not: BG96 bearer loss and re-activation, SEND
// FAIL (buffer full) retried, a failed open; ESP-AT push-mode +IPD in the middle of a send,
// ALREADY CONNECTED, Wi-Fi loss and joining a network; SIMCom bearer loss and CONNECT FAIL.
import { afterEach, describe, expect, it } from "vitest";
import { closeRigs, closedWith, connected, nastyBytes, rig, waitFor, watch, within } from "./harness.ts";

afterEach(closeRigs);

describe("bg96", () => {
  it('bearer loss (+QIURC: "pdpdeact",1) ends the connection with that line; the next open re-activates without a resync', async () => {
    const { w, m, t } = await rig("bg96");
    const s = t.open();
    await connected(s);
    w.bearerUp = false;
    w.socketOpen = false;
    m.line('+QIURC: "pdpdeact",1');
    const err = await closedWith(s);
    expect(err?.message).toBe('modem: bearer lost (+QIURC: "pdpdeact",1)');
    expect(t.driver.state).toBe("BEARER_UP");
    const before = m.commands.length;
    const s2 = t.open();
    await connected(s2);
    const again = m.commands.slice(before);
    expect(again.slice(0, 3)).toEqual(["AT+QIDEACT=1", "AT+QIACT?", "AT+QIACT=1"]);
    expect(again).not.toContain("ATE0");
    expect(again.at(-1)).toMatch(/^AT\+QIOPEN=/);
  });

  it("an active bearer is not activated again (AT+QIACT? says so)", async () => {
    const { w, m, t } = await rig("bg96");
    w.bearerUp = true;
    await connected(t.open());
    expect(m.commands).toContain("AT+QIACT?");
    expect(m.commands).not.toContain("AT+QIACT=1");
  });

  it("SEND FAIL (buffer full) is tried again: the bytes arrive once", async () => {
    const { w, m, t } = await rig("bg96");
    const s = t.open();
    await connected(s);
    let fails = 2;
    w.override = (cmd, mm) => {
      const r = /^AT\+QISEND=0,(\d+)$/.exec(cmd);
      if (!r || fails === 0) return false;
      fails--;
      mm.say("\r\n> ");
      mm.expectData(Number(r[1]), () => mm.line("SEND FAIL"));
      return true;
    };
    const data = nastyBytes(1000);
    await within(new Promise<void>((resolve, reject) => s.write(data, (e) => (e ? reject(e) : resolve()))), 5000, "the write");
    expect(w.sentBytes.equals(data)).toBe(true);
    expect(m.commands.filter((c) => c === "AT+QISEND=0,1000")).toHaveLength(3);
    expect(t.stats().sent.payload).toBe(1000);
  });

  it("a failed open says why (+QIOPEN: 0,566) and closes the modem's socket as Quectel asks", async () => {
    const { w, m, t } = await rig("bg96");
    w.override = (cmd, mm) => {
      if (!cmd.startsWith("AT+QIOPEN=")) return false;
      mm.line("OK");
      setTimeout(() => mm.line("+QIOPEN: 0,566"), 5);
      return true;
    };
    const err = await closedWith(t.open());
    expect(err?.message).toBe("modem: cannot open a TCP connection to 127.0.0.1:1883 (+QIOPEN: 0,566)");
    expect(m.commands.at(-1)).toBe("AT+QICLOSE=0");
    expect(t.driver.state).toBe("READY");
  });

  it("the idle AT probe notices a modem that stopped answering", async () => {
    const { w, t } = await rig("bg96", { timing: { idleProbeMs: 100, syncReplyMs: 100 } });
    const s = t.open();
    await connected(s);
    w.override = () => true; // silent from now on
    const err = await closedWith(s, 3000);
    expect(err?.message).toMatch(/^modem: no reply to AT on \S+ \(idle probe\)$/);
  });
});

describe("esp-at", () => {
  it("push-mode +IPD,n:<data> arriving between the prompt and SEND OK is delivered, byte-exact", async () => {
    const { w, m, t } = await rig("esp-at");
    const s = t.open();
    const got = watch(s);
    await connected(s);
    const pushed = nastyBytes(600);
    w.override = (cmd, mm) => {
      const r = /^AT\+CIPSEND=(\d+)$/.exec(cmd);
      if (!r) return false;
      mm.say("\r\nOK\r\n\r\n> ", `+IPD,${pushed.length}:`, pushed);
      mm.expectData(Number(r[1]), (b) => {
        w.sent.push(b);
        mm.say("\r\nRecv 5 bytes\r\n\r\nSEND OK\r\n");
      });
      return true;
    };
    await new Promise<void>((resolve) => s.write(Buffer.from("hello"), () => resolve()));
    await waitFor(() => got.length() >= pushed.length, 3000, "the pushed bytes");
    expect(got.bytes().equals(pushed)).toBe(true);
    expect(w.sentBytes.toString()).toBe("hello");
    expect(m.commands.filter((c) => c.startsWith("AT+CIPRECVDATA"))).toEqual([]);
  });

  it('"busy p..." (still at something else): the command is tried again', async () => {
    const { w, m, t } = await rig("esp-at");
    let busy = 2;
    w.override = (cmd, mm) => {
      if (cmd !== "AT+CIPRECVMODE=1" || busy === 0) return false;
      busy--;
      mm.line("busy p...");
      return true;
    };
    await connected(t.open());
    expect(m.commands.filter((c) => c === "AT+CIPRECVMODE=1")).toHaveLength(3);
  });

  it("ALREADY CONNECTED (a socket left open): close it and open again", async () => {
    const { w, m, t } = await rig("esp-at");
    w.socketOpen = true;
    await connected(t.open());
    const opens = m.commands.filter((c) => c.startsWith("AT+CIPSTART="));
    expect(opens).toHaveLength(2);
    expect(m.commands[m.commands.indexOf(opens[0]) + 1]).toBe("AT+CIPCLOSE");
  });

  it("WIFI DISCONNECT is a bearer loss; with an SSID the driver joins the network again", async () => {
    const { w, m, t } = await rig("esp-at", { ssid: "lab", password: "secret" });
    const s = t.open();
    await connected(s);
    expect(m.commands).toContain('AT+CWJAP="lab","secret"');
    w.socketOpen = false;
    m.say("WIFI DISCONNECT\r\n");
    const err = await closedWith(s);
    expect(err?.message).toBe("modem: bearer lost (WIFI DISCONNECT)");
    const before = m.commands.length;
    await connected(t.open());
    const again = m.commands.slice(before);
    expect(again.slice(0, 2)).toEqual(["AT+CWMODE=1", 'AT+CWJAP="lab","secret"']);
    expect(again.at(-1)).toBe('AT+CIPSTART="TCP","127.0.0.1",1883');
    expect(again).not.toContain("ATE0");
  });

  it("a connection that is refused says so", async () => {
    const { w, t } = await rig("esp-at");
    w.override = (cmd, mm) => {
      if (!cmd.startsWith("AT+CIPSTART=")) return false;
      mm.say("ERROR\r\nCLOSED\r\n");
      return true;
    };
    const err = await closedWith(t.open());
    expect(err?.message).toBe("modem: cannot open a TCP connection to 127.0.0.1:1883 (ERROR)");
  });
});

describe("simcom", () => {
  it("+PDP: DEACT is a bearer loss: shut, then APN, CIICR and CIFSR (which answers an address, not OK) again", async () => {
    const { w, m, t } = await rig("simcom");
    const s = t.open();
    await connected(s);
    expect(m.commands).toEqual(expect.arrayContaining(["AT+CIPRXGET=1", 'AT+CSTT="iot.test"', "AT+CIICR", "AT+CIFSR"]));
    w.bearerUp = w.socketOpen = false;
    m.line("+PDP: DEACT");
    const err = await closedWith(s);
    expect(err?.message).toBe("modem: bearer lost (+PDP: DEACT)");
    const before = m.commands.length;
    await connected(t.open());
    const again = m.commands.slice(before);
    expect(again.slice(0, 4)).toEqual(["AT+CIPSHUT", 'AT+CSTT="iot.test"', "AT+CIICR", "AT+CIFSR"]);
    expect(again.at(-1)).toBe('AT+CIPSTART="TCP","127.0.0.1","1883"');
  });

  it("CONNECT FAIL after OK says why", async () => {
    const { w, t } = await rig("simcom");
    w.override = (cmd, mm) => {
      if (!cmd.startsWith("AT+CIPSTART=")) return false;
      mm.line("OK");
      setTimeout(() => mm.line("CONNECT FAIL"), 5);
      return true;
    };
    const err = await closedWith(t.open());
    expect(err?.message).toBe("modem: cannot open a TCP connection to 127.0.0.1:1883 (CONNECT FAIL)");
  });
});
