// A Transport whose connections go through an AT modem on a serial port: ESP-AT (Wi-Fi),
// Quectel BG95/BG96 (LTE-M / NB-IoT) or SIMCom SIM800/SIM7000. The serial port and the driver live as long as the
// transport; each open() is one TCP connection through the modem, as a Duplex that behaves like
// a net.Socket for Link: `connecting` until the modem reports the socket open, then "connect";
// "data" carries what was read; write() sends (chunked to the dialect's limit, one send in
// flight); a server close, a bearer loss or a port failure ends it with "error" (one line that
// says what happened) and "close".
//
//   const t = new ModemTransport({ path: "/dev/ttyUSB0", baudRate: 115200, dialect: "bg96",
//                                  host: "broker.example", port: 1883, apn: "iot.example" });
//   const device = await connectAsync("mqtt://broker.example", { transport: t });
import { Duplex } from "node:stream";
import type { Transport } from "../transports/transport.ts";
import { checkParams, type Dialect } from "./dialect.ts";
import { ESP_AT } from "./dialects/esp-at.ts";
import { BG96 } from "./dialects/bg96.ts";
import { SIMCOM } from "./dialects/simcom.ts";
import { ModemDriver, type ModemSocketHandle, type ModemStats, type Timing } from "./modem-driver.ts";
import type { SerialDevice } from "./serial/serial-link.ts";

export const DIALECTS: Readonly<Record<string, Dialect>> = { "esp-at": ESP_AT, bg96: BG96, simcom: SIMCOM };

export interface ModemTransportOptions {
  /** Serial device, e.g. /dev/ttyUSB0. */
  path: string;
  /** The line itself, instead of opening `path` (an in-process line in tests). */
  device?: SerialDevice;
  /** Default 115200. */
  baudRate?: number;
  dialect: "esp-at" | "bg96" | "simcom" | Dialect;
  /** The broker, as the modem should reach it. */
  host: string;
  port: number;
  /** BG96 / SIMCom: the APN (AT+QICSGP, AT+CSTT); without it the modem's stored context is used. */
  apn?: string;
  /** ESP-AT: join this Wi-Fi network (AT+CWJAP); without it the module's stored network is used. */
  ssid?: string;
  password?: string;
  /** Transparent mode instead of pull mode (default false). */
  transparent?: boolean;
  /** Largest read (default: the dialect's limit, 1500). */
  readMax?: number;
  /** Free room of the caller (for instance the firmware's RX space): reads ask for at most this. */
  rxSpace?: () => number;
  timing?: Partial<Timing>;
}

export class ModemTransport implements Transport {
  readonly kind = "modem";
  readonly driver: ModemDriver;

  constructor(private readonly o: ModemTransportOptions) {
    const dialect = typeof o.dialect === "string" ? DIALECTS[o.dialect] : o.dialect;
    if (!dialect) throw new Error(`modem: unknown dialect '${String(o.dialect)}' (known: ${Object.keys(DIALECTS).join(", ")})`);
    checkParams({ host: o.host, port: o.port });
    this.driver = new ModemDriver({
      path: o.path,
      device: o.device,
      baudRate: o.baudRate ?? 115200,
      dialect,
      params: { apn: o.apn, ssid: o.ssid, password: o.password },
      transparent: o.transparent,
      readMax: o.readMax,
      timing: o.timing,
    });
  }

  open(): ModemSocket {
    return new ModemSocket(this.driver, this.o.host, this.o.port, this.o.rxSpace);
  }

  /** Serial bytes each way, AT framing included. */
  wireBytes(): { sent: number; received: number } {
    return this.driver.wireBytes();
  }

  /** Payload vs AT overhead vs serial bytes per direction, and their time on the wire. */
  stats(): ModemStats {
    return this.driver.stats();
  }

  /** Closes any connection (politely, within graceMs), then the serial port. */
  close(graceMs?: number): Promise<void> {
    return this.driver.close(graceMs);
  }
}

/** One TCP connection through the modem. */
export class ModemSocket extends Duplex {
  /** True until the modem reports the socket open (as net.Socket's). */
  connecting = true;
  private readonly handle: ModemSocketHandle;

  constructor(driver: ModemDriver, host: string, port: number, rxSpace?: () => number) {
    super({ allowHalfOpen: false });
    this.handle = driver.openSocket(host, port, {
      opened: () => {
        this.connecting = false;
        this.emit("connect");
      },
      data: (bytes) => {
        if (!this.destroyed) this.push(bytes);
      },
      closed: (err) => {
        if (this.destroyed) return;
        if (!err) {
          // Our own close (end()): nothing more is wanted from this stream.
          this.push(null);
          return void setImmediate(() => this.destroy());
        }
        // Bytes still buffered for a paused reader are read first; then the error, then "close".
        if (this.readableLength === 0) return void this.destroy(err);
        this.once("end", () => this.destroy(err));
        this.push(null);
      },
      space: () => {
        const room = Math.max(0, this.readableHighWaterMark - this.readableLength);
        return rxSpace ? Math.min(room, rxSpace()) : room;
      },
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.handle.write(chunk, cb);
  }

  /** Writes made together go out together: fewer send commands, less AT overhead. */
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this.handle.write(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.handle.end(() => cb());
  }

  override _read(): void {
    this.handle.poke();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.handle.abort();
    cb(err);
  }
}
