// Scripted replies of an ESP-AT and a BG96 modem for the driver tests: a World holds what the
// "server" has sent (waiting in the modem) and what the host sent, and can inject URCs at the
// worst moments (chaos): before a command's reply, right after the prompt, between a read's data
// and its OK. `override` lets a test answer a command its own way first.
import type { FakeModem, Script } from "./fake-modem.ts";

export class World {
  m!: FakeModem;
  /** Server bytes waiting in the modem. */
  pending = Buffer.alloc(0);
  /** What the host sent through the socket, one entry per send command. */
  readonly sent: Buffer[] = [];
  readonly readAsks: number[] = [];
  socketOpen = false;
  bearerUp = false;
  /** URCs at the worst moments. */
  chaos = false;
  /** How many notices chaos injected, and where. */
  readonly injected = { beforeReply: 0, afterPrompt: 0, afterData: 0, midRead: 0 };
  /** Server data that arrives in the middle of the next read replies (between data and OK). */
  readonly midRead: Buffer[] = [];
  /** Real TCP behind the fake modem (open, send, close), instead of the scripted server. */
  bridge: { open(host: string, port: number, done: (ok: boolean) => void): void; send(b: Buffer): void; close(): void } | undefined;
  /** Answer a command first; return true when handled. */
  override: ((cmd: string, m: FakeModem) => boolean) | undefined;

  constructor(readonly dialect: "esp-at" | "bg96" | "simcom") {}

  get sentBytes(): Buffer {
    return Buffer.concat(this.sent);
  }

  /** The server sends bytes: they wait in the modem, which says so. */
  serverSends(b: Buffer): void {
    const wasEmpty = this.pending.length === 0;
    this.pending = Buffer.concat([this.pending, b]);
    // BG96 and SIMCom print no new notice until the buffer was read empty; ESP prints one per arrival.
    if (this.dialect === "esp-at") this.m.line(`+IPD,${b.length}`);
    else if (wasEmpty) this.m.line(this.notice());
  }

  serverCloses(): void {
    this.socketOpen = false;
    this.m.line(this.dialect === "bg96" ? '+QIURC: "closed",0' : "CLOSED");
  }

  notice(): string {
    if (this.dialect === "esp-at") return `+IPD,${this.pending.length}`;
    return this.dialect === "bg96" ? '+QIURC: "recv",0' : "+CIPRXGET: 1";
  }

  /** A data notice now, when chaos is on and data waits. */
  chaosNotice(where: "beforeReply" | "afterPrompt" | "afterData"): void {
    if (!this.chaos || this.pending.length === 0) return;
    this.injected[where]++;
    this.m.line(this.notice());
  }

  take(n: number): Buffer {
    const b = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(b.length);
    return Buffer.from(b);
  }

  /** Between a read's data and its OK: new data from the server, with its notice. */
  midReadArrival(): string {
    const more = this.midRead.shift();
    if (!more) return "";
    this.injected.midRead++;
    const wasEmpty = this.pending.length === 0;
    this.pending = Buffer.concat([this.pending, more]);
    if (this.dialect === "esp-at") return `\r\n+IPD,${more.length}\r\n`;
    return wasEmpty ? `\r\n${this.notice()}\r\n` : "";
  }
}

const OK_ESP = /^(AT|ATE0|AT\+CIPMUX=0|AT\+CIPMODE=[01]|AT\+CIPRECVMODE=[01]|AT\+CWMODE=1)$/;

export function espScript(w: World): Script {
  return (cmd, m) => {
    if (w.override?.(cmd, m)) return;
    w.chaosNotice("beforeReply");
    let r: RegExpExecArray | null;
    if (OK_ESP.test(cmd)) return m.line("OK");
    if (/^AT\+CWJAP="[^"]+","[^"]*"$/.test(cmd)) return m.say("WIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n");
    if ((r = /^AT\+CIPSTART="TCP","([^"]+)",(\d+)$/.exec(cmd))) {
      if (w.socketOpen) return m.say("ALREADY CONNECTED\r\n\r\nERROR\r\n");
      w.pending = Buffer.alloc(0);
      if (w.bridge) return w.bridge.open(r[1], Number(r[2]), (ok) => ((w.socketOpen = ok) ? m.say("CONNECT\r\n\r\nOK\r\n") : m.say("ERROR\r\nCLOSED\r\n")));
      w.socketOpen = true;
      return m.say("CONNECT\r\n\r\nOK\r\n");
    }
    if ((r = /^AT\+CIPSEND=(\d+)$/.exec(cmd))) {
      const n = Number(r[1]);
      m.say("\r\nOK\r\n\r\n> ");
      w.chaosNotice("afterPrompt");
      return m.expectData(n, (b) => {
        w.sent.push(b);
        w.bridge?.send(b);
        m.say(`\r\nRecv ${n} bytes\r\n`);
        w.chaosNotice("afterData");
        m.say("\r\nSEND OK\r\n");
      });
    }
    if ((r = /^AT\+CIPRECVDATA=(\d+)$/.exec(cmd))) {
      const n = Number(r[1]);
      w.readAsks.push(n);
      const b = w.take(n);
      if (b.length === 0) return m.line("ERROR");
      return m.say(`+CIPRECVDATA:${b.length},`, b, w.midReadArrival(), "\r\nOK\r\n");
    }
    if (cmd === "AT+CIPCLOSE") {
      const was = w.socketOpen;
      w.socketOpen = false;
      w.bridge?.close();
      return was ? m.say("CLOSED\r\n\r\nOK\r\n") : m.line("ERROR");
    }
    m.line("ERROR");
  };
}

