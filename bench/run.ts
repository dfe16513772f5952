/**
 * `make bench`: runc, the compiled runt, runt's sources under Deno and
 * `Runt.run()` inside a running Deno script, side by side on the same
 * busybox bundle, interleaved round by round in a new order each round.
 * Prints the medians as ratios to runc, runt's phases of one `run`,
 * PASS/FAIL for each target (LIMITS), and writes bench/results.json and
 * bench/results.md. A runtime that fails is reported and the others are
 * still measured.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../tests/fixtures/rootfs.ts";
import { defaultSpec } from "../runtime/spec/defaults.ts";
import { CONTENDERS, DENO, DIST, REPO, RUNC, versionOf } from "./contenders.ts";
import { LIBRARY, LibraryRunner } from "./library.ts";
import { nextId, sampleLifecycle, sampleParentMemory, sampleRun, sampleVersion } from "./measure.ts";
import { phasesOf, traceRun } from "./phases.ts";
import { floorPrograms, sampleFloor } from "./floor.ts";
import { sampleValidation, validationProbe } from "./validation.ts";
import { measureImages } from "./images.ts";
import { judge, type Limit, markdown, type Results, textTable } from "./report.ts";
import { Recorder } from "./stats.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
/** Rounds that also measure the parent's memory and the lifecycle (each costs several commands). */
const LIFECYCLE_ROUNDS = Number(process.env.BENCH_LIFECYCLES ?? 12);
const TRACED_RUNS = Number(process.env.BENCH_TRACED ?? 7);

/** Issue 13's targets: a ratio to runc's median in the same run, or an absolute bound. */
const LIMITS: Limit[] = [
  { what: "run /bin/true", metric: "run", contender: DIST, maxRatio: 0.7 },
  { what: "create → running", metric: "createToRunning", contender: DIST, maxRatio: 1.0 },
  { what: "exec of /bin/true", metric: "exec", contender: DIST, maxRatio: 1.0 },
  { what: "start", metric: "start", contender: DIST, maxRatio: 1.0 },
  { what: "waiting container's VmRSS", metric: "waitingRss", contender: DIST, max: 100, unit: "KiB" },
  { what: "Runt.run() in a Deno script against runc's CLI run", metric: "run", contender: LIBRARY, maxRatio: 1.0 },
  { what: "deno run -A cli/main.ts run", metric: "run", contender: DENO, maxRatio: 2.0 },
  { what: "state", metric: "state", contender: DIST, maxRatio: 1.2 },
  { what: "list", metric: "list", contender: DIST, maxRatio: 1.2 },
  { what: "--version", metric: "version", contender: DIST, maxRatio: 1.2 },
  { what: "validation of a valid config (import + first check, in the binary)", metric: "validation", contender: DIST, max: 2, unit: "ms" },
];

/** A copy of `items` in a random order. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** A user namespace's container is still made by runt's JavaScript init (runtime/container/build_choice.ts): its own row. */
const USER_NAMESPACE_MAPS = [{ containerID: 0, hostID: 100000, size: 65536 }];

function bundleRunning(dir: string, args: string[], userns = false): string {
  const spec = defaultSpec();
  spec.root = { path: ensureBusyboxRootfs(join(REPO, ".tmp", "rootfs-busybox")), readonly: true };
  spec.process!.terminal = false;
  spec.process!.args = args;
  if (userns) {
    spec.linux!.namespaces!.push({ type: "user" });
    spec.linux!.uidMappings = USER_NAMESPACE_MAPS;
    spec.linux!.gidMappings = USER_NAMESPACE_MAPS;
    // The namespace's root reaches its rootfs by path (runc's as runt's): a copy of its own, wherever the checkout is.
    execFileSync("cp", ["-a", spec.root.path, join(dir, "rootfs")]);
    execFileSync("chown", ["-R", `${USER_NAMESPACE_MAPS[0].hostID}:${USER_NAMESPACE_MAPS[0].hostID}`, join(dir, "rootfs")]);
    spec.root = { path: "rootfs", readonly: true };
    chmodSync(dir, 0o755);
  }
  writeFileSync(join(dir, "config.json"), JSON.stringify(spec, null, 2));
  return dir;
}

