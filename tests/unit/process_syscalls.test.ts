import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import process from "node:process";
import {
  CLOSE_RANGE_CLOEXEC,
  F_GETFD,
  FD_CLOEXEC,
  loadSyscalls,
  SIG_BLOCK,
  SIG_DFL,
  SIG_IGN,
  SIG_SETMASK,
  SIGPIPE,
  type Syscalls,
} from "../../ffi/mod.ts";

const sys: Syscalls = await loadSyscalls();

function statusMask(file: string, name: string): bigint {
  return BigInt("0x" + new RegExp(`^${name}:\\s*(\\S+)`, "m").exec(readFileSync(file, "utf8"))![1]);
}

test("signal sets SIG_IGN and SIG_DFL, glibc's 32 included, and returns the previous disposition", () => {
  for (const signal of [44, 32]) {
    const bit = 1n << BigInt(signal - 1);
    // A parent (deno test, for one) may have left it ignored: start from the default.
    sys.signal(signal, SIG_DFL);
    assert.equal(sys.signal(signal, SIG_IGN), BigInt(SIG_DFL));
    assert.equal(statusMask("/proc/self/status", "SigIgn") & bit, bit);
    assert.equal(sys.signal(signal, SIG_DFL), BigInt(SIG_IGN));
    assert.equal(statusMask("/proc/self/status", "SigIgn") & bit, 0n);
  }
  // Both runtimes ignore SIGPIPE; setting it again changes nothing.
  assert.equal(sys.signal(SIGPIPE, SIG_IGN), BigInt(SIG_IGN));
  assert.throws(() => sys.signal(SIGPIPE, 0x1234), TypeError);
});

test("sigprocmask changes the calling thread's mask and returns the previous one", () => {
  const previous = sys.sigprocmask(SIG_BLOCK, [12, 40]);
  try {
    assert.equal(statusMask("/proc/thread-self/status", "SigBlk") & ((1n << 11n) | (1n << 39n)), (1n << 11n) | (1n << 39n));
    const during = sys.sigprocmask(SIG_SETMASK, previous);
    assert.ok(during.includes(12) && during.includes(40));
  } finally {
    sys.sigprocmask(SIG_SETMASK, previous);
  }
  assert.deepEqual(sys.sigprocmask(SIG_BLOCK, []), previous);
});

test("closeRange with CLOSE_RANGE_CLOEXEC marks descriptors without closing them", () => {
  const [r, w] = sys.pipe2(0);
  try {
    const first = Math.min(r, w);
    assert.equal(sys.fcntl(first, F_GETFD) & FD_CLOEXEC, 0);
    sys.closeRange(first, Math.max(r, w), CLOSE_RANGE_CLOEXEC);
    assert.equal(sys.fcntl(r, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert.equal(sys.fcntl(w, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  } finally {
    sys.close(r);
    sys.close(w);
  }
});

test("fchown changes the owner and leaves a -1 id alone", { skip: process.getuid?.() === 0 ? undefined : "needs root" }, () => {
  const [r, w] = sys.pipe2();
  try {
    // Through /proc: Deno's node:fs fstat knows only descriptors it opened itself.
    const gid = statSync(`/proc/self/fd/${r}`).gid;
    sys.fchown(r, 4242, -1);
    assert.deepEqual([statSync(`/proc/self/fd/${r}`).uid, statSync(`/proc/self/fd/${r}`).gid], [4242, gid]);
    assert.throws(() => sys.fchown(-1, 0, 0), { name: "SyscallError", message: /^fchown\(-1, 0, 0\): EBADF/ });
  } finally {
    sys.close(r);
    sys.close(w);
  }
});
