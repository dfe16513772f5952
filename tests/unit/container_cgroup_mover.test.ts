/**
 * The program that moves a container's loader into its cgroup while runt
 * goes on: run for real against files that stand in for cgroup.procs (what
 * lands in each, in order), and against /dev/full, whose writes fail, where
 * runt's own move takes over.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSyscalls, type Syscalls } from "../../ffi/mod.ts";
import { cgroupMoverProgram, startCgroupMove } from "../../runtime/container/cgroup_mover.ts";
import { liftAbove } from "../../runtime/process/exec.ts";
import { F_GETFD, FD_CLOEXEC, O_CLOEXEC, O_RDONLY } from "../../ffi/constants.ts";

const sys: Syscalls = await loadSyscalls();

function scratch(): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "runt-mover-"));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

test("the program closes what it inherited, opens each file in turn and writes the PID to it, and exits", () => {
  const prog = cgroupMoverProgram(4242, ["/sys/fs/cgroup/cpu/c1/cgroup.procs", "/sys/fs/cgroup/pids/c1/cgroup.procs"]);
  assert.deepEqual(prog.ops.map((o) => o.name), ["close_range", "openat", "write", "close", "openat", "write", "close", "exit_group"]);
  assert.equal(prog.ops[4].what, "move 4242 into /sys/fs/cgroup/pids/c1/cgroup.procs");
});

test("the PID lands in every file and runt's own move is not needed", () => {
  using s = scratch();
  const files = ["cpu", "pids", "unified"].map((n) => join(s.dir, n));
  for (const f of files) writeFileSync(f, "");
  let movedHere = 0;
  startCgroupMove(sys, 4242, files, () => movedHere++).wait();
  for (const f of files) assert.equal(readFileSync(f, "utf8"), "4242", f);
  assert.equal(movedHere, 0);
});

test("a write the kernel refuses hands the move to runt, once, however often it is waited for", () => {
  using s = scratch();
  const file = join(s.dir, "cpu");
  writeFileSync(file, "");
  let movedHere = 0;
  const move = startCgroupMove(sys, 4242, [file, "/dev/full"], () => movedHere++);
  move.wait();
  move.wait();
  assert.equal(movedHere, 1);
});

test("a file the program cannot open hands the move to runt, whose own move says what is wrong", () => {
  using s = scratch();
  const move = startCgroupMove(sys, 4242, [join(s.dir, "missing")], () => {
    throw new Error("cannot move process 4242");
  });
  assert.throws(() => move.wait(), /cannot move process 4242/);
});

// liftAbove places descriptors for the user-namespace programs (user_namespace.ts) the same way.
test("a descriptor below the numbers a program takes its own at is moved above them, close-on-exec", () => {
  const low = sys.open("/dev/null", O_RDONLY | O_CLOEXEC);
  const floor = low + 40;
  const lifted = liftAbove(sys, low, floor);
  try {
    assert.ok(lifted >= floor, `${lifted} below ${floor}`);
    assert.equal(sys.fcntl(lifted, F_GETFD, 0) & FD_CLOEXEC, FD_CLOEXEC);
    assert.equal(liftAbove(sys, lifted, floor), lifted, "one at or above the floor stays as it is");
  } finally {
    sys.close(lifted);
  }
});
