// The real serial port under the modem driver: the only place the driver's side touches
// serialport. Thin on purpose: it turns serialport's events and callbacks into LineEvents and
// failure values, and stops reporting once closed (its own "close" event is ours, not news).
import { SerialPort } from "serialport";
import type { LineEvent, SerialDevice, SerialLink } from "./serial-link.ts";

export function serialPortDevice(path: string, baudRate: number): SerialDevice {
  return {
    path,
    open(onEvent: (e: LineEvent) => void): Promise<SerialLink | { failure: string }> {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      let open = true;
      const report = (e: LineEvent) => {
        if (open) onEvent(e);
      };
      port.on("data", (bytes: Buffer) => report({ kind: "data", bytes }));
      port.on("error", (e: Error) => report({ kind: "error", reason: e.message }));
      port.on("close", (e?: { disconnected?: boolean }) => report({ kind: "closed", unplugged: e?.disconnected === true }));
      const link: SerialLink = {
        write: (bytes, done) => port.write(bytes, (e) => done(e ? e.message : undefined)),
        drain: (done) => port.drain(() => done()),
        close: () => {
          open = false;
          if (port.isOpen) port.close(() => {});
        },
      };
      return new Promise((resolve) => port.open((e) => resolve(e ? { failure: e.message } : link)));
    },
  };
}
