// Checks before a run, on a parsed configuration: what cannot work is a usage error (one line,
// exit 2) before anything starts, instead of a failure minutes into the run; what cannot happen
// as configured is a warning line.
import { usageError } from "../host/errors.ts";
import { builtProfiles } from "../host/budget-report.ts";
import type { FleetConfig } from "./config-types.ts";
import { checkLogin } from "./credentials.ts";

/** A time that must be more than 0 (an interval of 0 made every sensor publish in a tight loop). */
export function positive(where: string, given: unknown, n: number): number {
  if (!(n > 0)) throw usageError(`${where} must be more than 0, got '${String(given)}'`);
  return n;
}

/** Throws a usage error for a run that cannot work; returns warnings for parts that cannot happen. */
export function preflight(cfg: FleetConfig): string[] {
  if (cfg.version === 5 && cfg.broker === undefined) {
    throw usageError("-V 5: the embedded broker speaks MQTT 3.1.1 only: give --broker (e.g. a mosquitto) or drop -V 5");
  }
  for (const [where, c] of [["", cfg.credentials], ...cfg.groups.map((g) => [`group '${g.name}': `, g.credentials] as const)] as const) {
    try {
      checkLogin(c, cfg.version);
    } catch (e) {
      throw usageError(`${where}${(e as Error).message}`);
    }
  }
  const known = profilesBuilt();
  const warnings: string[] = [];
  for (const g of cfg.groups) {
    if (known && !known.includes(g.profile)) throw usageError(`profile '${g.profile}' is unknown (use ${known.join(", ")})`);
    for (const o of g.link.outages) {
      if (o.atS >= cfg.durationS) warnings.push(`group '${g.name}': the outage at ${o.atS} s never starts within the ${cfg.durationS} s run (--duration)`);
    }
  }
  return warnings;
}

/** The profiles built, or undefined when there is no build yet (the run then says how to build). */
function profilesBuilt(): string[] | undefined {
  try {
    return builtProfiles();
  } catch {
    return undefined;
  }
}
