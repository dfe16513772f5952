/**
 * Cleaning what would survive the init's execveat into the start-up
 * program (runtime/startup/become.ts): descriptors
 * beyond the ones meant for the container would leak runtime internals, and
 * Deno and Bun ignore SIGPIPE (Bun also SIGXFSZ, `deno test` children 32) and may block signals —
 * an ignored disposition and the signal mask both survive execve, and the
 * container's program must not start with them. No threads are created here.
 */
import { readdirSync } from "../host_fs.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import {
  CLOSE_RANGE_CLOEXEC,
  F_DUPFD_CLOEXEC,
  F_SETFD,
  FD_CLOEXEC,
  NSIG,
  SIG_DFL,
  SIG_SETMASK,
  SIGKILL,
  SIGSTOP,
} from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";

/**
 * Every signal whose disposition can be set, glibc's internal 32 and 33
 * included: a parent may have left them ignored, and nothing in this
 * process needs them between here and execve.
 */
export const RESETTABLE_SIGNALS: readonly number[] = resettable();

// A loop: Array.from and filter would each pay their first call at load (see ffi/constants.ts).
function resettable(): number[] {
  const signals: number[] = [];
  for (let s = 1; s < NSIG; s++) if (s !== SIGKILL && s !== SIGSTOP) signals.push(s);
  return signals;
}

const ALL_FDS = 0xffff_ffff;

/**
 * `fd`, or where it is below `floor` a close-on-exec copy at or above it
 * (the original closed): a descriptor that posix_spawn's dup2 actions
 * place at numbers below `floor` must not sit on one of them, or an
 * earlier dup2 replaces it, or a dup2 onto itself leaves it close-on-exec.
 */
export function liftAbove(sys: Syscalls, fd: number, floor: number): number {
  if (fd >= floor) return fd;
  try {
    return sys.fcntl(fd, F_DUPFD_CLOEXEC, floor);
  } finally {
    sys.close(fd);
  }
}

/** Marks every descriptor from `first` up close-on-exec. */
export function closeOnExecFrom(sys: Syscalls, first: number): void {
  try {
    sys.closeRange(first, ALL_FDS, CLOSE_RANGE_CLOEXEC);
    return;
  } catch (e) {
    // Kernels before 5.11 lack close_range or its CLOEXEC flag.
    if (!isErrno(e, "ENOSYS") && !isErrno(e, "EINVAL")) throw e;
  }
  for (const name of readdirSync("/proc/self/fd")) {
    const fd = Number(name);
    if (fd < first) continue;
    try {
      sys.fcntl(fd, F_SETFD, FD_CLOEXEC);
    } catch (e) {
      // The descriptor readdirSync listed its own directory with, closed since.
      if (!isErrno(e, "EBADF")) throw e;
    }
  }
}

/**
 * Clears close-on-exec on descriptors 3 … keepFds-1, the preserved ones: Bun
 * marks every inherited descriptor from 4 up close-on-exec as it starts.
 * A number the caller did not pass is skipped.
 */
export function inheritPreserved(sys: Syscalls, keepFds: number): void {
  for (let fd = 3; fd < keepFds; fd++) {
    try {
      sys.fcntl(fd, F_SETFD, 0);
    } catch (e) {
      if (!isErrno(e, "EBADF")) throw e;
    }
  }
}

/** Every disposition to SIG_DFL first, then an empty mask, so a pending signal meets the default action. */
export function resetSignals(sys: Syscalls): void {
  for (const signal of RESETTABLE_SIGNALS) sys.signal(signal, SIG_DFL);
  sys.sigprocmask(SIG_SETMASK, []);
}
