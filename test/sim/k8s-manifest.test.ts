// The Kubernetes Indexed Job of sim/deploy/k8s-indexed-job.yaml, checked and then run here: its
// structure (an Indexed batch/v1 Job with completions = parallelism = SHARDS, each pod's shard from
// JOB_COMPLETION_INDEX, reports on the mounted claim, a merge Job over the same claim, every wait
// bounded), then the pods' own command as SHARDS local processes (sh -c, JOB_COMPLETION_INDEX =
// 0..N-1, BROKER a mosquitto on a loopback port, a smaller fleet) and the merge Job's command: the
// merged counts are the sums of the shards' and every sensor of the fleet published its readings.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetReport } from "../../sim/report-types.ts";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const MANIFEST = join(ROOT, "sim", "deploy", "k8s-indexed-job.yaml");
/** The fleet as this test runs it: small and short (the manifest's is for a cluster). */
const SENSORS = 30;
const DURATION_S = 3;
const RUN_TIMEOUT_MS = 90_000;

interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  restartPolicy: string;
  containers: Container[];
  volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
}
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string; completions?: number; parallelism?: number; backoffLimit?: number; activeDeadlineSeconds?: number;
    accessModes?: string[];
    template: { spec: PodSpec };
  };
}

const docs = parseAllDocuments(readFileSync(MANIFEST, "utf8")).map((d) => d.toJS() as Resource);
const jobs = docs.filter((d) => d.kind === "Job");
const shardsJob = jobs.find((j) => j.spec.completionMode === "Indexed")!;
const mergeJob = jobs.find((j) => j !== shardsJob)!;
const pod = (j: Resource) => j.spec.template.spec;
const container = (j: Resource) => pod(j).containers[0];
const envOf = (j: Resource) => Object.fromEntries(container(j).env.map((e) => [e.name, e.value]));
/** The shell line a container runs: command ["sh", "-c"] and one argument. */
const script = (j: Resource) => {
  expect(container(j).command).toEqual(["sh", "-c"]);
  expect(container(j).args).toHaveLength(1);
  return container(j).args[0];
};
const N = Number(envOf(shardsJob).SHARDS);
/** Where the claim is mounted in a Job's pods. */
function mountOf(j: Resource): { path: string; claim: string } {
  const m = container(j).volumeMounts[0];
  const v = pod(j).volumes.find((x) => x.name === m.name)!;
  return { path: m.mountPath, claim: v.persistentVolumeClaim!.claimName };
}

describe("the manifest", () => {
  it("is a claim, an Indexed Job of the shards and a Job that merges them", () => {
    expect(docs.map((d) => d.kind)).toEqual(["PersistentVolumeClaim", "Job", "Job"]);
    for (const j of jobs) expect(j.apiVersion).toBe("batch/v1");
    expect(shardsJob.spec.completionMode).toBe("Indexed");
    expect(mergeJob.spec.completionMode).toBeUndefined();
    expect(docs[0].apiVersion).toBe("v1");
    expect(docs[0].spec.accessModes).toEqual(["ReadWriteMany"]);
  });

  it(`runs N = SHARDS = ${N} pods at once, each once, bounded in time`, () => {
    expect(N).toBeGreaterThanOrEqual(2);
    expect(shardsJob.spec.completions).toBe(N);
    expect(shardsJob.spec.parallelism).toBe(N);
    expect(envOf(mergeJob).SHARDS).toBe(String(N));
    for (const j of jobs) {
      expect(j.spec.backoffLimit, j.metadata.name).toBe(0);
      expect(pod(j).restartPolicy, j.metadata.name).toBe("Never");
      expect(j.spec.activeDeadlineSeconds, j.metadata.name).toBeGreaterThan(0);
      expect(container(j).image).toBe(container(shardsJob).image);
    }
    expect(mergeJob.spec.activeDeadlineSeconds).toBeGreaterThan(shardsJob.spec.activeDeadlineSeconds!);
  });

  it("gives each pod its shard from JOB_COMPLETION_INDEX and its report a directory on the claim", () => {
    const line = script(shardsJob);
    expect(line).toMatch(/; mote sim /);
    expect(line).toContain(`--shard "$((JOB_COMPLETION_INDEX+1))/$SHARDS"`);
    expect(line).toContain(`--broker "$BROKER"`);
    const { path, claim } = mountOf(shardsJob);
    expect(claim).toBe(docs[0].metadata.name);
    expect(line).toMatch(new RegExp(`^dir="${path}/shard-\\$\\(\\(JOB_COMPLETION_INDEX\\+1\\)\\)"; rm -rf "\\$dir";`));
    expect(line).toContain(`--report "$dir"`);
  });

  it("merges every shard's report from the same claim into one", () => {
    const line = script(mergeJob);
    const { path, claim } = mountOf(mergeJob);
    expect({ path, claim }).toEqual(mountOf(shardsJob));
    expect(line).toContain(`mote sim merge ${path}/shard-* --report ${path}/merged`);
    expect(line).toMatch(/-ge "\$SHARDS"/);
  });
});

