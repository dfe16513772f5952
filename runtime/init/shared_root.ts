/**
 * `exec` into a container that shares the host's mount namespace: joining
 * its namespaces leaves the helper on the host's root, so it takes the
 * container's root from its process instead (runc 1.1 leaves an exec'd
 * process on the host's root here).
 */
import { O_CLOEXEC, O_DIRECTORY, O_PATH } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { RuntError } from "../errors.ts";

/** Opened before any setns: the container's PID namespace may hide /proc/PID afterwards. */
export function openContainerRoot(sys: Syscalls, pid: number): number {
  try {
    return sys.open(`/proc/${pid}/root`, O_PATH | O_DIRECTORY | O_CLOEXEC);
  } catch (e) {
    throw new RuntError(`the root of the container's process ${pid}: ${(e as Error).message}`);
  }
}

export function enterContainerRoot(sys: Syscalls, rootFd: number): void {
  try {
    sys.fchdir(rootFd);
    sys.chroot(".");
    sys.chdir("/");
  } catch (e) {
    throw new RuntError(`entering the container's root: ${(e as Error).message}`);
  } finally {
    sys.close(rootFd);
  }
}
