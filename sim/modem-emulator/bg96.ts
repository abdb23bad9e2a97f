// Quectel BG96 (and BG95): connect ids 0-11 on PDP contexts 1-16.
// - Bearer: AT+QICSGP, AT+QIACT=1 (OK after bearerDelayMs), AT+QIDEACT; a bearer loss is
//   `+QIURC: "pdpdeact",<ctx>` and the context's sockets stop (AT+QICLOSE them).
// - AT+QIOPEN=1,<id>,"TCP","host",port[,0[,mode]] → OK, then `+QIOPEN: <id>,<err>` (0 success,
//   566 refused, 565 DNS, 569 timeout, 561 no active context); mode 0 buffer, 1 direct push
//   (`+QIURC: "recv",<id>,<n>` CRLF <data>), 2 transparent (CONNECT; `+++` with guard times → OK,
//   ATO back, NO CARRIER on a break).
// - AT+QISEND=<id>,<n> (n ≤ 1460) → `> ` → n bytes → SEND OK, SEND FAIL (more than
//   sendBufferBytes unacknowledged) or ERROR (socket gone); AT+QISEND=<id>,0 → total,acked,unacked.
// - Buffer mode: `+QIURC: "recv",<id>` once, again only after a read found the buffer empty;
//   AT+QIRD=<id>[,n] (n ≤ 1500) → `+QIRD: m` CRLF m bytes CRLF OK, `+QIRD: 0` when empty.
// - Errors follow AT+CMEE: 0 ERROR, 1 +CME ERROR: <code>, 2 +CME ERROR: <text>. Unknown commands
//   are a plain ERROR.
import type { Command } from "./at-engine.ts";
import { Dialect, PUSH_WINDOW_BYTES, type Moment } from "./dialect.ts";
import type { ModemSocket } from "./modem-socket.ts";
import type { OpenResult } from "./modem-socket.ts";
import { ascii, intArg, parseArgs } from "./text.ts";

const SOCKETS = 12;
const CONTEXTS = 16;
const SEND_BYTES_MAX = 1460;
const READ_BYTES_MAX = 1500;
const TRANSPARENT_PACKET_BYTES = 1460;
const TRANSPARENT_GAP_MS = 20;
const BANNER_TAIL_MS = 100;

/** The error texts AT+CMEE=2 prints. */
export const CME_TEXT: Record<number, string> = {
  3: "operation not allowed", 4: "operation not supported", 50: "Incorrect parameters",
  550: "Unknown error", 551: "Operation blocked", 552: "Invalid parameters", 553: "Memory not enough",
  554: "Create socket failed", 555: "Operation not supported", 556: "Socket bind failed",
  557: "Socket listen failed", 558: "Socket write failed", 559: "Socket read failed",
  560: "Socket accept failed", 561: "Open PDP context failed", 562: "Close PDP context failed",
  563: "Socket identity has been used", 564: "DNS busy", 565: "DNS parse failed",
  566: "Socket connect failed", 567: "Socket has been closed", 568: "Operation busy",
  569: "Operation timeout", 570: "PDP context broken down", 571: "Cancel send",
  572: "Operation not allowed", 573: "APN not configured", 574: "Port busy",
};

const OPEN_ERROR: Record<Exclude<OpenResult, "ok">, number> = { refused: 566, dns: 565, timeout: 569 };

interface SocketInfo {
  ctx: number;
  mode: number;
  /** A recv notice is out and the buffer has not been read empty since. */
  notified: boolean;
  /** Data came while a worst-moment URC was armed: the notice waits for it. */
  held: boolean;
  read: number;
  closing: boolean;
}

export class Bg96 extends Dialect {
  readonly busyReply = undefined;
  readonly table: readonly Command[];
  private cmee = 1;
  private lastError = 0;
  private readonly apn = new Map<number, string>();
  private readonly active = new Set<number>();
  private readonly info = new Map<number, SocketInfo>();
  /** The socket transparent mode is (or was, before `+++`) attached to. */
  private transparentId: number | undefined;

