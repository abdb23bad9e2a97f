// The modem driver's decisions without a port, an engine or a clock: nextWork() for every state,
// the climb from PORT_CLOSED to ONLINE through STATE_DURING/STATE_AFTER, recover() for each kind
// of fault, the URC table, and what each command result means (replies.ts).
import { describe, expect, it } from "vitest";
import type { AtFailure, AtFailureKind, AtResult, Reply } from "../../../host/modem/at-engine.ts";
import { BG96 } from "../../../host/modem/dialects/bg96.ts";
import { ESP_AT } from "../../../host/modem/dialects/esp-at.ts";
import {
  commandFault, COMMAND_RETRIES_MAX, isBusy, openOutcome, probeFault, readOutcome, sendOutcome, stepOutcome, syncAttempt,
} from "../../../host/modem/driver/replies.ts";
import {
  fault, garbageFault, nextWork, RANK, recover, RETRIES_BEFORE_OPEN, STATE_AFTER, STATE_DURING, URC_EFFECTS,
  type DriverState, type DriverView, type SocketView,
} from "../../../host/modem/driver/states.ts";

const STATES = Object.keys(RANK) as DriverState[];

const sock = (more: Partial<SocketView> = {}): SocketView => ({
  phase: "waiting", aborted: false, ending: false, queued: 0, rxPending: false, remoteClosed: false, retries: 0, ...more,
});

const view = (state: DriverState, more: Partial<DriverView> = {}): DriverView => ({
  state, socket: sock(), bearerLost: false, modemSocket: false, passthrough: false, preferRead: false, probeDue: false, readRoom: 1500, ...more,
});

const online = (s: Partial<SocketView>, more: Partial<DriverView> = {}) => nextWork(view("ONLINE", { socket: sock({ phase: "online", ...s }), ...more }));

const reply = (more: Partial<Reply> = {}): AtResult => ({ ok: { final: "OK", lines: [], data: [], dataBytes: 0, ...more } });
const failure = (kind: AtFailureKind, text = "", payloadWritten = false, cmd = "AT+X"): AtFailure =>
  ({ failure: kind, cmd, reply: text, payloadWritten, message: `${cmd} ${kind}` });

describe("nextWork", () => {
  it("nothing to do in any state without a socket: an idle transport costs no serial traffic", () => {
    for (const st of STATES) expect(nextWork(view(st, { socket: undefined }))).toEqual({ do: "idle" });
  });

  it("a socket aborted before it started is dropped in any state", () => {
    for (const st of STATES) expect(nextWork(view(st, { socket: sock({ aborted: true }) }))).toEqual({ do: "drop-waiting" });
  });

  it("climbs from PORT_CLOSED to ONLINE, each work in its state and leaving the next", () => {
    let state: DriverState = "PORT_CLOSED";
    const walked: string[] = [];
    for (let i = 0; i < 10 && state !== "ONLINE"; i++) {
      const w = nextWork(view(state));
      walked.push(w.do);
      state = STATE_AFTER[w.do]!;
      expect(state, `after ${w.do}`).toBeDefined();
    }
    expect(walked).toEqual(["open-port", "sync", "configure", "bring-bearer-up", "open-socket"]);
    expect(STATE_DURING["open-socket"]).toBe("SOCK_OPENING");
  });

  it("after a bearer loss the bearer is reset first; a socket left in the modem is closed before the next open", () => {
    expect(nextWork(view("BEARER_UP", { bearerLost: true }))).toEqual({ do: "bring-bearer-up", reset: true });
    expect(nextWork(view("READY", { modemSocket: true }))).toEqual({ do: "close-stale" });
    expect(STATE_DURING["close-stale"]).toBe("SOCK_CLOSING");
    expect(STATE_AFTER["close-stale"]).toBe("READY");
  });

  it("SOCK_OPENING and SOCK_CLOSING last only as long as their work", () => {
    expect(nextWork(view("SOCK_OPENING"))).toEqual({ do: "idle" });
    expect(nextWork(view("SOCK_CLOSING"))).toEqual({ do: "idle" });
  });

  it("online: close on abort or once an ending queue is sent; server close after the data that waits", () => {
    expect(online({ aborted: true, queued: 2 })).toEqual({ do: "close-socket", byServer: false });
    expect(online({ ending: true, queued: 1 })).toEqual({ do: "send" });
    expect(online({ ending: true })).toEqual({ do: "close-socket", byServer: false });
    expect(online({ remoteClosed: true, rxPending: true })).toEqual({ do: "read", bytes: 1500 });
    expect(online({ remoteClosed: true, rxPending: true }, { readRoom: 0 })).toEqual({ do: "idle" });
    expect(online({ remoteClosed: true })).toEqual({ do: "close-socket", byServer: true });
  });

  it("online: reads and sends take turns; transparent sends go raw; the probe only when idle", () => {
    expect(online({ rxPending: true, queued: 1 })).toEqual({ do: "send" });
    expect(online({ rxPending: true, queued: 1 }, { preferRead: true, readRoom: 700 })).toEqual({ do: "read", bytes: 700 });
    expect(online({ rxPending: true }, { readRoom: 0 })).toEqual({ do: "idle" });
    expect(online({ queued: 1 }, { passthrough: true })).toEqual({ do: "send-transparent" });
    expect(online({ queued: 1 }, { probeDue: true })).toEqual({ do: "send" });
    expect(online({}, { probeDue: true })).toEqual({ do: "probe" });
    expect(online({})).toEqual({ do: "idle" });
  });
});

