// A serial port as a transport: the bytes on the line are raw MQTT (a board whose MQTT client
// talks over its UART, or our firmware on one end of a line with a bridge on the other). There is
// no framing below MQTT, so wireBytes() are the serial bytes.
//
// serialport's own stream does not close the port on end() or destroy(), and reports a vanished
// port (socat killed, USB unplugged) as a "close" event; the SerialLine below gives the Link what
// a socket gives it: "connect" once the port is open, end() and destroy() that close the port,
// and one "error" with a one-line message before "close" when the port goes away.
import { read as fsRead } from "node:fs";
import { Duplex } from "node:stream";
import { SerialPort } from "serialport";
import type { Transport } from "./transport.ts";
import { MoteError } from "../errors.ts";

/** The parts of serialport's Unix port binding that a read needs. */
interface UnixPort {
  fd: number | null;
  readonly isOpen: boolean;
  poller: { once(event: "readable", cb: (err: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>;
}

const AGAIN = new Set(["EAGAIN", "EWOULDBLOCK", "EINTR"]);

/**
 * A read that ends on a hang-up. A tty whose far end is gone (socat killed, a USB adapter pulled)
 * reads 0 bytes; serialport 13's Unix read treats 0 as "try again" and spins on it forever, so
 * the port is never reported closed. Here 0 bytes is the end of the line, as it is for a tty.
 */
async function readUntilHangup(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw Object.assign(new Error("Port is not open"), { canceled: true });
    const fd = port.fd;
    const result = await new Promise<number | NodeJS.ErrnoException>((resolve) =>
      fsRead(fd, buffer, offset, length, null, (err, n) => resolve(err ?? n)));
    if (typeof result === "number") {
      if (result > 0) return { bytesRead: result, buffer };
      throw Object.assign(new Error("hang-up"), { disconnect: true });
    }
    if (!AGAIN.has(result.code ?? "")) throw result;
    if (!port.isOpen) throw Object.assign(new Error("Port is not open"), { canceled: true });
    await new Promise<void>((resolve, reject) => port.poller.once("readable", (err) => (err ? reject(err) : resolve())));
  }
}

/** The platform's binding, with reads that end on a hang-up (Unix ports). */
const binding = {
  ...SerialPort.binding,
  async open(options: Parameters<typeof SerialPort.binding.open>[0]) {
    const port = await (SerialPort.binding.open as (o: typeof options) => Promise<unknown>)(options);
    const unix = port as unknown as UnixPort;
    if (typeof unix.fd === "number" && unix.poller) unix.read = (b, o, l) => readUntilHangup(unix, b, o, l);
    return port;
  },
};

export interface SerialOptions {
  /** Device path: /dev/ttyUSB0, /dev/ttyACM0, a pty made by socat, ... */
  path: string;
  /** Default 115200. A pty ignores it; a real UART runs at it (8N1). */
  baudRate?: number;
}

/** An error of the serial line, with a message fit for one line on stderr. */
const serialError = (message: string) => new MoteError(message, "serial");

/** Counts shared by every port a transport opens. */
interface Counts { sent: number; received: number }

/** One open (or opening) serial port as a Duplex that behaves like a socket. */
export class SerialLine extends Duplex {
  /** True until the port is open (the Link waits for "connect" meanwhile). */
  connecting = true;
  readonly port: SerialPort;
  private gone = false;

  constructor(readonly path: string, baudRate: number, private readonly counts: Counts = { sent: 0, received: 0 }) {
    super({ allowHalfOpen: false });
    // hupcl off: a closing port must not signal a hang-up to the far end (a modem would drop its call).
    this.port = new SerialPort({ path, baudRate, autoOpen: false, hupcl: false, binding } as ConstructorParameters<typeof SerialPort>[0]);
    this.port.on("data", (chunk: Buffer) => {
      this.counts.received += chunk.length;
      if (!this.push(chunk)) this.port.pause();
    });
    this.port.on("close", (err: Error | null) => {
      // A close we did not ask for: the device went away under us.
      if (!this.destroyed) this.destroy(serialError(`serial port ${path} closed: ${err ? `the device went away (${reason(err)})` : "closed by the system"}`));
    });
    this.port.on("error", (err: Error) => {
      if (!this.destroyed) this.destroy(serialError(`serial port ${path}: ${reason(err)}`));
    });
    this.port.open((err) => {
      if (err) {
        this.gone = true;
        if (!this.destroyed) this.destroy(serialError(`cannot open serial port ${path}: ${reason(err)}`));
        return;
      }
      if (this.destroyed) {
        // Destroyed while opening: do not leave the port open behind the caller's back.
        this.port.close(() => {});
        return;
      }
      this.connecting = false;
      this.emit("connect");
    });
  }

  override _read(): void {
    if (this.port.isPaused()) this.port.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    // serialport queues writes until the port is open and calls back once the OS took the bytes.
    this.port.write(chunk, (err) => {
      if (err) return cb(serialError(`serial port ${this.path}: write failed: ${reason(err)}`));
      this.counts.sent += chunk.length;
      cb();
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    // Every write has called back (the OS has the bytes): close the port, then the stream.
    cb();
    this.destroy();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.gone || !this.port.isOpen) return cb(err);
    this.gone = true;
    this.port.close(() => cb(err));
  }
}

/**
 * serialport's and Node's messages made short: "Error: No such file or directory, cannot open
 * /dev/x" -> "No such file or directory", "EIO: i/o error, read" -> "i/o error".
 */
function reason(err: Error): string {
  const m = err.message.split("\n")[0]
    .replace(/^Error:?\s*/, "")
    .replace(/, cannot open \S+$/, "")
    .replace(/^E[A-Z]+: (.*), \w+$/, "$1");
  return m || "unknown error";
}

export class SerialTransport implements Transport {
  readonly kind = "serial";
  readonly path: string;
  readonly baudRate: number;
  private readonly counts: Counts = { sent: 0, received: 0 };

  constructor(o: SerialOptions) {
    this.path = o.path;
    this.baudRate = o.baudRate ?? 115200;
  }

  /** Opens the port; the line emits "connect" once it is open. */
  open(): SerialLine {
    return new SerialLine(this.path, this.baudRate, this.counts);
  }

  /** Serial bytes each way, over every port opened so far (raw MQTT: there is no other framing). */
  wireBytes() {
    return { sent: this.counts.sent, received: this.counts.received };
  }
}
