// The cells of the report's tables. A number or string from the report is a cell that names its
// JSON path; the value is read through that path, so a cell cannot show anything but the report's
// own value. Bytes and durations are shown in human units (5.97 MB, 4.9 s); report.html keeps the
// exact value beside them (data-value), report.json has it anyway.
import type { FleetReport, GroupReport } from "./report-types.ts";
import { humanBytes, humanMs } from "./human-units.ts";

/** How a number is shown: bytes as B/kB/MB, milliseconds and seconds as ms/s/min, a share of one core as %. */
export type Unit = "bytes" | "ms" | "s" | "percent";

/** A value of the report at `key` (a dot path such as "groups.0.latencyMs.p99"), or text derived from it. */
export type Cell = { key: string; value: number | string; plain?: boolean; unit?: Unit } | { text: string };

export interface Table {
  id: string;
  title: string;
  head: string[];
  rows: Cell[][];
  /** A sentence shown before the table. */
  note?: string;
  /** Shown instead of the table when it has no rows. */
  empty?: string;
}

const MS_PER_S = 1000;

/** The value at a dot path; throws on a path the report does not have (a table built wrong). */
export function valueAt(r: FleetReport, key: string): number | string {
  let v: unknown = r;
  for (const part of key.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
  if (typeof v !== "number" && typeof v !== "string") throw new Error(`the report has no value at ${key}`);
  return v;
}

/** Integers and decimals with en-US thousands separators, every digit kept. */
export function formatNumber(n: number): string {
  const s = String(n);
  if (!/^-?\d+(\.\d+)?$/.test(s)) return s;
  const [int, frac] = s.split(".");
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac === undefined ? "" : `.${frac}`);
}

/** A number in its unit as people read it. */
function inUnit(v: number, unit: Unit): string {
  if (unit === "bytes") return humanBytes(v);
  if (unit === "ms") return humanMs(v);
  if (unit === "s") return humanMs(v * MS_PER_S);
  return `${v}%`;
}

/** A cell's text, before escaping for Markdown or HTML. */
export function cellText(c: Cell): string {
  if ("text" in c) return c.text;
  if (typeof c.value === "number" && c.unit) return inUnit(c.value, c.unit);
  return typeof c.value === "number" && !c.plain ? formatNumber(c.value) : String(c.value);
}

/** A number from the report, or text derived from numbers ("18", "25.7%"): aligned right. */
export const isNumeric = (c: Cell) => ("key" in c ? typeof c.value === "number" : /^-?[\d,]+(\.\d+)?%?$/.test(c.text));

/** Indices of at most `max` evenly spaced items of `n`, the first and the last among them. */
export function evenlySpaced(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
}

/** Cell makers for one report. */
export class Cells {
  readonly groups: { g: GroupReport; p: string }[];
  constructor(readonly r: FleetReport) {
    this.groups = r.groups.map((g, i) => ({ g, p: `groups.${i}` }));
  }
  at(key: string, unit?: Unit): Cell {
    return { key, value: valueAt(this.r, key), ...(unit && { unit }) };
  }
  /** An identifier (seed, sensor id): digits without thousands separators. */
  plain(key: string): Cell {
    return { key, value: valueAt(this.r, key), plain: true };
  }
  text(t: string): Cell {
    return { text: t };
  }
  /** The same fields under one path prefix, all in one unit (or as counts). */
  fields(prefix: string, fields: readonly string[], unit?: Unit): Cell[] {
    return fields.map((f) => this.at(`${prefix}.${f}`, unit));
  }
  /** Rows of [label, value at key], each in its own unit ("" for a count, "plain" for an identifier). */
  labelled(rows: [label: string, key: string, unit?: Unit | "plain"][]): Cell[][] {
    return rows.map(([label, key, unit]) => [this.text(label), unit === "plain" ? this.plain(key) : this.at(key, unit)]);
  }
}

/** A block of a report section: a table (both files), a chart (report.html only; its numbers are in the tables) or preformatted text. */
export type Block = { table: Table } | { chart: string } | { pre: { id: string; title: string; text: string } };

/** A part of the report under one heading; report.md and report.html show the same sections in the same order. */
export interface Section {
  id: string;
  title: string;
  /** A sentence under the heading. */
  note?: string;
  blocks: Block[];
}
