/** How the runtime's process becomes the start-up program, recorded on the fake. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AT_EMPTY_PATH,
  CLOSE_RANGE_CLOEXEC,
  F_ADD_SEALS,
  F_SETFD,
  FD_CLOEXEC,
  SIG_DFL,
  SIG_SETMASK,
} from "../../ffi/mod.ts";
import { ExecveCalled, RecordingSyscalls } from "../../ffi/fake.ts";
import { ProcessError, RESETTABLE_SIGNALS } from "../../runtime/process/mod.ts";
import { becomeStartup } from "../../runtime/startup/become.ts";
import { StubProgram } from "../../runtime/stub/program.ts";

function program(): StubProgram {
  return new StubProgram().call("execve", [0, 0, 0], { what: "exec" });
}

const HOW = { argv: ["runt", "init", "c1"], keepFds: 5, programFds: [7, 8] };

test("the image goes into a sealed memfd; descriptors are marked close-on-exec but the preserved and the program's, every signal reset, all unblocked, then execveat of the memfd", () => {
  const sys = new RecordingSyscalls();
  assert.throws(() => becomeStartup(sys, program(), HOW), ExecveCalled);
  const calls = sys.calls.map((c) => [c.name, ...c.args]);
  const sealed = calls.findIndex(([name, , cmd]) => name === "fcntl" && cmd === F_ADD_SEALS);
  assert.ok(sealed > 0 && calls[0][0] === "memfdCreate");
  const memfd = calls[sealed][1];
  assert.deepEqual(calls.slice(sealed + 1), [
    ["closeRange", 5, 0xffffffff, CLOSE_RANGE_CLOEXEC],
    ["fcntl", 3, F_SETFD, 0],
    ["fcntl", 4, F_SETFD, 0],
    ["fcntl", 7, F_SETFD, 0],
    ["fcntl", 8, F_SETFD, 0],
    ...RESETTABLE_SIGNALS.map((s) => ["signal", s, SIG_DFL]),
    ["sigprocmask", SIG_SETMASK, []],
    ["execveat", memfd, "", ["runt", "init", "c1"], [], AT_EMPTY_PATH],
  ]);
});

test("every signal but KILL and STOP is reset, SIGPIPE and glibc's own 32 and 33 included", () => {
  assert.equal(RESETTABLE_SIGNALS.length, 62);
  for (const s of [1, 13, 25, 32, 33, 64]) assert.ok(RESETTABLE_SIGNALS.includes(s));
  for (const s of [9, 19]) assert.ok(!RESETTABLE_SIGNALS.includes(s));
});

test("without close_range, descriptors from /proc/self/fd are marked one by one", () => {
  const sys = new RecordingSyscalls().failOn("closeRange", "ENOSYS");
  assert.throws(() => becomeStartup(sys, program(), { ...HOW, keepFds: 3, programFds: [] }), ExecveCalled);
  const marked = sys.callsTo("fcntl").filter(([, cmd, arg]) => cmd === F_SETFD && arg !== 0);
  assert.ok(marked.length > 0);
  for (const [fd, , arg] of marked) {
    assert.ok((fd as number) >= 3);
    assert.equal(arg, FD_CLOEXEC);
  }
  assert.equal(sys.names().at(-1), "execveat");
});

test("a failed execveat, or a failed step before it, is a one-line ProcessError", () => {
  const sys = new RecordingSyscalls().failOn("execveat", "ENOEXEC");
  assert.throws(() => becomeStartup(sys, program(), HOW), {
    name: "ProcessError",
    message: /^starting the container's start-up program: execveat\(.*\): ENOEXEC \(Exec format error\)$/,
  });
  const early = new RecordingSyscalls().failOn("sigprocmask", "EFAULT");
  assert.throws(() => becomeStartup(early, program(), HOW), ProcessError);
  assert.equal(early.callsTo("execveat").length, 0);
});
