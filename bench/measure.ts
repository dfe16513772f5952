/**
 * One sample of each measurement, for one contender at a time: run.ts calls
 * them round-robin (every contender once per round), so a machine that gets
 * busier for a while slows all of them alike. Each returns what it measured
 * or throws an Error whose message says what failed.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { type Contender, explainFailure, invoke } from "./contenders.ts";
import { statusKb } from "./stats.ts";
import { type Usage, usageOf } from "./rusage.ts";

let serial = 0;
export const nextId = (what: string) => `bench-${what}-${process.pid}-${++serial}`;

function must(c: Contender, root: string | null, args: string[]): number {
  const r = invoke(c, root, args);
  if (r.status !== 0) throw new Error(`${args[0]} failed, ${explainFailure(c, root, args)}`);
  return r.ms;
}

export interface RunSample extends Usage {
  ms: number;
}

/** Wall time of `run` of the bundle's process to completion, and the CPU time and page faults it took. */
export function sampleRun(c: Contender, root: string, bundle: string): RunSample {
  const id = nextId("run");
  try {
    const { result, usage } = usageOf(() => must(c, root, ["run", "--bundle", bundle, id]));
    return { ms: result, ...usage };
  } catch (e) {
    invoke(c, root, ["delete", "--force", id]);
    throw e;
  }
}

function state(c: Contender, root: string, id: string): { status?: string; pid?: number } {
  const r = invoke(c, root, ["state", id], true);
  if (r.status !== 0) return {};
  try {
    return JSON.parse(r.stdout);
  } catch {
    return {};
  }
}

/** Polls `cond` until it holds; false after `ms`. */
function pollUntil(cond: () => boolean, ms: number): boolean {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) return false;
  }
  return true;
}

function memoryOf(pid: number): { hwm: number | null; rss: number | null } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { hwm: statusKb(status, "VmHWM"), rss: statusKb(status, "VmRSS") };
}

export interface LifecycleSample {
  createMs: number;
  startMs: number;
  /** From the beginning of create until state first reports "running". */
  createToRunningMs: number;
  /** Peak and current resident memory of the container's process waiting for start. */
  waitingHwmKb: number | null;
  waitingRssKb: number | null;
  /** `exec` of /bin/true into the running container, `state` of it and `list`. */
  execMs: number;
  stateMs: number;
  listMs: number;
}

/** create (timed), the waiting process's memory, start (timed) until running, then exec, state and list on it. */
export function sampleLifecycle(c: Contender, root: string, bundle: string): LifecycleSample {
  const id = nextId("life");
  try {
    const began = performance.now();
    const createMs = must(c, root, ["create", "--bundle", bundle, id]);
    const pid = state(c, root, id).pid;
    if (!pid) throw new Error("state after create reports no pid");
    const waiting = memoryOf(pid);
    const startMs = must(c, root, ["start", id]);
    if (!pollUntil(() => state(c, root, id).status === "running", 10_000)) throw new Error("state never reported running");
    const createToRunningMs = performance.now() - began;
    const execMs = must(c, root, ["exec", id, "/bin/true"]);
    const stateMs = must(c, root, ["state", id]);
    const listMs = must(c, root, ["list"]);
    return { createMs, startMs, createToRunningMs, waitingHwmKb: waiting.hwm, waitingRssKb: waiting.rss, execMs, stateMs, listMs };
  } finally {
    invoke(c, root, ["delete", "--force", id]);
  }
}

/** Wall time of `--version`, alone on the command line, as managers and scripts probe a runtime. */
export function sampleVersion(c: Contender): number {
  return must(c, null, ["--version"]);
}

/**
 * The runtime's own process while `run` waits for its container (which
 * reads one byte from stdin): peak and current resident memory, read once
 * the container is running, then the byte is sent and the run ends.
 */
export async function sampleParentMemory(c: Contender, root: string, bundle: string): Promise<{ hwm: number | null; rss: number | null }> {
  const id = nextId("rss");
  const [cmd, ...pre] = c.argv;
  const child = spawn(cmd, [...pre, "--root", root, "run", "--bundle", bundle, id], { stdio: ["pipe", "ignore", "ignore"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    if (!pollUntil(() => child.exitCode === null && state(c, root, id).status === "running", 10_000)) {
      throw new Error(`run never reported running, ${explainFailure(c, root, ["run", "--bundle", bundle, nextId("why")])}`);
    }
    return memoryOf(child.pid!);
  } finally {
    child.stdin.end("x");
    const code = await exited;
    if (code !== 0) invoke(c, root, ["delete", "--force", id]);
  }
}
