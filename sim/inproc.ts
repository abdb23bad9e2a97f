// An in-process byte pipe: two Duplex ends, what one writes the other reads. Lets a firmware
// device talk to the embedded broker without sockets (no file descriptors, no kernel copies).
import { Duplex } from "node:stream";

export function duplexPair(): [Duplex, Duplex] {
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      // Delivered on the microtask queue, in order: a synchronous push would let the two ends
      // call into each other recursively (aedes answers inside our write), which overflows the
      // stack under a fleet's load.
      write(chunk, _enc, cb) {
        queueMicrotask(() => {
          const p = peer();
          if (!p.destroyed) p.push(chunk);
        });
        cb();
      },
      final(cb) {
        queueMicrotask(() => peer().push(null));
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
