// fast-check settings shared by the property suites: bounded runs, and a seed that can be pinned
// with FC_SEED to replay a failure (fast-check prints the seed and path of every failure).
// FC_SCALE multiplies the number of runs for a longer search (e.g. FC_SCALE=20).
import fc from "fast-check";

const pinned = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const scale = Number(process.env.FC_SCALE ?? 1);

export function runs(numRuns: number): fc.Parameters<unknown> {
  const n = Math.max(1, Math.round(numRuns * scale));
  return pinned === undefined ? { numRuns: n } : { numRuns: n, seed: pinned };
}
