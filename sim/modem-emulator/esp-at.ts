// ESP-AT (Espressif ESP8266/ESP32 AT firmware, v2 style), single (AT+CIPMUX=0, default) or
// multiple connections (AT+CIPMUX=1: ids 0-4, replies carry "<id>,").
// - Receive, push mode (default): `+IPD,n:<data>` whenever data comes, at most 1460 bytes each,
//   also between a `>` and the data. Pull mode (AT+CIPRECVMODE=1): `+IPD,n` per arrival (n = the
//   bytes of that arrival), AT+CIPRECVDATA=n → `+CIPRECVDATA:m,<data>` OK (ERROR when empty),
//   at most recvBufferBytes (5744) held, beyond that TCP flow control holds the peer back.
// - A peer close prints CLOSED (after the data still to push); pulled data stays readable.
// - Transparent mode (AT+CIPMODE=1, AT+CIPSEND): packets on 20 ms gaps or 2048 bytes, `+++`
//   alone to leave (no reply); after a TCP break it reconnects silently every second.
// - Wi-Fi: AT+CWJAP accepts any network after bearerDelayMs; a bearer loss is WIFI DISCONNECT,
//   CLOSED for each link and an automatic rejoin.
import type { Command } from "./at-engine.ts";
import { Dialect, PUSH_WINDOW_BYTES, type Moment } from "./dialect.ts";
import type { ModemSocket } from "./modem-socket.ts";
import { ascii, intArg, parseArgs } from "./text.ts";

const LINKS = 5;
const SEND_BYTES_MAX = 2048;
const IPD_BYTES_MAX = 1460;
const TRANSPARENT_PACKET_BYTES = 2048;
const TRANSPARENT_GAP_MS = 20;
const RECONNECT_INTERVAL_MS = 1000;
const BOOT_NOISE_BYTES = 48;

export class EspAt extends Dialect {
  readonly busyReply = "busy p...";
  readonly table: readonly Command[];
  private cwmode = 1;
  private ssid: string | undefined;
  private joined = false;
  private mux = false;
  private cipmode = 0;
  private passive = false;
  /** Push mode: CLOSED waits until the link's data is out. */
  private readonly closing = new Set<number>();
  /** Pull-mode notices kept for a worst-moment URC. */
  private readonly held = new Map<number, number>();
  private target: { host: string; port: number } | undefined;

  constructor(env: ConstructorParameters<typeof Dialect>[0]) {
    super(env);
    const ok = () => this.e.reply("OK");
    const c = (match: RegExp, run: Command["run"]): Command => ({ match, run });
    this.table = [
      c(/^AT$/i, ok),
      c(/^ATE([01])$/i, (m) => { this.e.echo = m[1] === "1"; ok(); }),
      c(/^AT\+RST$/i, () => { ok(); this.env.reboot(false); }),
      c(/^AT\+GMR$/i, () => this.e.reply("AT version:2.2.0.0 (mqtt-mote emulator)", "SDK version:emulated", "OK")),
      c(/^AT\+CWMODE(?:_CUR|_DEF)?\?$/i, () => this.e.reply(`+CWMODE:${this.cwmode}`, "OK")),
      c(/^AT\+CWMODE(?:_CUR|_DEF)?=([0-3])$/i, (m) => { this.cwmode = Number(m[1]); ok(); }),
      c(/^AT\+CWJAP(?:_CUR|_DEF)?\?$/i, () => this.e.reply(
        this.joined ? `+CWJAP:"${this.ssid}","02:00:00:00:00:01",6,-50` : "No AP", "OK")),
      c(/^AT\+CWJAP(?:_CUR|_DEF)?=(.*)$/i, (m) => this.join(m[1]!)),
      c(/^AT\+CWQAP$/i, () => { this.leaveWifi(false); ok(); }),
      c(/^AT\+CIFSR$/i, () => this.e.reply(
        `+CIFSR:STAIP,"${this.joined ? "192.168.1.42" : "0.0.0.0"}"`, '+CIFSR:STAMAC,"02:00:00:00:00:42"', "OK")),
      c(/^AT\+CIPMUX\?$/i, () => this.e.reply(`+CIPMUX:${this.mux ? 1 : 0}`, "OK")),
      c(/^AT\+CIPMUX=([01])$/i, (m) => this.setMux(m[1] === "1")),
      c(/^AT\+CIPMODE\?$/i, () => this.e.reply(`+CIPMODE:${this.cipmode}`, "OK")),
      c(/^AT\+CIPMODE=([01])$/i, (m) => this.setMode(Number(m[1]))),
      c(/^AT\+CIPRECVMODE\?$/i, () => this.e.reply(`+CIPRECVMODE:${this.passive ? 1 : 0}`, "OK")),
      c(/^AT\+CIPRECVMODE=([01])$/i, (m) => { this.passive = m[1] === "1"; ok(); }),
      c(/^AT\+CIPSTART=(.*)$/i, (m) => this.start(m[1]!)),
      c(/^AT\+CIPSEND=(.*)$/i, (m) => this.send(m[1]!)),
      c(/^AT\+CIPSEND$/i, () => this.sendTransparent()),
      c(/^AT\+CIPCLOSE(?:=(\d))?$/i, (m) => this.close(m[1])),
      c(/^AT\+CIPRECVDATA=(.*)$/i, (m) => this.recvData(m[1]!)),
      c(/^AT\+CIPRECVLEN\?$/i, () => this.recvLen()),
      c(/^AT\+CIPSTATUS$/i, () => this.status()),
    ];
  }

