import { test } from "node:test";
import assert from "node:assert/strict";
import { ExecveCalled, RecordingSyscalls } from "../../ffi/fake.ts";
import { SyscallError } from "../../ffi/errors.ts";
import { CLONE_NEWNS, MS_PRIVATE, MS_REC, RLIMIT_NOFILE, type Syscalls } from "../../ffi/syscalls.ts";

// A miniature of what container init code will do with a Syscalls object.
function setupRoot(sys: Syscalls, rootfs: string): void {
  sys.unshare(CLONE_NEWNS);
  sys.mount(null, "/", null, MS_REC | MS_PRIVATE, null);
  sys.mount("proc", `${rootfs}/proc`, "proc", 0, null);
  sys.chdir(rootfs);
  sys.pivotRoot(".", ".");
}

test("records every call in order with its arguments", () => {
  const sys = new RecordingSyscalls();
  setupRoot(sys, "/r");
  assert.deepEqual(sys.names(), ["unshare", "mount", "mount", "chdir", "pivotRoot"]);
  assert.deepEqual(sys.calls[2], { name: "mount", args: ["proc", "/r/proc", "proc", 0, null] });
  assert.deepEqual(sys.callsTo("mount")[0], [null, "/", null, MS_REC | MS_PRIVATE, null]);
});

test("returns plausible values: fresh fds, pids, limits, umask", () => {
  const sys = new RecordingSyscalls();
  const fd = sys.open("/x", 0);
  const [r, w] = sys.pipe2();
  assert.deepEqual([fd, r, w], [3, 4, 5]);
  const pid = sys.posixSpawn("/bin/true", ["true"], []);
  assert.ok(pid > 1);
  assert.deepEqual(sys.waitpid(pid), { pid, status: { kind: "exited", code: 0 } });
  sys.waits.push({ kind: "signaled", signal: 9, coreDumped: false });
  assert.deepEqual(sys.waitpid(pid).status, { kind: "signaled", signal: 9, coreDumped: false });
  sys.prlimit(0, RLIMIT_NOFILE, { soft: 10n, hard: 20n });
  assert.deepEqual(sys.prlimit(0, RLIMIT_NOFILE), { soft: 10n, hard: 20n });
  assert.equal(sys.umask(0o077), 0o022);
  assert.equal(sys.umask(0o022), 0o077);
  sys.reads.push(new TextEncoder().encode("hello"));
  const buf = new Uint8Array(3);
  assert.equal(sys.read(r, buf), 3);
  assert.equal(sys.read(r, buf), 2);
  assert.equal(sys.read(r, buf), 0);
});

test("failure injection throws the same SyscallError the real call would", () => {
  const sys = new RecordingSyscalls().failOn("mount", "EPERM", { when: (_src, _target, type) => type === "proc" });
  assert.throws(() => setupRoot(sys, "/x"), (e: unknown) => {
    assert.ok(e instanceof SyscallError);
    assert.equal(e.message, 'mount("proc", "/x/proc", "proc", 0x0, null): EPERM (Operation not permitted)');
    assert.equal(e.code, "EPERM");
    assert.equal(e.call, "mount");
    return true;
  });
  // The failing call is recorded; nothing after it ran.
  assert.deepEqual(sys.names(), ["unshare", "mount", "mount"]);
});

test("failures can be limited to a number of calls and given as numbers", () => {
  const sys = new RecordingSyscalls().failOn("pivotRoot", 22, { times: 1 });
  assert.throws(() => sys.pivotRoot(".", "."), /^SyscallError: pivot_root\("\.", "\."\): EINVAL/);
  sys.pivotRoot(".", ".");
  assert.equal(sys.callsTo("pivotRoot").length, 2);
  assert.throws(() => new RecordingSyscalls().failOn("close", "ENOPE"), /unknown errno/);
});

test("execve stops the caller and records the command", () => {
  const sys = new RecordingSyscalls();
  assert.throws(() => sys.execve("/bin/sh", ["sh"], ["A=1"]), ExecveCalled);
  assert.deepEqual(sys.calls, [{ name: "execve", args: ["/bin/sh", ["sh"], ["A=1"]] }]);
});

test("capset updates what capget reports", () => {
  const sys = new RecordingSyscalls();
  const sets = { effective: 1n, permitted: 3n, inheritable: 0n };
  sys.capset(sets);
  assert.deepEqual(sys.capget(), sets);
  assert.deepEqual(sys.names(), ["capset", "capget"]);
});