/** Runs a pod's shell line here: sh -c, bin/ first on the PATH (so `mote` is bin/mote), the claim at `dir`. */
function runPod(line: string, env: Record<string, string>, mount: string, dir: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", line.replaceAll(`${mount}/`, `${dir}/`)], {
      cwd: dir, env: { ...process.env, ...env, PATH: `${join(ROOT, "bin")}:${process.env.PATH}` }, stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

describe("a pod whose shard wrote no report", () => {
  it("fails (exit 1), so the Job fails instead of leaving the merge waiting for a report that never comes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-k8s-noreport-"));
    try {
      // Nothing listens on port 1: mote sim exits 1 with one line and no report.
      const env = { ...envOf(shardsJob), BROKER: "mqtt://127.0.0.1:1", SENSORS: "3", DURATION: "2s", JOB_COMPLETION_INDEX: "0" };
      const r = await runPod(script(shardsJob), env, mountOf(shardsJob).path, dir);
      expect(r.err).toContain("mote sim: cannot connect to 127.0.0.1:1: connection refused");
      expect(r.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, RUN_TIMEOUT_MS);
});

describe(`the pods' commands, run here as ${N} processes against mosquitto, then the merge`, () => {
  let mosquitto: Mosquitto;
  let dir: string;
  let runs: { code: number | null; err: string }[];
  let merge: { code: number | null; err: string };
  let shards: FleetReport[];
  let merged: FleetReport;
  const read = (path: string) => JSON.parse(readFileSync(join(dir, path, "report.json"), "utf8")) as FleetReport;

  beforeAll(async () => {
    mosquitto = await startMosquitto({ quiet: true });
    dir = mkdtempSync(join(tmpdir(), "mote-k8s-"));
    const env = { ...envOf(shardsJob), BROKER: mosquitto.url(), SENSORS: String(SENSORS), DURATION: `${DURATION_S}s` };
    const mount = mountOf(shardsJob).path;
    runs = await Promise.all(Array.from({ length: N }, (_, i) => runPod(script(shardsJob), { ...env, JOB_COMPLETION_INDEX: String(i) }, mount, dir)));
    merge = await runPod(script(mergeJob), envOf(mergeJob), mount, dir);
    shards = Array.from({ length: N }, (_, i) => read(`shard-${i + 1}`));
    merged = read("merged");
  }, 2 * RUN_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await mosquitto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("every pod and the merge exit 0", () => {
    runs.forEach((r, i) => expect(r.code, `pod ${i}: ${r.err}`).toBe(0));
    expect(merge.code, merge.err).toBe(0);
  });

  it("each pod ran its own shard against the broker", () => {
    expect(shards.map((s) => `${s.shard.k}/${s.shard.n}`)).toEqual(Array.from({ length: N }, (_, i) => `${i + 1}/${N}`));
    for (const s of shards) {
      expect(s.broker).toBe(mosquitto.url());
      expect(s.sensors).toBe(SENSORS / N);
    }
  });

  it("merges counts equal to the sums of the shards'", () => {
    const sum = (f: (r: FleetReport) => number) => shards.reduce((n, r) => n + f(r), 0);
    for (const k of ["published", "delivered", "lost", "duplicates", "refusedLocally"] as const) expect(merged.messages[k], k).toBe(sum((r) => r.messages[k]));
    expect(merged.bytesByPacketType.PUBLISH.packets).toBe(sum((r) => r.bytesByPacketType.PUBLISH.packets));
    expect(merged.connections.connects).toBe(sum((r) => r.connections.connects));
    expect(merged.shards!.map((s) => s.k)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(merged.verdict.passed).toBe(true);
  });

  it(`counts N × sensors per shard × readings: every sensor published its ${DURATION_S} readings (the first at a random phase: ${DURATION_S} or one fewer)`, () => {
    const perShard = SENSORS / N;
    expect(merged.sensors).toBe(N * perShard);
    expect(merged.messages.published).toBeLessThanOrEqual(N * perShard * DURATION_S);
    expect(merged.messages.published).toBeGreaterThanOrEqual(N * perShard * (DURATION_S - 1));
    expect(merged.messages.delivered).toBe(merged.messages.published);
    expect(merged.messages.lost).toBe(0);
  });
});