  constructor(env: ConstructorParameters<typeof Dialect>[0]) {
    super(env);
    const ok = () => this.e.reply("OK");
    const c = (match: RegExp, run: Command["run"]): Command => ({ match, run });
    this.table = [
      c(/^AT$/i, ok),
      c(/^ATE([01])$/i, (m) => { this.e.echo = m[1] === "1"; ok(); }),
      c(/^ATI$/i, () => this.e.reply("Quectel", "BG96", "Revision: BG96MAR02A07M1G (mqtt-mote emulator)", "OK")),
      c(/^AT\+CMEE\?$/i, () => this.e.reply(`+CMEE: ${this.cmee}`, "OK")),
      c(/^AT\+CMEE=([012])$/i, (m) => { this.cmee = Number(m[1]); ok(); }),
      c(/^AT\+CPIN\?$/i, () => this.e.reply("+CPIN: READY", "OK")),
      c(/^AT\+CSQ$/i, () => this.e.reply("+CSQ: 20,99", "OK")),
      c(/^AT\+C(E|G)?REG\?$/i, (m) => this.e.reply(`+C${(m[1] ?? "").toUpperCase()}REG: 0,1`, "OK")),
      c(/^AT\+COPS\?$/i, () => this.e.reply('+COPS: 0,0,"mqtt-mote",8', "OK")),
      c(/^AT\+CFUN\?$/i, () => this.e.reply("+CFUN: 1", "OK")),
      c(/^AT\+CFUN=1,1$/i, () => { ok(); this.env.reboot(false); }),
      c(/^AT\+QICSGP=(\d+)$/i, (m) => this.apnQuery(Number(m[1]))),
      c(/^AT\+QICSGP=(\d+),(.*)$/i, (m) => this.setApn(Number(m[1]), m[2]!)),
      c(/^AT\+QIACT\?$/i, () => this.e.reply(...[...this.active].sort().map((c) => `+QIACT: ${c},1,1,"10.0.0.${c + 1}"`), "OK")),
      c(/^AT\+QIACT=(\d+)$/i, (m) => this.activate(Number(m[1]))),
      c(/^AT\+QIDEACT=(\d+)$/i, (m) => this.deactivate(Number(m[1]))),
      c(/^AT\+QIOPEN=(.*)$/i, (m) => this.open(m[1]!)),
      c(/^AT\+QISEND=(\d+),(\d+)$/i, (m) => this.send(Number(m[1]), Number(m[2]))),
      c(/^AT\+QIRD=(\d+)(?:,(\d+))?$/i, (m) => this.read(Number(m[1]), m[2] === undefined ? READ_BYTES_MAX : Number(m[2]))),
      c(/^AT\+QICLOSE=(\d+)(?:,\d+)?$/i, (m) => this.close(Number(m[1]))),
      c(/^AT\+QISTATE\?$/i, () => this.state()),
      c(/^AT\+QISTATE=1,(\d+)$/i, (m) => this.state(Number(m[1]))),
      c(/^ATO0?$/i, () => this.resume()),
      c(/^AT\+QIGETERROR$/i, () => this.e.reply(
        `+QIGETERROR: ${this.lastError},${this.lastError === 0 ? "No error" : CME_TEXT[this.lastError] ?? "Unknown error"}`, "OK")),
    ];
  }

  banner(): void {
    this.e.reply("RDY");
    this.e.later(BANNER_TAIL_MS, () => this.e.reply("+CFUN: 1", "+CPIN: READY", "+QUSIM: 1", "+QIND: SMS DONE"));
    this.e.later(2 * BANNER_TAIL_MS, () => this.e.reply("APP RDY"));
  }

  urc(at: Moment): boolean {
    const buffered = this.ordered().filter((s) => this.info.get(s.id)?.mode === 0 && s.state === "open");
    const target = buffered.find((s) => this.info.get(s.id)!.held) ?? buffered.find((s) => s.buffered > 0) ?? buffered[0];
    if (target !== undefined) {
      const i = this.info.get(target.id)!;
      i.held = false;
      i.notified = true;
      this.e.reply(`+QIURC: "recv",${target.id}`);
      return true;
    }
    if (at === "read") return false;
    const push = this.ordered().find((s) => this.info.get(s.id)?.mode === 1 && s.buffered > 0);
    if (push === undefined) return false;
    this.pushRecv(push);
    return true;
  }

  releaseHeld(): void {
    for (const sock of this.ordered()) {
      const i = this.info.get(sock.id);
      if (i === undefined || !i.held) continue;
      i.held = false;
      i.notified = true;
      this.e.reply(`+QIURC: "recv",${sock.id}`);
    }
    this.pump();
  }

