// An in-process byte pipe: two Duplex ends, what one writes the other reads. Lets a firmware
// device talk to the embedded broker without sockets (no file descriptors, no kernel copies).
import { Duplex } from "node:stream";

export function duplexPair(): [Duplex, Duplex] {
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        const p = peer();
        if (!p.destroyed) p.push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
    });
  const a: Duplex = make(() => b);
  const b: Duplex = make(() => a);
  // Closing one end closes the other, as a socket would.
  a.on("close", () => b.destroy());
  b.on("close", () => a.destroy());
  return [a, b];
}
