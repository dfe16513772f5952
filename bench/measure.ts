/**
 * The three measurements, each for one contender: wall time of `run`, the
 * create → start → running latency, and the memory of the container's
 * init process while it waits for `start`. A contender that fails stops
 * being measured and the failure is kept for the report.
 */
import { readFileSync } from "node:fs";
import { type Contender, explainFailure, invoke } from "./contenders.ts";
import { median, statusKb } from "./stats.ts";

export interface RunResult {
  medianMs: number | null;
  samplesMs: number[];
  error?: string;
}

export interface LifecycleResult {
  createMs: number | null;
  startMs: number | null;
  /** From the beginning of create until state first reports "running". */
  createToRunningMs: number | null;
  /** Peak and current resident memory of the init process waiting for start. */
  initVmHWMKb: number | null;
  initVmRSSKb: number | null;
  iterations: number;
  error?: string;
}

let serial = 0;
const nextId = (what: string) => `bench-${what}-${process.pid}-${++serial}`;

/** `runs` timed runs (after one untimed warm-up) of the bundle's process to completion. */
export function measureRun(c: Contender, root: string, bundle: string, runs: number): RunResult {
  const samplesMs: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const id = nextId("run");
    const r = invoke(c, root, ["run", "--bundle", bundle, id]);
    if (r.status !== 0) {
      invoke(c, root, ["delete", "--force", id]);
      const error = `run failed, ${explainFailure(c, root, ["run", "--bundle", bundle, nextId("why")])}`;
      return { medianMs: samplesMs.length ? median(samplesMs) : null, samplesMs, error };
    }
    if (i > 0) samplesMs.push(r.ms);
  }
  return { medianMs: median(samplesMs), samplesMs };
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

function waitFor(cond: () => boolean, ms: number): boolean {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) return false;
  }
  return true;
}

/**
 * `iterations` times: create (timed), read the waiting init's memory,
 * start (timed), poll state until running, then kill and delete.
 */
export function measureLifecycle(c: Contender, root: string, bundle: string, iterations: number): LifecycleResult {
  const create: number[] = [], start: number[] = [], toRunning: number[] = [], hwm: number[] = [], rss: number[] = [];
  const result = (error?: string): LifecycleResult => ({
    createMs: create.length ? median(create) : null,
    startMs: start.length ? median(start) : null,
    createToRunningMs: toRunning.length ? median(toRunning) : null,
    initVmHWMKb: hwm.length ? median(hwm) : null,
    initVmRSSKb: rss.length ? median(rss) : null,
    iterations: toRunning.length,
    ...(error ? { error } : {}),
  });
  for (let i = 0; i < iterations; i++) {
    const id = nextId("life");
    try {
      const began = performance.now();
      const created = invoke(c, root, ["create", "--bundle", bundle, id]);
      if (created.status !== 0) return result(`create failed, ${explainFailure(c, root, ["create", "--bundle", bundle, nextId("why")])}`);
      create.push(created.ms);
      const pid = state(c, root, id).pid;
      if (!pid) return result("state after create reports no pid");
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = [statusKb(status, "VmHWM"), statusKb(status, "VmRSS")];
      if (kb[0] !== null) hwm.push(kb[0]);
      if (kb[1] !== null) rss.push(kb[1]);
      const started = invoke(c, root, ["start", id]);
      if (started.status !== 0) return result(`start failed, ${explainFailure(c, root, ["start", id])}`);
      start.push(started.ms);
      if (!waitFor(() => state(c, root, id).status === "running", 10_000)) return result("state never reported running");
      toRunning.push(performance.now() - began);
    } finally {
      invoke(c, root, ["delete", "--force", id]);
    }
  }
  return result();
}
