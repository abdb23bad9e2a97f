// Builds one Wasm module per budget profile into build/firmware/<profile>.wasm.
// The core imports "./budget"; for each profile that import is served from
// firmware/profiles/<profile>.ts, so every capacity lives in exactly one file per profile.
// The custom runtime (firmware/runtime/noalloc.ts) turns any reachable allocation into a
// compile error: a successful build is the proof that the firmware never allocates.
import asc from "assemblyscript/asc";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const outDir = join(root, "build", "firmware");
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const profiles = wanted.length
  ? wanted
  : readdirSync(join(here, "profiles")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

const force = process.argv.includes("--force");

const sourceTime = Math.max(newestMtime(here), statSync(join(root, "asconfig.json")).mtimeMs);
mkdirSync(outDir, { recursive: true });

let failed = false;
for (const profile of profiles) {
  const out = join(outDir, `${profile}.wasm`);
  let upToDate = false;
  try { upToDate = !force && statSync(out).mtimeMs > sourceTime; } catch { /* not built yet */ }
  if (upToDate) continue;
  const profileSource = readFileSync(join(here, "profiles", `${profile}.ts`), "utf8");
  const stderr = [];
  const { error } = await asc.main(
    ["firmware/index.ts", "--config", "asconfig.json", "--target", "release", "--outFile", out],
    {
      readFile(filename, baseDir) {
        const abs = resolve(baseDir, filename);
        if (abs === join(here, "budget.ts")) return profileSource;
        try { return readFileSync(abs, "utf8"); } catch { return null; }
      },
      stderr: { write: (s) => { stderr.push(String(s)); return true; } },
    },
  );
  if (error) {
    failed = true;
    process.stderr.write(`firmware profile '${profile}' failed to build:\n${stderr.join("")}\n`);
  } else {
    execFileSync(process.execPath, [join(here, "shrink.mjs"), out], { stdio: "inherit" });
    process.stdout.write(`firmware ${profile}: ${statSync(out).size} bytes -> ${out}\n`);
  }
}
// Record the build so tests and reports can name the profiles that exist.
if (!failed) writeFileSync(join(outDir, "profiles.json"), JSON.stringify(profiles.sort()) + "\n");
process.exit(failed ? 1 : 0);
