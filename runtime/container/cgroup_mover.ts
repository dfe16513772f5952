/**
 * Moves the loader into the container's cgroup from a tiny start-up program
 * of its own. The first move after a quiet spell waits out an RCU grace
 * period in the kernel (10–20 ms on this cgroup v1 host); the mover spends
 * it while runt checks the config and builds the rootfs. The JavaScript
 * runtime has no thread to lend for a blocking write but node:fs's I/O
 * pool, which costs ~1 ms to load; posix_spawn of the program costs less.
 */
import { AT_FDCWD, O_CLOEXEC, O_WRONLY } from "../../ffi/constants.ts";
import type { Syscalls, WaitStatus } from "../../ffi/syscalls.ts";
import { slot, StubProgram } from "../stub/program.ts";
import { sealedExecutable } from "../stub/memfd.ts";

/** Where the program keeps the descriptor it has open. */
const FILE_SLOT = 1;
/** Above stdio: the runtime's descriptors it inherited, closed first; its report descriptor is among them. */
const INHERITED_FROM = 3;

/**
 * Opens each of the cgroup.procs `files` in turn, writes `pid` to it and
 * exits 0; exits 1 at the first open or write the kernel refuses. It opens
 * them itself, on the other CPU, not runt's thread: a dozen opens on a v1
 * host. Its report descriptor is closed with every other it inherited: the
 * exit status is the answer, and runt moves the process itself to word a
 * failure.
 */
export function cgroupMoverProgram(pid: number, files: readonly string[]): StubProgram {
  const prog = new StubProgram({ reportFd: INHERITED_FROM });
  prog.call("close_range", [INHERITED_FROM, 0xffffffff, 0], { what: "close the runtime's other descriptors", ok: "ENOSYS" });
  const text = String(pid);
  for (const file of files) {
    const what = `move ${pid} into ${file}`;
    prog.call("openat", [AT_FDCWD, prog.str(file), O_WRONLY | O_CLOEXEC, 0], { what, result: FILE_SLOT });
    prog.call("write", [slot(FILE_SLOT), prog.str(text), text.length], { what });
    prog.call("close", [slot(FILE_SLOT)], { what });
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
 * move runt makes itself when the mover could not start or failed: it
 * retries a process still being forked and words the error.
 */
export function startCgroupMove(sys: Syscalls, pid: number, files: string[], moveHere: () => void): CgroupMove {
  let image: number | undefined;
  let mover = 0;
  try {
    image = sealedExecutable(sys, cgroupMoverProgram(pid, files).image(), "runt-cgroup");
    mover = sys.posixSpawn(`/proc/self/fd/${image}`, ["runt-cgroup"], []);
  } catch {
    // moveHere() below says what is wrong, if anything still is.
  } finally {
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
