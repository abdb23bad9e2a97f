// The budget of each built firmware profile, as the module itself reports it: Wasm size,
// every region's offset and size, the static memory they span and the linear memory an
// instance gets. Used by the README's budget table and by the simulator's reports.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Firmware, wasmPath } from "./firmware.ts";
import { BUDGET_NAMES, type BudgetName } from "./abi.ts";
import { PACKAGE_ROOT } from "./package-root.ts";
import type { McuSizes } from "../firmware/mcu/sizes-table.mjs";

export interface ProfileBudget {
  profile: string;
  wasmBytes: number;
  mqtt5: boolean;
  regions: { name: string; offset: number; size: number }[];
  /** Bytes from address 0 to the end of the last region. */
  staticBytes: number;
  /** Linear memory of one instance (whole 64 KiB pages). */
  memoryBytes: number;
  budgets: Record<BudgetName, number>;
}

export function builtProfiles(): string[] {
  const list = join(wasmPath("x"), "..", "profiles.json");
  return JSON.parse(readFileSync(list, "utf8")) as string[];
}

export function profileBudget(profile: string): ProfileBudget {
  const fw = new Firmware(profile);
  const regions = fw.regions();
  return {
    profile,
    wasmBytes: statSync(wasmPath(profile)).size,
    mqtt5: fw.budget("MQTT5_ENABLED") === 1,
    regions,
    staticBytes: Math.max(...regions.map((r) => r.offset + r.size)),
    memoryBytes: fw.exports.memory.buffer.byteLength,
    budgets: fw.budgets(),
  };
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** The README's budget table (Markdown), one column per profile. */
export function budgetTable(profiles = builtProfiles()): string {
  const all = profiles.map(profileBudget);
  const head = `| | ${all.map((b) => `\`${b.profile}\``).join(" | ")} |`;
  const rule = `|---|${all.map(() => "---:").join("|")}|`;
  const row = (label: string, f: (b: ProfileBudget) => string) => `| ${label} | ${all.map(f).join(" | ")} |`;
  const rows = [
    row("MQTT versions", (b) => (b.mqtt5 ? "3.1.1, 5.0" : "3.1.1")),
    row("**Wasm module (bytes)**", (b) => `**${fmt(b.wasmBytes)}**`),
    ...all[0].regions.map((r) => row(`region \`${r.name}\``, (b) => fmt(b.regions.find((x) => x.name === r.name)!.size))),
    row("static memory (bytes)", (b) => fmt(b.staticBytes)),
    row("linear memory per instance", (b) => `${fmt(b.memoryBytes / 1024)} KiB`),
    ...(["INFLIGHT_COUNT_MAX", "REQUEST_SLOTS", "INBOUND_QOS2_SLOTS", "TOPIC_ALIAS_OUT_SLOTS", "TOPIC_ALIAS_IN_SLOTS"] as const)
      .map((n) => row(`\`${n}\``, (b) => fmt(b.budgets[n]))),
  ];
  return [head, rule, ...rows].join("\n");
}

const START = "<!-- budget-table:start -->";
const END = "<!-- budget-table:end -->";

/** The README with its budget table replaced by the current one. */
export function readmeWithTable(readme: string, table = budgetTable()): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error("README has no budget-table markers");
  return `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`;
}

export { BUDGET_NAMES };

/** build/mcu/sizes.json (npm run build:mcu), or undefined when there is no Cortex-M4 build. */
export function mcuSizes(): McuSizes | undefined {
  try {
    return JSON.parse(readFileSync(join(PACKAGE_ROOT, "build", "mcu", "sizes.json"), "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * The Cortex-M4 sizes as a Markdown table (the README's, without its markers), or a line saying
 * how to get them. The table's script is loaded only here, from the sources (`npm run budgets`):
 * the package's compiled host never needs it.
 */
async function mcuTable(): Promise<string> {
  const sizes = mcuSizes();
  if (!sizes) return "no Cortex-M4 build: npm run build:mcu (needs wabt, gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm)";
  const { sizesTable } = await import("../firmware/mcu/sizes-table.mjs");
  return sizesTable(sizes).split("\n").filter((line) => !line.startsWith("<!--")).join("\n");
}

if (process.argv[1] && process.argv[1].endsWith("budget-report.ts")) {
  if (process.argv.includes("--readme")) {
    const path = join(wasmPath("x"), "..", "..", "..", "README.md");
    writeFileSync(path, readmeWithTable(readFileSync(path, "utf8")));
    console.log(`updated the budget table in ${path}`);
  } else {
    const json = () => JSON.stringify({ wasm: builtProfiles().map(profileBudget), cortexM4: mcuSizes() ?? null }, null, 2);
    if (process.argv.includes("--json")) console.log(json());
    else {
      console.log(`Wasm (the module, as V8 runs it):\n\n${budgetTable()}\n`);
      void mcuTable().then((t) => console.log(`Cortex-M4 (the same module through wasm2c, arm-none-eabi-gcc -Os):\n\n${t}`));
    }
  }
}
