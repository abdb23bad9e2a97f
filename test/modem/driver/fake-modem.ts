// A scripted fake modem on the far end of a pty: it splits what the driver writes into commands
// (ending in CR), hands each to a script, takes exactly n raw bytes after a prompt when told
// to, and can switch to passthrough. Not an emulator: each test's script says what to answer.
import { SerialPort } from "serialport";

export type Script = (cmd: string, m: FakeModem) => void;

export class FakeModem {
  /** Every command received, in order. */
  readonly commands: string[] = [];
  /** Every byte received, with its arrival time (for guard-time checks). */
  readonly arrivals: Array<{ at: number; bytes: Buffer }> = [];
  /** Bytes written to the driver. */
  written = 0;
  private buf = Buffer.alloc(0);
  private rawWant = 0;
  private rawParts: Buffer[] = [];
  private rawDone: ((b: Buffer) => void) | undefined;
  private pass: ((b: Buffer) => void) | undefined;
  private pumping = false;

  private constructor(readonly port: SerialPort, public script: Script) {
    port.on("data", (chunk: Buffer) => this.onData(chunk));
    port.on("error", () => {});
  }

  static async open(path: string, script: Script): Promise<FakeModem> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    return new FakeModem(port, script);
  }

  /** Writes text (latin1) and bytes as they are. */
  say(...parts: Array<string | Buffer>): void {
    const b = Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));
    this.written += b.length;
    this.port.write(b);
  }

  /** A line as modems print it: CR LF, text, CR LF. */
  line(text: string): void {
    this.say(`\r\n${text}\r\n`);
  }

  /** The next n bytes are data, not commands. */
  expectData(n: number, done: (b: Buffer) => void): void {
    this.rawWant = n;
    this.rawParts = [];
    this.rawDone = done;
    this.pump();
  }

  /** Every byte goes to `sink` until passthrough(undefined). */
  passthrough(sink: ((b: Buffer) => void) | undefined): void {
    this.pass = sink;
    if (sink && this.buf.length > 0) {
      const b = this.buf;
      this.buf = Buffer.alloc(0);
      sink(b);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }

  private onData(chunk: Buffer): void {
    this.arrivals.push({ at: Date.now(), bytes: Buffer.from(chunk) });
    if (this.pass) return this.pass(chunk);
    this.buf = Buffer.concat([this.buf, chunk]);
    this.pump();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.pumpOnce();
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    while (this.buf.length > 0 && !this.pass) {
      if (this.rawWant > 0) {
        const take = Math.min(this.rawWant, this.buf.length);
        this.rawParts.push(this.buf.subarray(0, take));
        this.buf = this.buf.subarray(take);
        this.rawWant -= take;
        if (this.rawWant === 0) this.rawDone?.(Buffer.concat(this.rawParts));
        continue;
      }
      const cr = this.buf.indexOf(0x0d);
      if (cr < 0) return;
      const cmd = this.buf.subarray(0, cr).toString("latin1").replace(/^\n+/, "");
      this.buf = this.buf.subarray(cr + 1);
      if (cmd.length === 0) continue;
      this.commands.push(cmd);
      this.script(cmd, this);
    }
  }
}