describe("recover", () => {
  const onlineSock = sock({ phase: "online" });

  it("a fault only moves the driver down, and fails the socket being served", () => {
    for (const at of STATES) {
      for (const to of STATES) {
        const r = recover(at, fault("modem: x", to), onlineSock);
        expect(RANK[r.state], `${at} -> ${to}`).toBeLessThanOrEqual(RANK[at]);
        expect(RANK[r.state]).toBeLessThan(RANK.SOCK_OPENING); // the modem may hold it: READY closes it first
        expect(r.socket).toBe("fail");
      }
    }
  });

  it("bearer loss asks for a bearer reset; a port fault closes the port; no socket, nothing to fail", () => {
    expect(recover("ONLINE", fault("modem: bearer lost", "BEARER_UP", true), onlineSock)).toMatchObject({ state: "BEARER_UP", bearerLost: true, closePort: false });
    expect(recover("SYNC", fault("modem: gone", "PORT_CLOSED"), undefined)).toMatchObject({ state: "PORT_CLOSED", closePort: true, socket: "none" });
  });

  it(`a reboot before the socket opened starts over ${RETRIES_BEFORE_OPEN} times, then fails it`, () => {
    const reboot = fault("modem: the modem restarted (RDY)", "SYNC", true);
    expect(recover("BEARER_UP", reboot, sock({ retries: RETRIES_BEFORE_OPEN - 1 })).socket).toBe("retry");
    expect(recover("BEARER_UP", reboot, sock({ retries: RETRIES_BEFORE_OPEN })).socket).toBe("fail");
    expect(recover("ONLINE", reboot, onlineSock).socket).toBe("fail");
    expect(recover("BEARER_UP", fault("modem: x", "SYNC"), sock()).socket).toBe("fail"); // not retryable
  });

  it("a send that fails because the server just closed says so", () => {
    const r = recover("ONLINE", fault("modem: send failed (ERROR)", "READY"), sock({ phase: "online", remoteClosed: true }));
    expect(r).toMatchObject({ state: "READY", message: "modem: socket closed by the server" });
  });
});

describe("URC_EFFECTS and garbage", () => {
  it("data waits only for a socket past 'waiting'; closed only counts online", () => {
    expect(URC_EFFECTS.data("ONLINE", "online", "+IPD,5")).toEqual({ then: "data-waiting" });
    expect(URC_EFFECTS.data("READY", "waiting", "+IPD,5")).toEqual({ then: "nothing" });
    expect(URC_EFFECTS.data("ONLINE", undefined, "+IPD,5")).toEqual({ then: "nothing" });
    expect(URC_EFFECTS.closed("ONLINE", "online", "CLOSED")).toEqual({ then: "remote-closed" });
    expect(URC_EFFECTS.closed("SOCK_OPENING", "opening", "CLOSED")).toEqual({ then: "nothing" });
  });

  it("bearer loss above BEARER_UP and a reboot above SYNC are faults; below, a flag or nothing", () => {
    for (const st of STATES) {
      const lost = URC_EFFECTS["bearer-lost"](st, "online", "WIFI DISCONNECT");
      expect(lost.then).toBe(RANK[st] > RANK.BEARER_UP ? "fault" : "bearer-down");
      const reboot = URC_EFFECTS.reboot(st, "online", "ready");
      expect(reboot.then).toBe(RANK[st] > RANK.SYNC ? "fault" : "nothing");
    }
    expect(URC_EFFECTS.reboot("ONLINE", "online", "RDY")).toEqual({ then: "fault", fault: fault("modem: the modem restarted (RDY)", "SYNC", true) });
    expect(URC_EFFECTS.info("ONLINE", "online", "WIFI GOT IP")).toEqual({ then: "nothing" });
  });

  it("noise is a fault once synced, quoted short", () => {
    expect(garbageFault("SYNC", "\xff\xfe")).toBeUndefined();
    expect(garbageFault("ONLINE", `\xff${"x".repeat(40)}`)?.message).toBe(`modem: unreadable reply from the modem ${JSON.stringify(`\xff${"x".repeat(23)}...`)}; resynchronising`);
  });
});

