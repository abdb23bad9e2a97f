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

/**
 * The report's fields that describe the machine and when it ran rather than the simulated fleet
 * (paths into report.json). On virtual time everything else is the same for the same seed,
 * config and command line: test/sim/virtual-determinism.test.ts holds it to that.
 */
export const MACHINE_FIELDS = ["startedAt", "health", "device.hostBytesPerSensor", "device.rssBytesPerSensor"] as const;

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