async function measure(work: string, rec: Recorder): Promise<Results["phases"]> {
  const bundle = (name: string, args: string[], userns = false) => bundleRunning(mkdtempSync(join(work, `${name}-`)), args, userns);
  const trueBundle = bundle("true", ["/bin/true"]);
  // Entered by the namespace's root on the way to its bundle.
  chmodSync(work, 0o711);
  const usernsBundle = bundle("userns", ["/bin/true"], true);
  const sleepBundle = bundle("sleep", ["sleep", "60"]);
  const stdinBundle = bundle("stdin", ["head", "-c", "1"]);
  const roots = new Map([...CONTENDERS.map((c) => c.name), LIBRARY].map((name) => [name, mkdtempSync(join(work, "state-"))]));
  const floors = floorPrograms(work);
  const probe = validationProbe(work);
  const library = new LibraryRunner();
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      // Round 0 warms caches up and is not counted.
      const keep = round > 0;
      // In a new order each round: a run pays for what the one before it left the kernel to finish
      // (a network namespace torn down, a cgroup removed), so a fixed order favours some contenders.
      for (const c of shuffled(CONTENDERS)) {
        await rec.sample(c.name, { run: "ms", runCpu: "cpuMs", runUser: "userMs", runKernel: "kernelMs", runFaults: "minorFaults" }, () => sampleRun(c, roots.get(c.name)!, trueBundle), keep);
      }
      await rec.sample(LIBRARY, "run", () => library.run(roots.get(LIBRARY)!, trueBundle, nextId("lib")), keep);
      for (const c of shuffled(CONTENDERS)) await rec.sample(c.name, "version", () => sampleVersion(c), keep);
      for (const c of shuffled(CONTENDERS.filter((c) => floors.has(c.name)))) {
        await rec.sample(c.name, { floor: "ms", floorCpu: "cpuMs", floorUser: "userMs", floorKernel: "kernelMs" }, () => sampleFloor(c, floors.get(c.name)!), keep);
      }
      if (probe) await rec.sample(DIST, "validation", () => sampleValidation(probe, join(trueBundle, "config.json")), keep);
      if (round > LIFECYCLE_ROUNDS) continue;
      for (const c of shuffled(CONTENDERS)) {
        await rec.sample(c.name, {
          create: "createMs",
          start: "startMs",
          createToRunning: "createToRunningMs",
          waitingHwm: "waitingHwmKb",
          waitingRss: "waitingRssKb",
          exec: "execMs",
          state: "stateMs",
          list: "listMs",
        }, () => sampleLifecycle(c, roots.get(c.name)!, sleepBundle), keep);
      }
      for (const c of shuffled(CONTENDERS)) await rec.sample(c.name, { runUserns: "ms" }, () => sampleRun(c, roots.get(c.name)!, usernsBundle), keep);
      for (const c of shuffled(CONTENDERS)) {
        await rec.sample(c.name, { parentHwm: "hwm", parentRss: "rss" }, () => sampleParentMemory(c, roots.get(c.name)!, stdinBundle), keep);
      }
      console.error(`round ${round}/${ROUNDS}`);
    }
  } finally {
    await library.close();
  }
  await measureImages(work, rec, CONTENDERS.find((c) => c.name === DIST)!);
  const traced = CONTENDERS.filter((c) => c.name !== RUNC);
  const runs = new Map(traced.map((c) => [c.name, [] as Map<string, number>[]]));
  for (let i = 0; i < TRACED_RUNS; i++) {
    for (const c of shuffled(traced)) runs.get(c.name)!.push(traceRun(c, roots.get(c.name)!, trueBundle));
  }
  return Object.fromEntries(traced.map((c) => [c.name, phasesOf(runs.get(c.name)!)]));
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error("bench: needs root (it runs real containers)");
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), "runt-bench-"));
  const loadBefore = loadavg()[0];
  const began = performance.now();
  try {
    const rec = new Recorder();
    const phases = await measure(work, rec);
    const metrics = rec.results();
    const results: Results = {
      date: new Date().toISOString(),
      host: { kernel: release(), cpus: cpus().length, loadBefore, loadAfter: loadavg()[0] },
      rounds: ROUNDS,
      lifecycleRounds: LIFECYCLE_ROUNDS,
      tracedRuns: TRACED_RUNS,
      seconds: (performance.now() - began) / 1000,
      contenders: [...CONTENDERS.map((c) => ({ name: c.name, version: versionOf(c) })), { name: LIBRARY, version: "mod.ts" }],
      metrics,
      phases,
      targets: judge(LIMITS, metrics),
    };
    console.log(textTable(results));
    writeFileSync(join(REPO, "bench", "results.json"), JSON.stringify(results, null, 2) + "\n");
    writeFileSync(join(REPO, "bench", "results.md"), markdown(results));
    console.log("\nwrote bench/results.json and bench/results.md");
    return metrics.run?.[RUNC]?.median == null ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
