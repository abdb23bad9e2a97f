// The `mote` command line, above both layers: the host's commands (pub, sub, bridge;
// host/cli/main.ts) and the simulator's, which stand on the host (sim, a fleet; modem, the modem
// emulator; board, the firmware on an emulated Cortex-M4). They meet here so that host/ never imports sim/. Each loads only when asked for.
import { runMote } from "../host/cli/main.ts";

void runMote(process.argv.slice(2), {
  sim: {
    run: async (args, interrupted, setStopGrace) => {
      const { runSim, simStopGraceMs } = await import("../sim/main.ts");
      setStopGrace(simStopGraceMs(args));
      return runSim(args, undefined, interrupted);
    },
  },
  board: {
    help: async () => (await import("../sim/board/cli.ts")).BOARD_HELP,
    run: async (args, interrupted) => {
      const { parseBoardArgs, runBoard } = await import("../sim/board/cli.ts");
      return runBoard(parseBoardArgs(args), interrupted);
    },
  },
  modem: {
    help: async () => (await import("../sim/modem-emulator/cli.ts")).MODEM_HELP,
    run: async (args, interrupted) => {
      const { parseModemArgs, runModem } = await import("../sim/modem-emulator/cli.ts");
      return runModem(parseModemArgs(args), interrupted);
    },
  },
});