  banner(): void {
    // The boot ROM logs at 74880 baud: garbage at any other rate.
    const noise = Buffer.alloc(BOOT_NOISE_BYTES);
    for (let i = 0; i < noise.length; i++) noise[i] = this.env.prng.between(0, 255);
    this.e.say(noise);
    this.e.reply("ready");
    if (this.ssid !== undefined) this.autoJoin();
  }

  urc(at: Moment): boolean {
    if (this.passive) {
      if (this.held.size === 0) return false;
      for (const [id, n] of this.held) this.e.reply(`+IPD,${this.prefix(id)}${n}`);
      this.held.clear();
      return true;
    }
    if (at === "read") return false; // push mode has no read reply
    const sock = this.ordered().find((s) => s.buffered > 0 && !this.isTransparentLink(s.id));
    if (sock === undefined) return false;
    this.pushIpd(sock);
    return true;
  }

  releaseHeld(): void {
    for (const [id, n] of this.held) this.e.reply(`+IPD,${this.prefix(id)}${n}`);
    this.held.clear();
    this.pump();
  }

  bearerLoss(): void {
    this.leaveWifi(true);
    this.autoJoin();
  }

  pump(): void {
    if (this.env.holding()) return;
    for (const sock of this.ordered()) {
      if (this.isTransparentLink(sock.id)) {
        while (sock.buffered > 0 && this.env.outputPending() < PUSH_WINDOW_BYTES) this.e.say(sock.read(IPD_BYTES_MAX));
        continue;
      }
      if (this.passive && !this.closing.has(sock.id)) continue;
      while (sock.buffered > 0 && this.env.outputPending() < PUSH_WINDOW_BYTES) this.pushIpd(sock);
      if (this.closing.has(sock.id) && sock.buffered === 0) {
        this.closing.delete(sock.id);
        this.sockets.delete(sock.id);
        this.e.reply(`${this.prefix(sock.id)}CLOSED`);
      }
    }
  }

  protected powerOn(): void {
    this.joined = false; // the saved network is joined again after the banner
    this.mux = false;
    this.cipmode = 0;
    this.passive = false;
    this.closing.clear();
    this.held.clear();
    this.target = undefined;
  }

  protected onSocketData(sock: ModemSocket, bytes: number): void {
    if (this.passive && !this.isTransparentLink(sock.id)) {
      if (this.env.holding()) this.held.set(sock.id, (this.held.get(sock.id) ?? 0) + bytes);
      else this.e.reply(`+IPD,${this.prefix(sock.id)}${bytes}`);
      return;
    }
    this.pump();
  }