describe("what a command result means", () => {
  it("an error reply keeps the state; no reply or too long a reply resyncs", () => {
    expect(commandFault("SOCK_CLOSING", failure("error", "ERROR", false, "AT+QICLOSE=0"))).toEqual(fault("modem: AT+QICLOSE=0 failed (ERROR)", "SOCK_CLOSING"));
    expect(commandFault("ONLINE", failure("timeout"))).toEqual(fault("modem: AT+X timeout", "SYNC"));
    expect(commandFault("ONLINE", failure("overflow")).next).toBe("SYNC");
  });

  it("busy is tried again a few times, only before any data went out", () => {
    expect(isBusy(ESP_AT, failure("error", "busy p..."), 0)).toBe(true);
    expect(isBusy(ESP_AT, failure("error", "busy p..."), COMMAND_RETRIES_MAX)).toBe(false);
    expect(isBusy(ESP_AT, failure("error", "busy p...", true), 0)).toBe(false);
    expect(isBusy(BG96, failure("error", "busy p..."), 0)).toBe(false);
  });

  it("sync: a timeout tries again at once, noise pauses first", () => {
    expect(syncAttempt(reply())).toBe("synced");
    expect(syncAttempt(failure("timeout"))).toBe("again");
    expect(syncAttempt(failure("error", "ERROR"))).toBe("pause-then-again");
    expect(syncAttempt(failure("aborted"))).toBe("aborted");
  });

  it("steps: an optional step may be refused; doneIf skips the rest", () => {
    const optional = BG96.sync[1]!;
    expect(stepOutcome("SYNC", optional, failure("error", "ERROR"))).toEqual({ then: "next" });
    expect(stepOutcome("SYNC", BG96.sync[0]!, failure("error", "ERROR")).then).toBe("fail");
    expect(stepOutcome("SYNC", optional, failure("timeout")).then).toBe("fail");
    expect(stepOutcome("BEARER_UP", BG96.bearerUp[0]!, reply({ lines: ["+QIACT: 1,1,1,\"10.0.0.2\""] }))).toEqual({ then: "done" });
  });

  it("open: BG96's verdict comes later (+QIOPEN: 0,<err>); ALREADY CONNECTED closes and tries once more", () => {
    const st = BG96.open.pull;
    const then = (text: string) => reply({ then: /^\+QIOPEN: 0,(\d+)$/.exec(text)! });
    expect(openOutcome(BG96, st, "h:1", then("+QIOPEN: 0,0"), 0)).toEqual({ then: "opened" });
    expect(openOutcome(BG96, st, "h:1", then("+QIOPEN: 0,566"), 0)).toEqual({ then: "refused", fault: fault("modem: cannot open a TCP connection to h:1 (+QIOPEN: 0,566)", "READY"), closeFirst: true });
    expect(openOutcome(BG96, st, "h:1", then("+QIOPEN: 0,563"), 0)).toEqual({ then: "close-and-retry" });
    expect(openOutcome(ESP_AT, ESP_AT.open.pull, "h:1", failure("error", "ALREADY CONNECTED"), 0)).toEqual({ then: "close-and-retry" });
    expect(openOutcome(ESP_AT, ESP_AT.open.pull, "h:1", failure("error", "ALREADY CONNECTED"), 1)).toMatchObject({ then: "refused", closeFirst: false });
    expect(openOutcome(ESP_AT, ESP_AT.open.pull, "h:1", failure("timeout"), 0)).toMatchObject({ then: "fail", fault: { next: "SYNC" } });
  });

  it("send: refused before the data or 'buffer full' after it is tried again, growing the delay; other errors fail", () => {
    expect(sendOutcome(BG96, reply(), 0, 20)).toEqual({ then: "sent" });
    expect(sendOutcome(BG96, failure("error", "SEND FAIL", true), 1, 20)).toEqual({ then: "retry", afterMs: 40 });
    expect(sendOutcome(ESP_AT, failure("error", "ERROR", false), 0, 20)).toEqual({ then: "retry", afterMs: 20 });
    expect(sendOutcome(ESP_AT, failure("error", "SEND FAIL", true), 0, 20)).toEqual({ then: "fail", fault: fault("modem: send failed (SEND FAIL)", "READY") });
    expect(sendOutcome(BG96, failure("error", "SEND FAIL", true), COMMAND_RETRIES_MAX, 20).then).toBe("fail");
  });

  it("read: ESP's ERROR means empty; elsewhere it fails; the idle probe takes an ERROR as a sign of life", () => {
    expect(readOutcome(ESP_AT, failure("error", "ERROR"))).toEqual({ then: "read", data: [], bytes: 0 });
    expect(readOutcome(BG96, failure("error", "ERROR"))).toEqual({ then: "fail", fault: fault("modem: read failed (ERROR)", "READY") });
    expect(probeFault("/dev/x", failure("error", "ERROR"))).toBeUndefined();
    expect(probeFault("/dev/x", failure("timeout"))).toEqual(fault("modem: no reply to AT on /dev/x (idle probe)", "SYNC"));
  });
});
