// Numbers as people read them: bytes in B/kB/MB/GB (SI, 1000), durations in ms/s/min/h, ratios in %.

const UNIT_STEP = 1000;
const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB"];
const SIGNIFICANT = 3;

/** 812 B, 1.24 kB, 35.2 MB: three significant digits above 1 kB. */
export function humanBytes(n: number): string {
  let v = n;
  let u = 0;
  while (Math.abs(v) >= UNIT_STEP && u < BYTE_UNITS.length - 1) {
    v /= UNIT_STEP;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${Number(v.toPrecision(SIGNIFICANT))} ${BYTE_UNITS[u]}`;
}

/** 0.4 ms, 12 ms, 3.2 s, 4 min 10 s, 2 h 5 min, 30 d, 3 d 4 h (days from 48 h). */
export function humanMs(ms: number): string {
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 10_000) return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const min = Math.round(s / 60);
  if (min < 48 * 60) return `${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ""}`;
  const h = Math.round(min / 60);
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ""}`;
}

/** A run's length in seconds: as given up to a minute (20 s, 2.5 s), then in words (5 min, 30 d). */
export function humanSeconds(s: number): string {
  return s < 60 ? `${s} s` : humanMs(s * 1000);
}

/** A share as a percentage with two decimals, never rounded up to 100% (99.996% is 99.99%). */
export function humanPercent(part: number, whole: number): string {
  if (whole <= 0) return "n/a";
  const p = Math.floor((part / whole) * 10_000) / 100;
  return `${p.toFixed(2)}%`;
}
