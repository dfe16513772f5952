/**
 * A manager may SIGKILL runt at any moment of `create` (a timeout, an OOM
 * kill, a reboot of the shim). Whatever runt had made by then — state
 * directory, init process, cgroup directories in every hierarchy, mounts —
 * `delete --force ID` must find and remove.
 *
 * The sweep: create's duration is measured first; then runt is killed at
 * every 5 ms step from its start until create would have finished, REPEATS
 * times each, plus RANDOM kills at random moments in the same span (the
 * issue's bar is 20 per step; 6 plus 30 random kills keeps the file under a
 * minute on a 2-core machine; KILL_REPEATS / KILL_RANDOM raise it). A create
 * longer than MAX_STEPS steps (the Deno CLI's, 300 ms and more on a busy
 * machine) is swept in MAX_STEPS longer steps: each of its phases is as
 * much longer, and the random kills fall between the steps.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { readLayout, v1Hierarchies } from "../../runtime/cgroups/mod.ts";
import { leftovers, processesOf } from "./leftovers.ts";
import { isRoot, runt, runtArgv, runtOk, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";
const STEP_MS = 5;
const REPEATS = Number(process.env.KILL_REPEATS ?? 6);
const RANDOM = Number(process.env.KILL_RANDOM ?? 30);
const MAX_STEPS = 20;

/** Every cgroup hierarchy's mount point: the v1 ones and the cgroup2 one. */
function hierarchyRoots(): string[] {
  const layout = readLayout();
  const roots = v1Hierarchies(layout).map((m) => m.mountPoint);
  if (layout.unified) roots.push(layout.unified.mountPoint);
  return roots;
}

/** Cgroup directories anywhere in `roots` whose name passes `wanted`, deepest first. */
function cgroupDirs(roots: string[], wanted: (name: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of subdirNames(dir)) {
      const path = join(dir, name);
      walk(path);
      if (wanted(name)) found.push(path);
    }
  };
  for (const root of roots) walk(root);
  return found;
}

function subdirNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** Starts `runt create` and resolves with its exit once it is SIGKILLed after `delayMs` (or has finished). */
function createKilledAfter(root: string, bundle: string, id: string, delayMs: number): Promise<void> {
  const [cmd, ...pre] = runtArgv();
  const child = spawn(cmd, [...pre, "--root", root, "create", "--bundle", bundle, id], { stdio: "ignore" });
  return new Promise((resolve) => {
    child.on("exit", () => resolve());
    setTimeout(() => child.kill("SIGKILL"), delayMs);
  });
}

/** Wall time of one complete `create`, in ms. */
function timeCreate(root: string, bundle: string, id: string): number {
  const start = performance.now();
  const r = runt(["--root", root, "create", "--bundle", bundle, id], { files: true });
  const took = performance.now() - start;
  assert.equal(r.status, 0, r.stderr);
  runtOk(["--root", root, "delete", "--force", id]);
  return took;
}

/**
 * What `state` shows after the kill: "created" if create had finished,
 * "stopped" for the broken container a dead create left (as runc shows
 * one), or no container at all when create died before writing its record.
 */
function brokenState(root: string, id: string): string[] {
  const r = runt(["--root", root, "state", id]);
  if (r.status !== 0) return r.errLines[0] === `runt: container "${id}" does not exist` ? [] : [`state: ${r.stderr.trim()}`];
  const status = JSON.parse(r.stdout).status;
  return status === "created" || status === "stopped" ? [] : [`state shows "${status}" after create died`];
}

/** Polls until the kernel has finished with processes of `id` that are already dying, then lists what remains. */
function remainingProcesses(id: string): number[] {
  const end = Date.now() + 5_000;
  let pids = processesOf(id);
  while (pids.length > 0 && Date.now() < end) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    pids = processesOf(id);
  }
  return pids;
}

test("kill -9 at any moment of create leaves nothing that delete --force does not remove", { skip, timeout: 600_000 }, async () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["true"]);
  const roots = hierarchyRoots();
  const prefix = `kdc${process.pid}-`;
  try {
    const durations = [0, 1, 2].map((i) => timeCreate(root.path, b.dir, `${prefix}time-${i}`)).sort((x, y) => x - y);
    const span = Math.ceil(durations[1]);
    const delays: number[] = [];
    const step = Math.max(STEP_MS, Math.ceil(span / MAX_STEPS));
    for (let t = 0; t <= span; t += step) for (let i = 0; i < REPEATS; i++) delays.push(t);
    for (let i = 0; i < RANDOM; i++) delays.push(Math.floor(Math.random() * span));

    const leaks: string[] = [];
    let leakyKills = 0;
    for (const [n, delay] of delays.entries()) {
      const id = `${prefix}${n}`;
      await createKilledAfter(root.path, b.dir, id, delay);
      const problems = brokenState(root.path, id);
      const d = runt(["--root", root.path, "delete", "--force", id]);
      // Killed before it reserved the ID, create made nothing; otherwise delete --force succeeds.
      const nothingMade = d.errLines.length === 1 && d.errLines[0] === `runt: container "${id}" does not exist`;
      if (d.status !== 0 && !nothingMade) problems.push(`delete --force exited ${d.status}: ${d.stderr.trim()}`);
      problems.push(...leftovers(root.path, id, [b.dir]).filter((p) => !p.startsWith("process")));
      for (const pid of remainingProcesses(id)) problems.push(`process ${pid} remains`);
      const cgroups = cgroupDirs(roots, (name) => name === id);
      if (cgroups.length > 0) problems.push(`${cgroups.length} cgroup directories remain (${cgroups[0]} …)`);
      if (problems.length > 0) {
        leakyKills++;
        leaks.push(`killed after ${delay} ms: ${problems.join("; ")}`);
      }
    }
    console.log(`create takes ${span} ms; ${delays.length} kills, ${step} ms apart and at random, ${leakyKills} left something`);
    assert.deepEqual(leaks, [], `${leakyKills} of ${delays.length} kills left something behind`);
  } finally {
    for (const id of subdirNames(root.path)) runt(["--root", root.path, "delete", "--force", id]);
    // What a failing run leaked must not stay on the host for the next test.
    for (const dir of cgroupDirs(roots, (name) => name.startsWith(prefix))) rmdirQuietly(dir);
    b.cleanup();
    root.cleanup();
  }
});

function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch { /* still busy: reported by the assertion above */ }
}
