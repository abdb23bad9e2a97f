// Entry point of `npm start` (tsx sim/cli.ts --config sim/demo.json [flags]) and of
// `tsx sim/cli.ts [flags]`. Ctrl-C ends the run early, still with a report; a second one exits.
import { runSim } from "./main.ts";

/**
 * tsx relays the terminal's SIGINT to this process, which the terminal also signals: one Ctrl-C
 * can arrive twice. Only a SIGINT this long after the first counts as a second Ctrl-C.
 */
const SECOND_SIGNAL_AFTER_MS = 1000;

let interrupt!: () => void;
const interrupted = new Promise<void>((r) => (interrupt = r));
let firstAt = 0;
process.on("SIGINT", () => {
  if (firstAt === 0) {
    firstAt = performance.now();
    interrupt();
  } else if (performance.now() - firstAt > SECOND_SIGNAL_AFTER_MS) process.exit(130);
});
runSim(process.argv.slice(2), undefined, interrupted).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`mote sim: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
