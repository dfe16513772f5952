import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CLOSE_RANGE_CLOEXEC,
  ExecveCalled,
  F_SETFD,
  FD_CLOEXEC,
  RecordingSyscalls,
  SIG_DFL,
  SIG_SETMASK,
} from "../../ffi/mod.ts";
import { execProcess, ProcessError, RESETTABLE_SIGNALS } from "../../runtime/process/mod.ts";

test("execProcess marks descriptors close-on-exec but the preserved ones, resets every signal, unblocks all, then execs", () => {
  const sys = new RecordingSyscalls();
  assert.throws(() => execProcess(sys, "/bin/sh", ["sh", "-c", "true"], ["PATH=/bin"], 5), ExecveCalled);
  assert.deepEqual(sys.calls.map((c) => [c.name, ...c.args]), [
    ["closeRange", 5, 0xffffffff, CLOSE_RANGE_CLOEXEC],
    ["fcntl", 3, F_SETFD, 0],
    ["fcntl", 4, F_SETFD, 0],
    ...RESETTABLE_SIGNALS.map((s) => ["signal", s, SIG_DFL]),
    ["sigprocmask", SIG_SETMASK, []],
    ["execve", "/bin/sh", ["sh", "-c", "true"], ["PATH=/bin"]],
  ]);
});

test("every signal but KILL and STOP is reset, SIGPIPE and glibc's own 32 and 33 included", () => {
  assert.equal(RESETTABLE_SIGNALS.length, 62);
  for (const s of [1, 13, 25, 32, 33, 64]) assert.ok(RESETTABLE_SIGNALS.includes(s));
  for (const s of [9, 19]) assert.ok(!RESETTABLE_SIGNALS.includes(s));
});

test("without close_range, descriptors from /proc/self/fd are marked one by one", () => {
  const sys = new RecordingSyscalls().failOn("closeRange", "ENOSYS");
  assert.throws(() => execProcess(sys, "/bin/true", ["true"], [], 3), ExecveCalled);
  const marked = sys.callsTo("fcntl").filter(([, , arg]) => arg !== 0);
  assert.ok(marked.length > 0);
  for (const [fd, cmd, arg] of marked) {
    assert.ok((fd as number) >= 3);
    assert.equal(cmd, F_SETFD);
    assert.equal(arg, FD_CLOEXEC);
  }
  assert.equal(sys.names().at(-1), "execve");
});

test("a failed execve is a one-line ProcessError", () => {
  const sys = new RecordingSyscalls().failOn("execve", "ENOEXEC");
  assert.throws(() => execProcess(sys, "/bin/broken", ["broken"], [], 3), {
    name: "ProcessError",
    message: 'exec: "/bin/broken": exec format error',
  });
  const early = new RecordingSyscalls().failOn("sigprocmask", "EFAULT");
  assert.throws(() => execProcess(early, "/bin/true", ["true"], [], 3), ProcessError);
  assert.equal(early.callsTo("execve").length, 0);
});
