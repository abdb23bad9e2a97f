// The README's budget table is the one the built modules report (run `npx tsx host/budget-report.ts --readme`
// after a budget or size change).
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { budgetTable, readmeWithTable } from "../../host/budget-report.ts";

describe("README", () => {
  test("shows the budget table of the modules as built", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(budgetTable());
    expect(readmeWithTable(readme)).toBe(readme);
  });

  test("names npm test as the test command and npm start as the main job", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(readme).toMatch(/^npm test\b/m);
    expect(readme).toMatch(/npm start/);
    expect(pkg.scripts.test).toMatch(/vitest run/);
    expect(pkg.scripts.start).toMatch(/sim\/cli\.ts --config sim\/demo\.json/);
  });
});
