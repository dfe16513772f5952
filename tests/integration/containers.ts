/**
 * What the resource tests share: a state root per test, containers started
 * and cleaned up, runt without waiting on the stdio a container keeps, and
 * the host's view of a process's cgroup files.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cgroupDir, type CgroupMount, DEFAULT_CGROUP_PARENT, ownPathOf, readLayout, readProcCgroup, v1Hierarchies } from "../../runtime/cgroups/mod.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { runt, runtArgv, tempDir, WAIT_SCALE } from "./runt.ts";
import { leftovers } from "./leftovers.ts";

/** Runs `fn` with a fresh state root, removed afterwards. */
export function withRoot(fn: (root: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const root = tempDir("runt-root-");
    try {
      await fn(root.path);
    } finally {
      root.cleanup();
    }
  };
}

export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls `cond` until it holds; `ms` (scaled by WAIT_SCALE) is how long before the wait counts as a hang. */
export function waitFor(cond: () => boolean, what: string, ms = 10_000): void {
  const end = Date.now() + ms * WAIT_SCALE;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    sleepMs(10);
  }
}

export function readOr(path: string, fallback = ""): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

export function state(root: string, id: string, argv?: string[]): { status: string; pid: number } {
  const r = runt(["--root", root, "state", id], { argv });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** create + start; returns the container's PID 1 as the host sees it. */
export function startContainer(root: string, id: string, bundle: string): number {
  const c = runt(["--root", root, "create", "--bundle", bundle, id], { files: true });
  assert.equal(c.status, 0, c.stderr);
  const s = runt(["--root", root, "start", id], { files: true });
  assert.equal(s.status, 0, s.stderr);
  return state(root, id).pid;
}

export interface AsyncRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * runt in the background. A command that leaves a container behind keeps
 * its stdio open, so the end is "exit", not "close"; `streams` waits for
 * the output to be read to its end as well, for commands that make none.
 */
export function runtAsync(args: string[], opts: { streams?: boolean; onStdout?: (all: string) => void } = {}): {
  done: Promise<AsyncRun>;
  kill(): void;
} {
  const [cmd, ...pre] = runtArgv();
  const child = spawn(cmd, [...pre, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "", stderr = "";
  child.stdout!.on("data", (d) => {
    stdout += d;
    opts.onStdout?.(stdout);
  });
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<AsyncRun>((resolve) => {
    child.on(opts.streams ? "close" : "exit", (code) => resolve({ code, stdout, stderr }));
  });
  return { done, kill: () => child.kill("SIGKILL") };
}

/** Resolves after `ms`, without blocking the event loop. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const layout = readLayout();

/** On pure cgroup v2 every controller lives in the one hierarchy: `controller` names the file's prefix only. */
function hierarchyOf(controller: string): string {
  return layout.version === "v2" ? "" : controller;
}

function mountOf(controller: string): CgroupMount {
  const mount = controller === "" ? layout.unified : layout.v1[controller];
  assert.ok(mount, `no ${controller || "cgroup2"} hierarchy on this host`);
  return mount;
}

/** Host directory of process `pid`'s cgroup in `controller`'s hierarchy ("" for cgroup2). */
export function hostCgroupDir(pid: number, controller: string): string {
  const hierarchy = hierarchyOf(controller);
  const path = ownPathOf(readProcCgroup(pid), hierarchy);
  if (path === undefined) throw new Error(`process ${pid} is in no ${hierarchy || "cgroup2"} cgroup`);
  return cgroupDir(mountOf(hierarchy), path);
}

/** One of process `pid`'s cgroup files, as the host reads it, trimmed. */
export function hostCgroupFile(pid: number, controller: string, file: string): string {
  return readFileSync(`${hostCgroupDir(pid, controller)}/${file}`, "utf8").trim();
}

/**
 * Where containers' default cgroups go: the calling process's own cgroup in
 * every hierarchy on v1 and hybrid hosts, /runt on pure v2.
 */
export function defaultCgroupParents(): string[] {
  if (layout.version === "v2") return [cgroupDir(mountOf(""), DEFAULT_CGROUP_PARENT)];
  const controllers = v1Hierarchies(layout).map((m) => m.controllers[0]);
  if (layout.unified) controllers.push("");
  return controllers.map((c) => hostCgroupDir(process.pid, c));
}

export const cgroupVersion = layout.version;

/**
 * Where a container reads one of its cgroup files: per controller on v1 and
 * hybrid hosts, one directory on v2 — there only in a container with its own
 * cgroup namespace (ownCgroupView), as docker and podman give one on v2;
 * without it /sys/fs/cgroup shows the hierarchy's root, under runc as well.
 */
export function insideCgroupFile(controller: string, file: string): string {
  return layout.version === "v2" ? `/sys/fs/cgroup/${file}` : `/sys/fs/cgroup/${controller}/${file}`;
}

/** A bundle edit: on v2, a cgroup namespace of the container's own, so /sys/fs/cgroup is its cgroup. */
export function ownCgroupView(s: Spec): void {
  if (layout.version === "v2") s.linux!.namespaces!.push({ type: "cgroup" });
}

/** `run` of the bundle at `dir` fails with one line matching `message` and leaves nothing of container `id`. */
export function assertRefused(dir: string, id: string, message: RegExp): void {
  const root = tempDir("runt-root-");
  try {
    const r = runt(["--root", root.path, "run", "--bundle", dir, id]);
    assert.notEqual(r.status, 0);
    assert.equal(r.errLines.length, 1, r.stderr);
    assert.match(r.errLines[0], message);
    assert.deepEqual(leftovers(root.path, id, [dir]), []);
  } finally {
    root.cleanup();
  }
}
