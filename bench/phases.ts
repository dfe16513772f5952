/**
 * The phases of one `run`, from RUNT_TRACE=1 (runtime/trace.ts): each step's
 * time since the caller started the process, the median over a few traced
 * runs. The init's steps are prefixed "init: ".
 */
import { spawnSync } from "node:child_process";
import { type Contender, invoke } from "./contenders.ts";
import { nextId } from "./measure.ts";
import { median } from "./stats.ts";

export interface Phase {
  step: string;
  /** Median milliseconds from the spawn of the command to this step. */
  atMs: number;
}

/** `runt-trace PID STEP MS` lines of one run: each step's time since `spawnedAt` (epoch ms). */
export function parseTrace(stderr: string, spawnedAt: number): Map<string, number> {
  const steps = new Map<string, number>();
  for (const line of stderr.split("\n")) {
    const m = /^runt-trace \d+ (.+) (\d+(?:\.\d+)?)$/.exec(line);
    if (m && !steps.has(m[1])) steps.set(m[1], Number(m[2]) - spawnedAt);
  }
  return steps;
}

/** The steps of one traced run, each at its time since the spawn; with the untraced wall time of the run's end. Empty when the run failed. */
export function traceRun(c: Contender, root: string, bundle: string): Map<string, number> {
  const id = nextId("trace");
  const [cmd, ...pre] = c.argv;
  const spawnedAt = performance.timeOrigin + performance.now();
  const r = spawnSync(cmd, [...pre, "--root", root, "run", "--bundle", bundle, id], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    env: { ...process.env, RUNT_TRACE: "1" },
    killSignal: "SIGKILL",
    timeout: 60_000,
  });
  const endedAt = performance.timeOrigin + performance.now();
  if (r.status !== 0) {
    invoke(c, root, ["delete", "--force", id]);
    return new Map();
  }
  const steps = parseTrace(r.stderr, spawnedAt);
  steps.set("process ended", endedAt - spawnedAt);
  return steps;
}

/** The steps of several traced runs in the order of their median times. */
export function phasesOf(runs: Map<string, number>[]): Phase[] {
  const all = new Map<string, number[]>();
  for (const steps of runs) for (const [step, at] of steps) all.set(step, [...(all.get(step) ?? []), at]);
  return [...all].map(([step, times]) => ({ step, atMs: median(times) })).sort((a, b) => a.atMs - b.atMs);
}
