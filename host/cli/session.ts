// What pub and sub share: opening the Device (as connectAsync does: no retry before the first
// CONNACK, the Device reconnects by itself afterwards: connectAsync), telling a dropped
// connection (survived) from the end of the road (a protocol violation, a refusal after which
// the Device stops reconnecting), and ending with a normal DISCONNECT.
import { type Device } from "../device.ts";
import { connectAsync } from "../device-connect.ts";
import { MoteError, errorLine } from "../errors.ts";
import { RETURN_CODES_311 } from "../device-errors.ts";
import { SessionState } from "../abi.ts";
import type { CliConfig } from "./config.ts";
import type { Transport } from "../transports/transport.ts";
import { sleep } from "../sleep.ts";
import { traceDevice } from "./debug-trace.ts";

/** Any error as a MoteError (its one line kept). */
const asMoteError = (e: unknown) => (e instanceof MoteError ? e : new MoteError(errorLine(e), "network"));

/** A refused CONNACK exits with its code, as mosquitto_pub/sub do: the 5.0 reason code, or 3.1.1's return code. */
function withConnackStatus(e: MoteError, version: 4 | 5): MoteError {
  if (e.kind !== "refused" || e.reasonCode === undefined) return e;
  const code = version === 5 ? e.reasonCode : RETURN_CODES_311.get(e.reasonCode) ?? 1;
  return new MoteError(e.message, e.kind, { reasonCode: e.reasonCode, permanent: e.permanent, status: e.status, exitStatus: code });
}

export class Session {
  /** Rejects with the error that ended the connection for good; never resolves. */
  readonly fatal: Promise<never>;
  private fail!: (e: MoteError) => void;
  private failed: MoteError | undefined;
  private lastError: Error | undefined;
  private violations: number;
  private ending = false;

  /** The broker's last DISCONNECT, in words (for a -W timeout line). */
  lastDisconnect: string | undefined;

  private constructor(readonly device: Device, readonly cfg: CliConfig, private readonly warn: (line: string) => void) {
    this.fatal = new Promise<never>((_, reject) => {
      this.fail = (e) => {
        if (this.failed) return;
        this.failed = e;
        reject(e);
      };
    });
    this.fatal.catch(() => {});
    this.violations = device.counters().protocolViolations;
    device.on("error", (e: Error) => this.onError(e));
    device.on("warning", (line: string) => this.survived(line));
    device.on("close", () => this.onClose());
  }

  /**
   * Connects; a failure before the first CONNACK ends the run at once (no retry), as in
   * mosquitto_pub/sub. `warn` prints what the run survives (unless --quiet); `attach` adds
   * listeners before any byte is read.
   */
  static async open(cfg: CliConfig, warn: (line: string) => void, attach: (d: Device) => void = () => {}): Promise<Session> {
    let session: Session | undefined;
    try {
      await connectAsync(cfg.url, { ...cfg.device, transport: await lineTransport(cfg) }, (d) => {
        if (cfg.debug) traceDevice(d, cfg.device.clientId ?? "", cfg.version === 5, (text) => { process.stderr.write(text); });
        session = new Session(d, cfg, warn);
        attach(d);
      });
    } catch (e) {
      throw withConnackStatus(session?.failed ?? asMoteError(e), cfg.version);
    }
    return session!;
  }

  /** Races a promise against the end of the connection. */
  guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.fatal]);
  }

  private onError(e: Error): void {
    this.lastError = e;
    const v = this.device.counters().protocolViolations;
    if (v > this.violations) {
      this.violations = v;
      this.fail(asMoteError(e));
      void this.device.end();
      return;
    }
    // The Device reconnects after a server DISCONNECT: say why it went, once per DISCONNECT.
    if (e instanceof MoteError && e.kind === "disconnect") {
      this.lastDisconnect = errorLine(e);
      this.survived(this.lastDisconnect);
    }
  }

  /** A line about something the run goes on after; --quiet silences it. */
  private survived(line: string): void {
    if (!this.cfg.quiet && !this.ending) this.warn(line);
  }

  private onClose(): void {
    if (this.ending) return;
    // Idle after a close means the Device will not reconnect (refused for good, or reconnect off).
    if (this.device.fw.exports.sessionState() === SessionState.Idle) {
      this.fail(this.lastError ? asMoteError(this.lastError) : new MoteError(`the connection to ${this.cfg.where} closed`, "network"));
    }
  }

  /** Waits until connected (after a drop, the Device reconnects), so queued messages go out before DISCONNECT. */
  async whenConnected(): Promise<void> {
    while (!this.device.connected) {
      await this.guard(new Promise<void>((resolve) => this.device.once("connect", () => resolve())));
    }
  }

  /** Normal DISCONNECT (with the -D disconnect properties), then the transport closes. */
  async end(): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    await Promise.race([this.device.end(0, this.cfg.disconnectProperties), sleep(5000)]);
    if (this.cfg.stats) process.stderr.write(byteReport(this.device));
  }
}

/** The --stats table: MQTT bytes per packet type each way, then what crossed the wire. */
function byteReport(d: Device): string {
  const sent = d.sentBytes.table();
  const received = d.receivedBytes.table();
  const types = [...new Set([...Object.keys(sent), ...Object.keys(received)])].sort();
  const rows = [["packet", "sent", "bytes", "received", "bytes"]];
  let out = 0, inn = 0;
  for (const t of types) {
    const s = sent[t], r = received[t];
    out += s?.bytes ?? 0;
    inn += r?.bytes ?? 0;
    rows.push([t, String(s?.packets ?? 0), String(s?.bytes ?? 0), String(r?.packets ?? 0), String(r?.bytes ?? 0)]);
  }
  rows.push(["MQTT total", "", String(out), "", String(inn)]);
  const wire = d.wireBytes();
  if (wire) rows.push([`on the wire (${d.transport.kind})`, "", String(wire.sent), "", String(wire.received)]);
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join("  ")).join("\n") + "\n";
}

/** The transport of --modem or --serial (undefined: the URL's own network transport). */
async function lineTransport(cfg: CliConfig): Promise<Transport | undefined> {
  const l = cfg.line;
  if (cfg.socket) {
    const { SocketTransport } = await import("./socket-transport.ts");
    return new SocketTransport(cfg.url, cfg.socket, cfg.device);
  }
  if (l === undefined) return undefined;
  if (l.kind === "serial") {
    const { SerialTransport } = await import("../transports/serial.ts");
    return new SerialTransport({ path: l.path, baudRate: l.baudRate });
  }
  const { ModemTransport } = await import("../modem/modem-transport.ts");
  return new ModemTransport({
    path: l.path, baudRate: l.baudRate, dialect: l.dialect, apn: l.apn, ssid: l.ssid, password: l.wifiPassword, host: l.host, port: l.port,
  });
}
