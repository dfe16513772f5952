/**
 * Moves the loader into the container's cgroup from a tiny start-up program
 * of its own. The first move after a quiet spell waits out an RCU grace
 * period in the kernel (10–20 ms on this cgroup v1 host); the mover spends
 * it while runt checks the config and builds the rootfs. The JavaScript
 * runtime has no thread to lend for a blocking write but node:fs's I/O
 * pool, which costs ~1 ms to load; posix_spawn of the program costs less.
 */
import { O_CLOEXEC, O_WRONLY } from "../../ffi/constants.ts";
import type { Syscalls, WaitStatus } from "../../ffi/syscalls.ts";
import { StubProgram } from "../stub/program.ts";
import { sealedExecutable } from "../stub/memfd.ts";
import { liftAbove } from "../process/exec.ts";

/** The mover's first cgroup.procs descriptor; the others follow. */
const FIRST_FD = 3;

/**
 * Writes `pid` to the cgroup.procs files at descriptors 3, 4, ... and
 * exits 0; exits 1 at the first write the kernel refuses. Its report
 * descriptor is closed with every other: the exit status is the answer, and
 * runt moves the process itself to word a failure.
 */
export function cgroupMoverProgram(pid: number, files: number): StubProgram {
  const prog = new StubProgram({ reportFd: FIRST_FD + files });
  prog.call("close_range", [FIRST_FD + files, 0xffffffff, 0], { what: "close the runtime's other descriptors", ok: "ENOSYS" });
  const text = String(pid);
  for (let i = 0; i < files; i++) {
    prog.call("write", [FIRST_FD + i, prog.str(text), text.length], { what: `move ${pid} into the container's cgroup (descriptor ${FIRST_FD + i})` });
  }
  prog.call("exit_group", [0], { what: "exit" });
  return prog;
}

/** A move under way: `wait` returns once the process is in every hierarchy, or throws why not. */
export interface CgroupMove {
  wait(): void;
}

/**
 * Starts moving `pid` into the cgroup.procs `files`. `moveHere` is the
 * move runt makes itself when the mover could not start or a write failed:
 * it retries a process still being forked and words the error.
 */
export function startCgroupMove(sys: Syscalls, pid: number, files: string[], moveHere: () => void): CgroupMove {
  const fds: number[] = [];
  let image: number | undefined;
  let mover = 0;
  // Every descriptor above the numbers the mover takes them at.
  const floor = FIRST_FD + files.length;
  try {
    for (const file of files) fds.push(liftAbove(sys, sys.open(file, O_WRONLY | O_CLOEXEC), floor));
    image = liftAbove(sys, sealedExecutable(sys, cgroupMoverProgram(pid, fds.length).image(), "runt-cgroup"), floor);
    mover = sys.posixSpawn(`/proc/self/fd/${image}`, ["runt-cgroup"], [], {
      fileActions: fds.map((fd, i) => ({ op: "dup2" as const, fd, to: FIRST_FD + i })),
    });
  } catch {
    // moveHere() below says what is wrong, if anything still is.
  } finally {
    for (const fd of fds) sys.close(fd);
    if (image !== undefined) sys.close(image);
  }
  let settled = false;
  return {
    wait() {
      if (settled) return;
      settled = true;
      let status: WaitStatus | null = null;
      try {
        if (mover > 0) status = sys.waitpid(mover).status;
      } catch {
        // moveHere() finds out whether the process is in.
      }
      if (status?.kind !== "exited" || status.code !== 0) moveHere();
    },
  };
}
