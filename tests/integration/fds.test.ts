/**
 * Descriptors: --preserve-fds passes exactly the ones asked for, and none of
 * the runtime's own (nor stray ones runt itself inherited) reach the
 * container.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { isRoot, runtArgv, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";
// busybox ls opens /proc/self/fd itself: that descriptor is the last one listed.
const LIST_FDS = "ls /proc/self/fd | sort -n | tr '\\n' ' '";

function runWithFds(args: string[], extra: number[]): { status: number | null; stdout: string; stderr: string } {
  const [cmd, ...pre] = runtArgv();
  const r = spawnSync(cmd, [...pre, ...args], { stdio: ["ignore", "pipe", "pipe", ...extra], encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("--preserve-fds 2 passes descriptors 3 and 4 and nothing else", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", `echo three >&3; echo four >&4; ${LIST_FDS}`]);
  const a = openSync(join(b.dir, "fd3"), "w");
  const c = openSync(join(b.dir, "fd4"), "w");
  try {
    const r = runWithFds(["--root", root.path, "run", "--preserve-fds", "2", "-b", b.dir, "fds"], [a, c]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "0 1 2 3 4 5 ");
    assert.equal(readFileSync(join(b.dir, "fd3"), "utf8"), "three\n");
    assert.equal(readFileSync(join(b.dir, "fd4"), "utf8"), "four\n");
  } finally {
    closeSync(a);
    closeSync(c);
    b.cleanup();
    root.cleanup();
  }
});

test("without --preserve-fds the container has only stdin, stdout and stderr", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", LIST_FDS]);
  const stray = openSync(join(b.dir, "stray"), "w");
  try {
    const r = runWithFds(["--root", root.path, "run", "-b", b.dir, "nofds"], [stray]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "0 1 2 3 ");
  } finally {
    closeSync(stray);
    b.cleanup();
    root.cleanup();
  }
});

test("a bad --preserve-fds value is one line", { skip }, () => {
  const root = tempDir("runt-root-");
  try {
    const r = runWithFds(["--root", root.path, "run", "--preserve-fds", "two", "x"], []);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'runt: --preserve-fds: expected a number, got "two"\n');
  } finally {
    root.cleanup();
  }
});
