/**
 * runt's thread going into a container's namespaces and back
 * (runtime/container/thread_namespaces.ts), against the recording fake: the
 * order of the calls is the behaviour (every file opened before the first
 * setns, the mount namespace entered first and left last, root and cwd put
 * back, a shared filesystem state given up before each setns).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordingSyscalls } from "../../ffi/fake.ts";
import { CLONE_FS, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUTS } from "../../ffi/constants.ts";
import { enterNamespacesOf } from "../../runtime/container/thread_namespaces.ts";

function trace(sys: RecordingSyscalls): string[] {
  return sys.calls.filter((c) => c.name !== "close").map((c) => `${c.name} ${c.args.slice(0, 2).map(String).join(" ")}`);
}

test("in: unshare CLONE_FS, every file opened, then setns mount first; out: CLONE_FS again, the thread's own namespaces in reverse, then root and cwd", () => {
  const sys = new RecordingSyscalls();
  const inside = enterNamespacesOf(sys, 42, ["mount", "network", "uts"]);
  const entering = trace(sys);
  assert.deepEqual(entering.map((c) => c.split(" ")[0]), ["unshare", "open", "open", "open", "open", "open", "open", "open", "open", "setns", "setns", "setns"]);
  assert.equal(entering[0], `unshare ${CLONE_FS}`);
  const opened = sys.calls.filter((c) => c.name === "open").map((c) => c.args[0]);
  assert.ok(opened.includes("/proc/42/ns/mnt") && opened.includes("/proc/thread-self/ns/net"), opened.join(" "));
  const setns = sys.calls.filter((c) => c.name === "setns").map((c) => c.args[1]);
  assert.deepEqual(setns, [CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWUTS]);
  sys.calls.length = 0;
  inside.leave();
  assert.deepEqual(trace(sys).map((c) => c.split(" ")[0]), ["unshare", "setns", "setns", "setns", "fchdir", "chroot", "fchdir"]);
  assert.deepEqual(sys.calls.filter((c) => c.name === "setns").map((c) => c.args[1]), [CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWNS]);
  // Every descriptor opened is closed, once.
  sys.calls.length = 0;
  inside.leave();
  assert.deepEqual(sys.calls, []);
});

test("a namespace it cannot join: the ones joined already are left again, and the error names the container's namespace", () => {
  const sys = new RecordingSyscalls().failOn("setns", "EINVAL", { when: (_fd: number, type: number) => type === CLONE_NEWNET });
  assert.throws(() => enterNamespacesOf(sys, 42, ["mount", "network"]), /entering the container's network namespace: .*EINVAL/);
  const setns = sys.calls.filter((c) => c.name === "setns").map((c) => c.args[1]);
  // mount in, network refused, mount out.
  assert.deepEqual(setns, [CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWNS]);
  assert.ok(sys.calls.some((c) => c.name === "chroot"));
});

test("only namespaces a thread can be in alone", () => {
  assert.throws(() => enterNamespacesOf(new RecordingSyscalls(), 42, ["user"]), /cannot enter a user namespace/);
});