export function bg96Script(w: World): Script {
  return (cmd, m) => {
    if (w.override?.(cmd, m)) return;
    w.chaosNotice("beforeReply");
    let r: RegExpExecArray | null;
    if (/^(AT|ATE0|AT\+CMEE=2|AT\+QICSGP=1,1,"[^"]*","","",1)$/.test(cmd)) return m.line("OK");
    if (cmd === "AT+QIACT?") return m.say(w.bearerUp ? '\r\n+QIACT: 1,1,1,"10.0.0.2"\r\n\r\nOK\r\n' : "\r\nOK\r\n");
    if (cmd === "AT+QIACT=1") {
      w.bearerUp = true;
      return m.line("OK");
    }
    if (cmd === "AT+QIDEACT=1") {
      w.bearerUp = false;
      return m.line("OK");
    }
    if ((r = /^AT\+QIOPEN=1,0,"TCP","([^"]+)",(\d+),0,0$/.exec(cmd))) {
      m.line("OK");
      if (!w.bearerUp || w.socketOpen) return void setTimeout(() => m.line(`+QIOPEN: 0,${w.socketOpen ? 563 : 566}`), 5);
      w.pending = Buffer.alloc(0);
      if (w.bridge) return w.bridge.open(r[1], Number(r[2]), (ok) => m.line(`+QIOPEN: 0,${(w.socketOpen = ok) ? 0 : 566}`));
      w.socketOpen = true;
      return void setTimeout(() => m.line("+QIOPEN: 0,0"), 5);
    }
    if ((r = /^AT\+QISEND=0,(\d+)$/.exec(cmd))) {
      const n = Number(r[1]);
      m.say("\r\n> ");
      w.chaosNotice("afterPrompt");
      return m.expectData(n, (b) => {
        w.sent.push(b);
        w.bridge?.send(b);
        m.line("SEND OK");
      });
    }
    if ((r = /^AT\+QIRD=0,(\d+)$/.exec(cmd))) {
      const n = Number(r[1]);
      w.readAsks.push(n);
      const b = w.take(n);
      return m.say(`\r\n+QIRD: ${b.length}\r\n`, b, b.length > 0 ? w.midReadArrival() : "", "\r\n\r\nOK\r\n");
    }
    if (cmd === "AT+QICLOSE=0") {
      w.socketOpen = false;
      w.bridge?.close();
      return m.line("OK");
    }
    m.line("ERROR");
  };
}

const OK_SIMCOM = /^(AT|ATE0|AT\+CMEE=2|AT\+CIPMUX=0|AT\+CIPMODE=[01]|AT\+CIPRXGET=[01]|AT\+CSTT="[^"]*")$/;

export function simcomScript(w: World): Script {
  return (cmd, m) => {
    if (w.override?.(cmd, m)) return;
    w.chaosNotice("beforeReply");
    let r: RegExpExecArray | null;
    if (OK_SIMCOM.test(cmd)) return m.line("OK");
    if (cmd === "AT+CIPSHUT") {
      w.bearerUp = w.socketOpen = false;
      return m.line("SHUT OK");
    }
    if (cmd === "AT+CIICR") {
      w.bearerUp = true;
      return m.line("OK");
    }
    if (cmd === "AT+CIFSR") return m.line("10.0.0.3");
    if ((r = /^AT\+CIPSTART="TCP","([^"]+)","(\d+)"$/.exec(cmd))) {
      if (w.socketOpen) return m.say("\r\nOK\r\n\r\nALREADY CONNECT\r\n");
      m.line("OK");
      w.pending = Buffer.alloc(0);
      if (w.bridge) return w.bridge.open(r[1], Number(r[2]), (ok) => m.line((w.socketOpen = ok) ? "CONNECT OK" : "CONNECT FAIL"));
      w.socketOpen = w.bearerUp;
      return void setTimeout(() => m.line(w.bearerUp ? "CONNECT OK" : "CONNECT FAIL"), 5);
    }
    if ((r = /^AT\+CIPSEND=(\d+)$/.exec(cmd))) {
      const n = Number(r[1]);
      m.say("\r\n> ");
      w.chaosNotice("afterPrompt");
      return m.expectData(n, (b) => {
        w.sent.push(b);
        w.bridge?.send(b);
        m.line("SEND OK");
      });
    }
    if ((r = /^AT\+CIPRXGET=2,(\d+)$/.exec(cmd))) {
      const n = Number(r[1]);
      w.readAsks.push(n);
      const b = w.take(n);
      return m.say(`\r\n+CIPRXGET: 2,${b.length},${w.pending.length}\r\n`, b, b.length > 0 ? w.midReadArrival() : "", "\r\nOK\r\n");
    }
    if (cmd === "AT+CIPCLOSE") {
      const was = w.socketOpen;
      w.socketOpen = false;
      w.bridge?.close();
      return m.line(was ? "CLOSE OK" : "ERROR");
    }
    m.line("ERROR");
  };
}