  bearerLoss(): void {
    if (this.active.size === 0) return;
    if (this.transparentId !== undefined && this.e.inTransparentMode) {
      this.e.leaveTransparent();
      this.e.reply("NO CARRIER");
    }
    for (const ctx of [...this.active].sort()) this.e.reply(`+QIURC: "pdpdeact",${ctx}`);
    for (const sock of this.sockets.values()) {
      if (this.active.has(this.info.get(sock.id)?.ctx ?? 0)) sock.close();
    }
    this.active.clear();
  }

  pump(): void {
    if (this.env.holding()) return;
    for (const sock of this.ordered()) {
      const i = this.info.get(sock.id);
      if (i === undefined) continue;
      if (i.mode === 2 && this.e.inTransparentMode && sock.id === this.transparentId) {
        while (sock.buffered > 0 && this.env.outputPending() < PUSH_WINDOW_BYTES) this.e.say(sock.read(READ_BYTES_MAX));
      } else if (i.mode === 1) {
        while (sock.buffered > 0 && this.env.outputPending() < PUSH_WINDOW_BYTES) this.pushRecv(sock);
        if (i.closing && sock.buffered === 0) {
          i.closing = false;
          this.e.reply(`+QIURC: "closed",${sock.id}`);
        }
      }
    }
  }

  protected powerOn(): void {
    this.cmee = 1;
    this.lastError = 0;
    this.active.clear();
    this.info.clear();
    this.transparentId = undefined;
  }

  protected onSocketData(sock: ModemSocket): void {
    const i = this.info.get(sock.id);
    if (i === undefined) return;
    if (i.mode !== 0) return this.pump();
    if (i.notified) return;
    if (this.env.holding()) {
      i.held = true;
      return;
    }
    i.notified = true;
    this.e.reply(`+QIURC: "recv",${sock.id}`);
  }

  protected onSocketClose(sock: ModemSocket): void {
    const i = this.info.get(sock.id);
    if (i === undefined) return;
    if (i.mode === 2 && sock.id === this.transparentId) {
      this.transparentId = undefined;
      if (this.e.inTransparentMode) {
        this.e.leaveTransparent();
        this.e.reply("NO CARRIER");
        return;
      }
    }
    if (i.mode === 1 && sock.buffered > 0) {
      i.closing = true;
      this.pump();
      return;
    }
    this.e.reply(`+QIURC: "closed",${sock.id}`);
  }

  // ---- commands ----

  private error(code: number): void {
    this.lastError = code;
    if (this.cmee === 0) this.e.reply("ERROR");
    else this.e.reply(`+CME ERROR: ${this.cmee === 1 ? code : CME_TEXT[code] ?? code}`);
  }

  private apnQuery(ctx: number): void {
    if (ctx < 1 || ctx > CONTEXTS) return this.error(552);
    this.e.reply(`+QICSGP: 1,"${this.apn.get(ctx) ?? ""}","","",0`, "OK");
  }

  private setApn(ctx: number, rest: string): void {
    const args = parseArgs(rest);
    if (ctx < 1 || ctx > CONTEXTS || args === undefined || args.length < 2 || args.length > 5) return this.error(552);
    this.apn.set(ctx, args[1]!);
    this.e.reply("OK");
  }

  private async activate(ctx: number): Promise<void> {
    if (ctx < 1 || ctx > CONTEXTS) return this.error(552);
    if (this.active.has(ctx)) return this.e.reply("ERROR");
    await this.e.sleep(this.env.bearerDelayMs);
    this.active.add(ctx);
    this.e.reply("OK");
  }

  private deactivate(ctx: number): void {
    if (ctx < 1 || ctx > CONTEXTS) return this.error(552);
    this.active.delete(ctx);
    for (const sock of this.sockets.values()) {
      if (this.info.get(sock.id)?.ctx === ctx) {
        sock.close();
        this.sockets.delete(sock.id);
        this.info.delete(sock.id);
      }
    }
    this.e.reply("OK");
  }

