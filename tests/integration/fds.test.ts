/**
 * Descriptors: --preserve-fds passes exactly the ones asked for, and none of
 * the runtime's own (nor stray ones runt itself inherited) reach the
 * container.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { isRoot, runtArgv, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";
// busybox ls opens /proc/self/fd itself: that descriptor is the last one listed.
const LIST_FDS = "ls /proc/self/fd | sort -n | tr '\\n' ' '";

function runWithFds(args: string[], extra: number[]): { status: number | null; stdout: string; stderr: string } {
  const [cmd, ...pre] = runtArgv();
  const r = spawnSync(cmd, [...pre, ...args], { stdio: ["ignore", "pipe", "pipe", ...extra], encoding: "utf8", killSignal: "SIGKILL", timeout: 60_000 });
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

/**
 * Socket activation as systemd starts a service: runt is exec'd by a shell
 * that already holds the descriptors, so LISTEN_PID is runt's own PID.
 */
function runActivated(runtime: string[], listenPid: string, args: string[], dir: string) {
  const script = `LISTEN_PID=${listenPid} LISTEN_FDS=2 exec "$@" 3<"${dir}/fd3" 4<"${dir}/fd4" 5<"${dir}/fd5"`;
  const r = spawnSync("sh", ["-c", script, "sh", ...runtime, ...args], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", killSignal: "SIGKILL", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function activationBundle() {
  const b = makeBundle(["sh", "-c", `echo "$LISTEN_FDS $LISTEN_PID"; cat <&3; cat <&4; cat <&5 2>/dev/null; ${LIST_FDS}`]);
  for (const n of [3, 4, 5]) writeFileSync(join(b.dir, `fd${n}`), `fd${n}\n`);
  return b;
}

test("LISTEN_FDS for runt's PID passes the descriptors at 3… before --preserve-fds ones, as runc does", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = activationBundle();
  try {
    const args = (id: string) => ["--root", root.path, "run", "--preserve-fds", "1", "-b", b.dir, id];
    const r = runActivated(runtArgv(), "$$", args("activated"), b.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "2 1\nfd3\nfd4\nfd5\n0 1 2 3 4 5 6 ");
    const c = runActivated(["runc"], "$$", args("activated-runc"), b.dir);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(r.stdout, c.stdout);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

test("LISTEN_FDS meant for another process passes nothing and sets nothing", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = activationBundle();
  try {
    const r = runActivated(runtArgv(), "1", ["--root", root.path, "run", "-b", b.dir, "not-activated"], b.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, " \n0 1 2 3 ");
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

/** Hooks of every kind runt's own processes start (run, then delete), each listing its descriptors into `out`. */
const RUNT_RUN_HOOKS = ["prestart", "createRuntime", "createContainer", "poststart", "poststop"] as const;

test("a hook holds its stdio only: not a descriptor runt's caller passed for the container, nor one runt holds", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", LIST_FDS]);
  // exec'd with its redirect, ls holds 0-2 and the directory it reads (3); anything passed on comes beside them.
  const lister = (kind: string) => ({ path: "/bin/sh", args: ["sh", "-c", `exec ls /proc/self/fd > ${b.out}/${kind}`] });
  b.spec.hooks = Object.fromEntries(RUNT_RUN_HOOKS.map((kind) => [kind, [lister(kind)]]));
  b.save();
  const passed = openSync(join(b.dir, "fd3"), "w");
  try {
    const r = runWithFds(["--root", root.path, "run", "--preserve-fds", "1", "-b", b.dir, "hook-fds"], [passed]);
    assert.equal(r.status, 0, r.stderr);
    // The container still gets what it was meant to.
    assert.equal(r.stdout, "0 1 2 3 4 ");
    for (const kind of RUNT_RUN_HOOKS) {
      assert.deepEqual(readFileSync(join(b.out, kind), "utf8").trim().split("\n"), ["0", "1", "2", "3"], kind);
    }
  } finally {
    closeSync(passed);
    b.cleanup();
    root.cleanup();
  }
});