  protected onSocketClose(sock: ModemSocket): void {
    if (this.isTransparentLink(sock.id) && this.target !== undefined) {
      this.reconnect(this.target);
      return;
    }
    if (!this.passive && sock.buffered > 0) {
      this.closing.add(sock.id);
      this.pump();
      return;
    }
    if (sock.buffered === 0) this.sockets.delete(sock.id);
    this.e.reply(`${this.prefix(sock.id)}CLOSED`);
  }

  // ---- commands ----

  private async join(argText: string): Promise<void> {
    const args = parseArgs(argText);
    if (args === undefined || !args[0] || (this.cwmode !== 1 && this.cwmode !== 3)) return this.e.reply("ERROR");
    if (this.joined) this.leaveWifi(false);
    await this.e.sleep(this.env.bearerDelayMs);
    this.ssid = args[0];
    this.joined = true;
    this.e.reply("WIFI CONNECTED", "WIFI GOT IP", "OK");
  }

  private setMux(on: boolean): void {
    if (this.sockets.size > 0) return this.e.reply("link is builded", "ERROR");
    if (on && this.cipmode === 1) return this.e.reply("ERROR");
    this.mux = on;
    this.e.reply("OK");
  }

  private setMode(mode: number): void {
    if (mode === 1 && this.mux) return this.e.reply("ERROR");
    this.cipmode = mode;
    this.e.reply("OK");
  }

  private async start(argText: string): Promise<void> {
    const args = parseArgs(argText) ?? [];
    const id = this.mux ? intArg(args.shift()) : 0;
    const [type, host, portText] = args;
    const port = intArg(portText);
    if (id === undefined || id >= LINKS || type?.toUpperCase() !== "TCP" || !host || port === undefined ||
        port < 1 || port > 65535 || args.length > 4) {
      return this.e.reply("ERROR");
    }
    if (!this.joined) return this.e.reply("ERROR");
    const existing = this.sockets.get(id);
    if (existing !== undefined && existing.state !== "closed") return this.e.reply("ALREADY CONNECTED", "ERROR");
    this.closing.delete(id);
    const result = await this.connect(id, host, port);
    if (result !== "ok") return this.e.reply("ERROR");
    if (!this.mux) this.target = { host, port };
    this.e.reply(`${this.prefix(id)}CONNECT`, "OK");
  }

  private async send(argText: string): Promise<void> {
    const args = parseArgs(argText) ?? [];
    const id = this.mux ? intArg(args.shift()) : 0;
    const n = intArg(args[0]);
    if (this.cipmode === 1 || id === undefined || n === undefined || args.length !== 1) return this.e.reply("ERROR");
    const sock = this.sockets.get(id);
    if (sock === undefined || sock.state !== "open") return this.e.reply("link is not valid", "ERROR");
    if (n < 1 || n > SEND_BYTES_MAX) return this.e.reply("ERROR");
    this.e.prompt("\r\nOK\r\n>");
    const data = await this.e.expectData(n);
    this.e.reply(`Recv ${n} bytes`);
    if (sock.send(data) === "ok") {
      await this.e.guard(sock.acknowledged()); // lwIP reports the send when the peer acks it
      return this.e.reply("SEND OK");
    }
    this.env.countSendFail();
    this.e.reply("SEND FAIL");
  }

  private sendTransparent(): void {
    const sock = this.sockets.get(0);
    if (this.cipmode !== 1 || this.mux || sock === undefined || sock.state !== "open") return this.e.reply("ERROR");
    this.e.prompt("\r\nOK\r\n>");
    this.e.enterTransparent({
      packetBytes: TRANSPARENT_PACKET_BYTES,
      gapMs: TRANSPARENT_GAP_MS,
      guardMs: this.env.guardTimeMs,
      onPacket: (bytes) => { this.sockets.get(0)?.send(bytes, true); },
      onEscape: () => this.pump(),
    });
    this.pump();
  }

