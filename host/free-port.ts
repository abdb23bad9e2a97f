// A TCP port that is free right now on a loopback address: listen on port 0, read the port the
// kernel chose, close. Another process may take it before it is used; callers that start a
// server on it should retry with a new port when the bind fails.
import net from "node:net";

/** A port number that nothing listened on at host a moment ago. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close((err) => (err ? reject(err) : port > 0 ? resolve(port) : reject(new Error(`no port from ${String(address)}`))));
    });
  });
}
