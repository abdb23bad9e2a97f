// mote sub: subscribe to every -t filter at QoS -q and print each message: the payload, or
// 'topic payload' with -v, one per line. -C n exits after n messages with a normal DISCONNECT
// (so no will is published); -W s exits s seconds after connecting (status 1 when nothing
// arrived). A dropped connection is survived: the Device reconnects and resubscribes (or, with
// -c, resumes the session).
import { reasonLine } from "../device.ts";
import type { CliConfig } from "./config.ts";
import { CliExit, Session } from "./session.ts";

const NL = Buffer.from("\n");

export async function runSub(cfg: CliConfig, interrupted: Promise<void>, warn: (line: string) => void): Promise<number> {
  let received = 0;
  let timedOut = false;
  let finish!: () => void;
  const finished = new Promise<void>((r) => { finish = r; });
  void interrupted.then(() => finish());
  const onMessage = (topic: string, payload: Buffer) => {
    if (cfg.count !== undefined && received >= cfg.count) return; // arrived while the DISCONNECT was on its way
    received++;
    process.stdout.write(cfg.verbose ? Buffer.concat([Buffer.from(`${topic} `, "utf8"), payload, NL]) : Buffer.concat([payload, NL]));
    if (cfg.count !== undefined && received >= cfg.count) finish();
  };
  // The listener goes on before connecting: a resumed session (-c) delivers right after CONNACK.
  const session = await Session.open(cfg, (d) => d.on("message", onMessage));
  const device = session.device;
  const timer = cfg.timeoutS === undefined ? undefined : setTimeout(() => { timedOut = true; finish(); }, cfg.timeoutS * 1000);

  try {
    const subs = cfg.topics.map((topic) => ({ topic, qos: cfg.qos }));
    const codes = await session.guard(Promise.race([device.subscribe(subs, { properties: cfg.subscribeProperties }), finished.then(() => undefined)]));
    if (codes) {
      const refused = cfg.topics.map((t, i) => [t, codes[i] ?? 0x80] as const).filter(([, c]) => c >= 0x80);
      const list = refused.map(([t, c]) => `'${t}' ${reasonLine(c)}`).join(", ");
      if (refused.length === cfg.topics.length) throw new CliExit(1, `the broker refused the subscription${refused.length > 1 ? "s" : ""}: ${list}`);
      if (refused.length > 0) warn(`warning: the broker refused ${list}`);
    }
    await session.guard(finished);
  } finally {
    clearTimeout(timer);
    await session.end();
  }
  if (timedOut && received === 0) throw new CliExit(1, `timed out: no message in ${cfg.timeoutS} s`);
  return 0;
}
