// Entry point of `npm start` (tsx sim/cli.ts --config sim/demo.json [flags]) and of
// `tsx sim/cli.ts [flags]`. Ctrl-C ends the run early, still with a report; a second one exits.
import { runSim } from "./main.ts";

let interrupt!: () => void;
const interrupted = new Promise<void>((r) => (interrupt = r));
process.once("SIGINT", () => {
  interrupt();
  process.once("SIGINT", () => process.exit(130));
});
runSim(process.argv.slice(2), undefined, interrupted).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`mote sim: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
