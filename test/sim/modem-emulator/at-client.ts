// A tiny scripted AT client for the emulator tests: it opens the user's end of the pty with
// serialport, keeps what arrived as latin1 text (one character per byte, so all 256 values
// survive) and waits, always with a bound, for a pattern or a number of raw bytes.
import { SerialPort } from "serialport";

const WAIT_MS = 3000;

export class AtClient {
  /** Received and not consumed yet. */
  rx = "";
  /** Everything received. */
  all = "";
  /** Sizes of the reads, to see how the output was split. */
  readonly chunks: number[] = [];
  private waiters = new Set<() => void>();

  private constructor(private readonly port: SerialPort) {
    port.on("data", (d: Buffer) => {
      const s = d.toString("latin1");
      this.rx += s;
      this.all += s;
      this.chunks.push(d.length);
      for (const w of [...this.waiters]) w();
    });
  }

  static open(path: string, baudRate = 115200): Promise<AtClient> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    return new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve(new AtClient(port)))));
  }

  /** Write and wait until the bytes have left this process. */
  write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : Buffer.from(data);
    return new Promise((resolve, reject) => {
      this.port.write(bytes, (err) => (err ? reject(err) : this.port.drain(() => resolve())));
    });
  }

  /** Wait for the pattern in the unconsumed input; consume through the end of the match. */
  expect(pattern: RegExp | string, timeoutMs = WAIT_MS): Promise<RegExpExecArray> {
    const re = typeof pattern === "string" ? new RegExp(escapeRegExp(pattern)) : pattern;
    return this.until(() => {
      const m = re.exec(this.rx);
      if (m === null) return undefined;
      this.rx = this.rx.slice(m.index + m[0].length);
      return m;
    }, timeoutMs, `${re}`);
  }

  /** The next n raw bytes. */
  bytes(n: number, timeoutMs = WAIT_MS): Promise<Buffer> {
    return this.until(() => {
      if (this.rx.length < n) return undefined;
      const out = Buffer.from(this.rx.slice(0, n), "latin1");
      this.rx = this.rx.slice(n);
      return out;
    }, timeoutMs, `${n} bytes`);
  }

  /** Send a command line and wait for its final OK (or another pattern). */
  async cmd(line: string, until: RegExp | string = /\r\nOK\r\n/, timeoutMs = WAIT_MS): Promise<RegExpExecArray> {
    await this.write(`${line}\r\n`);
    return this.expect(until, timeoutMs);
  }

  /** Nothing matching arrives within ms. */
  async quiet(pattern: RegExp, ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    if (pattern.test(this.rx)) throw new Error(`unexpected ${pattern} in ${JSON.stringify(this.rx)}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }

  private until<T>(take: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = take();
        if (v === undefined) return;
        done();
        resolve(v);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms; unconsumed: ${JSON.stringify(this.rx.slice(-400))}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
