// Where our client may legitimately differ from what a mosquitto sequence expects, written
// down with the reason in deviations.json. Three kinds:
//   packet-field      a field of an expected packet of type `packet` may differ (compared by meaning,
//                     see packet-diff.ts); with `got`, only to that value (JSON, as packet-diff shows it)
//   outcome           the case's expected outcome contradicts the specification; the spec's applies
//   protocol-version  the case's protocol version is not implemented; it runs as `runAs`
import { readFileSync } from "node:fs";
import type { MosquittoCase } from "./mosquitto-cases.ts";
import type { FieldDiff } from "./packet-diff.ts";

interface Common { case: string; group?: string; version: number; what: string; why: string; rule: string }
export type Deviation =
  | (Common & { kind: "packet-field"; packet: string; field: string; got?: string })
  | (Common & { kind: "outcome"; expect: "alive" | "disconnect" })
  | (Common & { kind: "protocol-version"; runAs: 4 | 5 });

export const DEVIATIONS: Deviation[] = JSON.parse(readFileSync(new URL("./deviations.json", import.meta.url), "utf8"));

function applies(d: Deviation, c: MosquittoCase): boolean {
  return d.version === c.version && (d.case === "*" || d.case === c.name) && (d.group === undefined || d.group === c.group);
}

export function deviationsFor(c: MosquittoCase): Deviation[] {
  return DEVIATIONS.filter((d) => applies(d, c));
}

/** The packet-field deviation that excuses this difference in an expected packet of type `packet`, if any. */
export function excuse(deviations: Deviation[], packet: string, d: FieldDiff): Deviation | undefined {
  return deviations.find((x) => x.kind === "packet-field" && x.packet === packet && x.field === d.field && (x.got === undefined || x.got === d.actual));
}
