// Whether a fleet run kept its promises: every sensor let in, nothing lost at QoS 1/2, nothing
// twice at QoS 2. The verdict is part of the report and decides the exit status.
import type { FleetReport } from "./report-types.ts";

export function verdictOf(r: Pick<FleetReport, "errors" | "groups" | "boards" | "shards">): FleetReport["verdict"] {
  const problems: string[] = [];
  // A merge of some shards counts some of the fleet: what the others did is not known.
  const n = r.shards?.[0]?.n ?? 0;
  if (r.shards && r.shards.length < n) {
    const have = new Set(r.shards.map((s) => s.k));
    const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !have.has(k));
    problems.push(`${missing.length} of ${n} shards missing (${missing.map((k) => `${k}/${n}`).join(", ")}): their sensors are not counted`);
  }
  // A refused login loses what the sensor would have sent, at QoS 0 too: the run did not do what was asked.
  for (const e of r.errors.filter((x) => x.kind === "connect refused")) problems.push(`${e.count} connections refused by the broker (${e.example})`);
  for (const g of r.groups) {
    if (g.qos > 0 && g.messages.lost > 0) problems.push(`group '${g.name}': ${g.messages.lost} QoS ${g.qos} messages lost`);
    if (g.qos === 2 && g.messages.duplicates > 0) problems.push(`group '${g.name}': ${g.messages.duplicates} QoS 2 messages delivered twice`);
  }
  for (const b of r.boards ?? []) if (b.lost > 0) problems.push(`board '${b.clientId}': ${b.lost} QoS 1 readings lost`);
  return { passed: problems.length === 0, problems };
}
