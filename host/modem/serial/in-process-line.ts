// A serial line inside one process: the driver's end is a SerialDevice, the modem's end takes
// and gives bytes. Tests run the driver against the modem emulator on it with no pty and no
// socat. Bytes arrive on the next turn of the event loop, in order, as they would from a port
// (never inside the writer's call). unplug() ends both sides as a vanished USB modem would.
import type { LineEvent, SerialDevice, SerialLink } from "./serial-link.ts";

/** The modem's end of the line. */
export interface ModemLineEnd {
  readonly path: string;
  write(bytes: Uint8Array): void;
  onData(listener: (bytes: Buffer) => void): void;
  close(): void;
}

export interface InProcessLine {
  /** The driver's end. */
  readonly device: SerialDevice;
  /** The modem's end. */
  readonly modem: ModemLineEnd;
  /** Both ends go away: the driver sees its port closed (unplugged), writes fail, opens fail. */
  unplug(): void;
}

/** Delivers chunks in order on a later turn. */
class Lane {
  private readonly queue: Buffer[] = [];
  private scheduled = false;
  constructor(private readonly deliver: (bytes: Buffer) => void) {}

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.queue.push(Buffer.from(bytes));
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (let b = this.queue.shift(); b !== undefined; b = this.queue.shift()) this.deliver(b);
    });
  }

  clear(): void {
    this.queue.length = 0;
  }
}

export function inProcessLine(path = "in-process"): InProcessLine {
  let unplugged = false;
  let hostEvents: ((e: LineEvent) => void) | undefined;
  let modemListener: ((bytes: Buffer) => void) | undefined;
  const toModem = new Lane((b) => modemListener?.(b));
  const toHost = new Lane((bytes) => hostEvents?.({ kind: "data", bytes }));

  const device: SerialDevice = {
    path,
    async open(onEvent) {
      if (unplugged) return { failure: "No such file or directory" };
      hostEvents = onEvent;
      const link: SerialLink = {
        write(bytes, done) {
          if (unplugged || hostEvents !== onEvent) return setImmediate(() => done("Input/output error"));
          toModem.push(bytes);
          setImmediate(() => done(undefined));
        },
        drain: (done) => setImmediate(done),
        close() {
          if (hostEvents === onEvent) hostEvents = undefined;
        },
      };
      return link;
    },
  };

  const modem: ModemLineEnd = {
    path,
    write: (bytes) => {
      if (!unplugged) toHost.push(bytes);
    },
    onData: (listener) => (modemListener = listener),
    close: () => (modemListener = undefined),
  };

  return {
    device,
    modem,
    unplug() {
      if (unplugged) return;
      unplugged = true;
      toModem.clear();
      toHost.clear();
      const events = hostEvents;
      hostEvents = undefined;
      setImmediate(() => events?.({ kind: "closed", unplugged: true }));
    },
  };
}
