// Style checks as tests, after TigerBeetle's tidy.zig: the firmware has no clock, no randomness
// and no logging of its own, leaves no anonymous TODOs, and keeps functions and files small.
import { describe, expect, it } from "vitest";
import { BUDGET_NAMES } from "../../host/abi.ts";
import { exportedConstants, functions, sources } from "./source.ts";

const FUNCTION_LINES_MAX = 100;
const FILE_LINES_MAX = 600;

const firmware = sources("firmware");
const profiles = sources("firmware/profiles");

/** Tokens the firmware must not contain, with why. TODOs must name an owner: TODO(name). */
const BANNED: [string, RegExp, string][] = [
  ["Date.now", /\bDate\.now\b/, "time comes from the host as nowMs"],
  ["Math.random", /\bMath\.random\b/, "randomness comes from the seeded PRNG"],
  ["performance.now", /\bperformance\.now\b/, "time comes from the host as nowMs"],
  ["console.", /\bconsole\./, "the firmware has no I/O"],
  ["FIXME", /\bFIXME\b/, "fix it or turn it into a TODO(owner)"],
  ["TODO without an owner", /\bTODO\b(?!\(\w[^)]*\))/, "write TODO(owner)"],
];

function hits(pattern: RegExp): string[] {
  return firmware.flatMap((f) =>
    f.lines.flatMap((line, i) => (pattern.test(line) ? [`${f.path}:${i + 1}: ${line.trim()}`] : [])));
}

describe("the firmware contains no forbidden tokens", () => {
  it("finds firmware sources to check", () => {
    expect(firmware.length).toBeGreaterThan(0);
  });

  it.each(BANNED)("no %s", (_name, pattern, why) => {
    expect(hits(pattern), why).toEqual([]);
  });
});

describe("the firmware stays small", () => {
  it(`no function is longer than ${FUNCTION_LINES_MAX} lines`, () => {
    const long = firmware.flatMap(functions).filter((f) => f.lines > FUNCTION_LINES_MAX)
      .map((f) => `${f.file}:${f.line} ${f.name}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it(`no file is longer than ${FILE_LINES_MAX} lines`, () => {
    const long = firmware.filter((f) => f.lines.length > FILE_LINES_MAX).map((f) => `${f.path}: ${f.lines.length} lines`);
    expect(long).toEqual([]);
  });
});

describe("budget profiles", () => {
  const names = new Map(profiles.map((p) => [p.path, exportedConstants(p)]));
  const all = [...new Set([...names.values()].flat())].sort();

  it("every profile defines the same constant names", () => {
    const missing = [...names].flatMap(([path, own]) => all.filter((n) => !own.includes(n)).map((n) => `${path} lacks ${n}`));
    expect(profiles.length).toBeGreaterThan(1);
    expect(missing).toEqual([]);
  });

  it("the host's budget table names exactly the profiles' constants", () => {
    expect([...BUDGET_NAMES].sort()).toEqual(all);
  });
});