  private close(idText: string | undefined): void {
    const ids = !this.mux ? (idText === undefined ? [0] : []) : idText === "5" ? [...this.sockets.keys()] : [intArg(idText)];
    const socks = ids.map((id) => (id === undefined ? undefined : this.sockets.get(id)));
    if (socks.length === 0 || socks.some((s) => s === undefined || s.state === "closed")) {
      for (const s of socks) if (s?.state === "closed") this.sockets.delete(s.id);
      return this.e.reply("ERROR");
    }
    const lines = socks.map((s) => {
      s!.close();
      this.sockets.delete(s!.id);
      this.closing.delete(s!.id);
      return `${this.prefix(s!.id)}CLOSED`;
    });
    if (!this.mux) this.target = undefined;
    this.e.reply(...lines, "OK");
  }

  private recvData(argText: string): void {
    const args = parseArgs(argText) ?? [];
    const id = this.mux ? intArg(args.shift()) : 0;
    const n = intArg(args[0]);
    const sock = id === undefined ? undefined : this.sockets.get(id);
    if (!this.passive || n === undefined || n < 1 || args.length !== 1 || sock === undefined || sock.buffered === 0) {
      return this.e.reply("ERROR");
    }
    const data = sock.read(n);
    this.e.say(Buffer.concat([ascii(`\r\n+CIPRECVDATA:${data.length},`), data, ascii("\r\n")]));
    this.e.readMoment();
    this.e.reply("OK");
    if (sock.state === "closed" && sock.buffered === 0) this.sockets.delete(sock.id);
  }

  private recvLen(): void {
    const lens = this.mux ? [0, 1, 2, 3, 4].map((id) => this.sockets.get(id)?.buffered ?? 0) : [this.sockets.get(0)?.buffered ?? 0];
    this.e.reply(`+CIPRECVLEN:${lens.join(",")}`, "OK");
  }

  private status(): void {
    const open = this.ordered().filter((s) => s.state === "open");
    const stat = !this.joined ? 5 : open.length > 0 ? 3 : 2;
    this.e.reply(`STATUS:${stat}`, ...open.map((s) => `+CIPSTATUS:${s.id},"TCP","${s.host}",${s.port},0,0`), "OK");
  }

  // ---- helpers ----

  private prefix(id: number): string {
    return this.mux ? `${id},` : "";
  }

  private isTransparentLink(id: number): boolean {
    return id === 0 && !this.mux && this.e.inTransparentMode;
  }

  private pushIpd(sock: ModemSocket): void {
    const data = sock.read(IPD_BYTES_MAX);
    this.e.say(Buffer.concat([ascii(`\r\n+IPD,${this.prefix(sock.id)}${data.length}:`), data]));
  }

  /** Wi-Fi gone: every link closes. */
  private leaveWifi(notify: boolean): void {
    if (!this.joined) return;
    this.joined = false;
    const lines = notify ? ["WIFI DISCONNECT"] : [];
    for (const sock of this.ordered()) {
      sock.close();
      if (!this.isTransparentLink(sock.id)) {
        this.sockets.delete(sock.id);
        lines.push(`${this.prefix(sock.id)}CLOSED`);
      }
    }
    if (notify && this.e.inTransparentMode && this.target !== undefined) this.reconnect(this.target);
    if (lines.length > 0 && !this.e.inTransparentMode) this.e.reply(...lines);
  }

  /** The firmware rejoins the saved network by itself. */
  private autoJoin(): void {
    this.e.later(this.env.bearerDelayMs, () => {
      if (this.joined || this.ssid === undefined) return;
      this.joined = true;
      if (!this.e.inTransparentMode) this.e.reply("WIFI CONNECTED", "WIFI GOT IP");
    });
  }

  /** Transparent mode after a TCP break: try again every second, say nothing. */
  private reconnect(target: { host: string; port: number }): void {
    this.e.later(RECONNECT_INTERVAL_MS, () => {
      if (!this.e.inTransparentMode || this.cipmode !== 1) return;
      const again = () => this.reconnect(target);
      if (!this.joined) return again();
      this.connect(0, target.host, target.port).then((r) => { if (r !== "ok") again(); }, () => {});
    });
  }
}
