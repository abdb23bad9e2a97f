// The report after its summary panel, section by section, as data: report-markdown.ts and
// report-html.ts render the same sections in the same order, so the two files cannot disagree.
// Charts are report.html's own; every number they draw is in a table of both files or in report.json.
import { humanSeconds } from "./human-units.ts";
import type { FleetReport } from "./report-types.ts";
import { formatNumber, type Section } from "./report-cells.ts";
import { deliverySections } from "./report-tables.ts";
import { costSections } from "./report-tables-bytes.ts";
import { runSections } from "./report-tables-run.ts";

/** Every section of the report, in the order both files show them. */
export function reportSections(r: FleetReport): Section[] {
  const run = runSections(r);
  return [...run.first, ...deliverySections(r), ...costSections(r), ...run.last];
}

/** The run in one sentence (unescaped), under the panel's verdict. */
export function headline(r: FleetReport): string {
  const s = r.shard;
  const shard = s.n > 1 ? ` (shard ${s.k} of ${s.n}: ids ${s.firstId}-${s.lastId} of a fleet of ${formatNumber(s.fleetSensors)})`
    : r.shards ? ` (merged from ${r.shards.length} of ${r.shards[0].n} shards)` : "";
  const duration = r.interrupted ? `${humanSeconds(r.durationS)} of ${humanSeconds(r.configuredDurationS)} (interrupted)` : humanSeconds(r.durationS);
  const virtual = r.health.speed?.time === "virtual" ? " on virtual time" : "";
  return `${formatNumber(r.sensors)} sensors${shard} against ${r.broker}, MQTT ${r.protocol}, firmware profile ${r.profile}, ` +
    `for ${duration}${virtual} with seed ${r.seed}, started ${r.startedAt}.`;
}
