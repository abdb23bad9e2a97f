// The README's table of folders matches the tree: every source folder has a row, every row names a
// folder that exists, and every file a row names exists in that folder or below it.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../style/source.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
/** Rows of the table under "How it fits together": folder (without the trailing slash) -> text. */
const rows = new Map(
  [...readme.matchAll(/^\| `([^`]+)\/?` \| (.*) \|$/gm)]
    .filter(([, folder]) => /^(firmware|host|sim|bin)(\/|$)/.test(folder))
    .map(([, folder, text]) => [folder.replace(/\/$/, "").replace(/\/[^/]+\.ts$/, ""), text] as const)
    .reduce((m, [f, t]) => m.set(f, `${m.get(f) ?? ""} ${t}`), new Map<string, string>()),
);

function folders(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).filter((n) => statSync(join(ROOT, dir, n)).isDirectory() && n !== "node_modules")
    .flatMap((n) => [`${dir}/${n}`, ...folders(`${dir}/${n}`)]);
}

const SOURCE = /\.(ts|mjs)$/;
const tree = ["firmware", "host", "sim", "bin"].flatMap((d) => [d, ...folders(d)])
  .filter((d) => readdirSync(join(ROOT, d)).some((n) => SOURCE.test(n)));

describe("README folder table", () => {
  it("has a row for every source folder (a folder's row may cover its subfolders)", () => {
    const missing = tree.filter((d) => ![...rows.keys()].some((r) => d === r || d.startsWith(`${r}/`)));
    expect(missing).toEqual([]);
  });

  it("names only folders that exist", () => {
    expect([...rows.keys()].filter((r) => !existsSync(join(ROOT, r)))).toEqual([]);
  });

  it("names only files that exist in the row's folder or below it", () => {
    const under = (folder: string): string[] => [folder, ...folders(folder)].flatMap((d) => readdirSync(join(ROOT, d)));
    // A bare name is looked for under the row's folder; a path (driver/steps.ts, host/abi.ts) from the folder or the top.
    const exists = (folder: string, name: string) =>
      name.includes("/") ? existsSync(join(ROOT, folder, name)) || existsSync(join(ROOT, name)) : under(folder).includes(name);
    const stale = [...rows].flatMap(([folder, text]) => [...text.matchAll(/`((?:[\w-]+\/)*[\w.-]+\.(?:ts|mjs))`/g)]
      .map((m) => m[1]).filter((name) => !exists(folder, name)).map((name) => `${folder}: ${name}`));
    expect(stale).toEqual([]);
  });
});
