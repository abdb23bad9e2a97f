// How a fleet run is laid out before it starts: which sensor ids of each group this shard runs,
// which groups are left out (and why), and how long the drain may wait.
import { usageError } from "../host/errors.ts";
import { profileBudget } from "../host/budget-report.ts";
import type { FleetConfig, GroupConfig } from "./config-types.ts";
import type { GroupRun } from "./group.ts";
import { socatOnPath } from "./modem-line.ts";
import { shardRange } from "./units.ts";

const MS_PER_S = 1000;

/** Groups of this shard: each group's global ids intersected with the shard's range (none for a group left out). */
export function planGroups(cfg: FleetConfig, leftOut: ReadonlyMap<GroupConfig, string>): {
  groups: { index: number; first: number; end: number }[]; ids: { first: number; end: number };
} {
  const ids = shardRange(cfg.sensors, cfg.shard);
  let start = 0;
  const groups = cfg.groups.map((g, index) => {
    const first = Math.max(start, ids.first);
    const end = leftOut.has(g) ? first : Math.min(start + g.count, ids.end);
    start += g.count;
    return { index, first, end: Math.max(first, end) };
  });
  return { groups, ids };
}

const NO_MODEMS_ON_VIRTUAL_TIME = "emulated modems run on real ptys in real time, not on virtual time";
const NO_SOCAT = "emulated modems need socat on the PATH (Debian: apt-get install socat)";

/** Modem groups that cannot run here: an error, or for an optional group a warning and no sensors. */
export function groupsLeftOut(cfg: FleetConfig, warn: (line: string) => void): Map<GroupConfig, string> {
  const out = new Map<GroupConfig, string>();
  if (cfg.time === "virtual") {
    // Only optional ones get here (sim/config.ts refuses the others): their modems sit on real ptys, in real time.
    for (const g of cfg.groups.filter((x) => x.modem)) {
      warn(`group '${g.name}' left out: ${NO_MODEMS_ON_VIRTUAL_TIME}`);
      out.set(g, NO_MODEMS_ON_VIRTUAL_TIME);
    }
    return out;
  }
  if (!cfg.groups.some((g) => g.modem) || socatOnPath()) return out;
  for (const g of cfg.groups.filter((x) => x.modem)) {
    if (!g.optional) throw usageError(`group '${g.name}': ${NO_SOCAT}`);
    warn(`group '${g.name}' left out: ${NO_SOCAT}`);
    out.set(g, NO_SOCAT);
  }
  return out;
}

/**
 * The drain's limit: --drain, and after scheduled outages also the firmware's longest reconnect
 * back-off. Outages end with publishing, but a sensor cut by the last one waits out its back-off
 * before it reconnects and sends what it holds; a 10 s drain counted that as lost.
 */
export function drainLimitS(drainS: number, groups: GroupRun[]): number {
  const cut = groups.filter((g) => g.cfg.link.outages.length > 0);
  if (cut.length === 0) return drainS;
  return drainS + Math.max(...cut.map((g) => profileBudget(g.cfg.profile).budgets.RECONNECT_MAX_MS)) / MS_PER_S;
}