  private async open(argText: string): Promise<void> {
    const args = parseArgs(argText) ?? [];
    const [ctx, id, , , port, , mode] = [0, 1, 2, 3, 4, 5, 6].map((k) => intArg(args[k] ?? (k >= 5 ? "0" : undefined)));
    const type = args[2]?.toUpperCase();
    const host = args[3];
    if (ctx === undefined || ctx < 1 || ctx > CONTEXTS || id === undefined || id >= SOCKETS || !host ||
        port === undefined || port < 1 || port > 65535 || mode === undefined || mode > 2 || args.length > 7 ||
        intArg(args[5] ?? "0") === undefined) {
      return this.error(552);
    }
    if (type !== "TCP") return this.error(555);
    if (this.sockets.has(id)) return this.error(563);
    if (mode === 2 && !this.active.has(ctx)) return this.error(561);
    if (mode !== 2) this.e.reply("OK");
    if (!this.active.has(ctx)) return this.e.reply(`+QIOPEN: ${id},561`);
    this.info.set(id, { ctx, mode, notified: false, held: false, read: 0, closing: false });
    if (mode === 2) return this.openTransparent(id, host, port);
    // The command is over; the result comes as a URC.
    this.connect(id, host, port).then((r) => {
      if (r !== "ok") this.info.delete(id);
      this.e.reply(`+QIOPEN: ${id},${r === "ok" ? 0 : OPEN_ERROR[r]}`);
    }, () => {});
  }

  private async openTransparent(id: number, host: string, port: number): Promise<void> {
    const r = await this.connect(id, host, port);
    if (r !== "ok") {
      this.info.delete(id);
      return this.error(OPEN_ERROR[r]);
    }
    this.transparentId = id;
    this.e.reply("CONNECT");
    this.enterTransparent(id);
  }

  private enterTransparent(id: number): void {
    this.e.enterTransparent({
      packetBytes: TRANSPARENT_PACKET_BYTES,
      gapMs: TRANSPARENT_GAP_MS,
      guardMs: this.env.guardTimeMs,
      onPacket: (bytes) => { this.sockets.get(id)?.send(bytes, true); },
      onEscape: () => this.e.reply("OK"),
    });
    this.pump();
  }

  private resume(): void {
    const id = this.transparentId;
    if (id === undefined || this.sockets.get(id)?.state !== "open") return this.e.reply("NO CARRIER");
    this.e.reply("CONNECT");
    this.enterTransparent(id);
  }

  private async send(id: number, n: number): Promise<void> {
    const sock = this.sockets.get(id);
    if (n === 0) {
      if (sock === undefined) return this.e.reply("ERROR");
      return this.e.reply(`+QISEND: ${sock.sent},${sock.acked},${sock.unacked}`, "OK");
    }
    if (id >= SOCKETS || n > SEND_BYTES_MAX || sock === undefined || sock.state !== "open") return this.e.reply("ERROR");
    this.e.prompt("\r\n> ");
    const data = await this.e.expectData(n);
    const result = sock.send(data);
    if (result === "ok") return this.e.reply("SEND OK");
    if (result === "closed") return this.e.reply("ERROR");
    this.env.countSendFail();
    this.e.reply("SEND FAIL");
  }

  private read(id: number, n: number): void {
    const sock = this.sockets.get(id);
    const i = this.info.get(id);
    if (sock === undefined || i === undefined || i.mode !== 0 || n > READ_BYTES_MAX) return this.e.reply("ERROR");
    if (n === 0) return this.e.reply(`+QIRD: ${sock.received},${i.read},${sock.buffered}`, "OK");
    const data = sock.read(n);
    i.read += data.length;
    if (data.length === 0) {
      i.notified = false;
      return this.e.reply("+QIRD: 0", "OK");
    }
    this.e.say(Buffer.concat([ascii(`\r\n+QIRD: ${data.length}\r\n`), data, ascii("\r\n")]));
    this.e.readMoment();
    this.e.reply("OK");
    if (sock.buffered === 0) i.notified = false;
  }

  private close(id: number): void {
    const sock = this.sockets.get(id);
    if (id >= SOCKETS) return this.error(552);
    sock?.close();
    this.sockets.delete(id);
    this.info.delete(id);
    if (this.transparentId === id) this.transparentId = undefined;
    this.e.reply("OK");
  }

  private state(only?: number): void {
    const lines = this.ordered().filter((s) => only === undefined || s.id === only).map((s) => {
      const i = this.info.get(s.id)!;
      const state = s.state === "connecting" ? 1 : s.state === "open" ? 2 : 4;
      return `+QISTATE: ${s.id},"TCP","${s.host}",${s.port},0,${state},${i.ctx},0,${i.mode},"uart1"`;
    });
    this.e.reply(...lines, "OK");
  }

  private pushRecv(sock: ModemSocket): void {
    const data = sock.read(READ_BYTES_MAX);
    this.e.say(Buffer.concat([ascii(`\r\n+QIURC: "recv",${sock.id},${data.length}\r\n`), data]));
  }
}
