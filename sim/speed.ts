// How fast a simulation went: the time compression (simulated seconds per wall second, about 1 on
// real time) and the messages published per CPU second of the whole process.

export interface SimulatorSpeed {
  time: "real" | "virtual";
  /** From the fleet start to the end of the drain, on the run's clock. */
  simulatedS: number;
  wallS: number;
  /** CPU seconds of the process (user + system), all threads. */
  cpuS: number;
  /** simulatedS / wallS. */
  compression: number;
  messagesPerCpuS: number;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function speedOf(
  time: SimulatorSpeed["time"], simulatedS: number, wallS: number, cpuS: number, run: { groups: { published: number }[] },
): SimulatorSpeed {
  const published = run.groups.reduce((n, g) => n + g.published, 0);
  return {
    time, simulatedS: round(simulatedS, 1), wallS: round(wallS, 2), cpuS: round(cpuS, 2),
    compression: wallS > 0 ? round(simulatedS / wallS, 1) : 0,
    messagesPerCpuS: cpuS > 0 ? Math.round(published / cpuS) : 0,
  };
}
