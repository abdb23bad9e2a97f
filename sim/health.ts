// The simulator's own health over a run: event-loop lag and CPU use. A fleet's latency figures are
// only as good as the loop that timestamps them: a loop that lags 300 ms adds up to 300 ms to
// every latency it measures. The report shows both, and a warning when the simulator itself was
// the bottleneck, so broker latency can be told from simulator stalls.
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { availableParallelism } from "node:os";
import { realTimers } from "./virtual-timers.ts";
import type { SimulatorSpeed } from "./speed.ts";

/** The lag sampler's period: each sample is how late a timer of this period fired. */
const LAG_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;
const US_PER_MS = 1e3;
const PERCENT = 100;
/** Above either, the simulator was the bottleneck: the run's latencies include its own delays. */
export const BOTTLENECK_LAG_P99_MS = 100;
export const BOTTLENECK_CPU_PERCENT = 90;

export interface SimulatorHealth {
  /** How late the simulator's event loop ran timers (ms), over the run. */
  eventLoopLagMs: { p50: number; p99: number; max: number };
  /** Process CPU time over wall time, in % of one core (the event loop runs on one). */
  cpuPercent: number;
  /** Cores available to the process. */
  cores: number;
  /** Set when the simulator itself was the bottleneck. */
  warning?: string;
  /** How fast it went: simulated seconds per wall second, messages per CPU second. */
  speed?: SimulatorSpeed;
}

/** What a health monitor measured; a pure function of it gives the report's figures. */
export function healthOf(
  lagMs: { p50: number; p99: number; max: number }, cpuMs: number, wallMs: number, cores: number, virtual = false,
): SimulatorHealth {
  const round1 = (n: number) => Math.round(n * 10) / 10;
  const lag = { p50: round1(lagMs.p50), p99: round1(lagMs.p99), max: round1(lagMs.max) };
  const cpuPercent = wallMs > 0 ? Math.round((PERCENT * cpuMs) / wallMs) : 0;
  const causes: string[] = [];
  if (virtual) return { eventLoopLagMs: lag, cpuPercent, cores };
  if (lag.p99 > BOTTLENECK_LAG_P99_MS) causes.push(`event-loop lag p99 ${lag.p99} ms (max ${lag.max} ms)`);
  if (cpuPercent > BOTTLENECK_CPU_PERCENT) causes.push(`CPU ${cpuPercent}% of one core`);
  return {
    eventLoopLagMs: lag, cpuPercent, cores,
    ...(causes.length > 0 && {
      warning: `the simulator itself was the bottleneck: ${causes.join(", ")}; ` +
        `latencies include up to ${lag.max} ms of its own delay (fewer sensors per process, or --shard, give truer figures)`,
    }),
  };
}

/** Measures the event loop and CPU from `start()` to `stop()`. */
export class HealthMonitor {
  private readonly lag: IntervalHistogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  private cpu0 = process.cpuUsage();
  private wall0 = realTimers.now();

  start(): void {
    this.cpu0 = process.cpuUsage();
    this.wall0 = realTimers.now();
    this.lag.enable();
  }

  /** On virtual time (`virtual`) the simulator's pace cannot touch a simulated latency: no bottleneck warning. */
  stop(virtual = false): SimulatorHealth {
    this.lag.disable();
    const cpu = process.cpuUsage(this.cpu0);
    // A sample is the whole timer period; the lag is what exceeds it.
    const late = (ns: number) => (this.lag.count > 0 ? Math.max(0, ns / NS_PER_MS - LAG_RESOLUTION_MS) : 0);
    return healthOf(
      { p50: late(this.lag.percentile(50)), p99: late(this.lag.percentile(99)), max: late(this.lag.max) },
      (cpu.user + cpu.system) / US_PER_MS, realTimers.now() - this.wall0, availableParallelism(), virtual,
    );
  }
}
