/** Whether our child has ended, without waiting for it. */
import type { Syscalls, WaitStatus } from "../../ffi/syscalls.ts";
import { SIGKILL, WNOHANG } from "../../ffi/constants.ts";

/** The status `pid` exited or was killed with (reaping it), or undefined while it runs or is stopped. */
export function exitStatus(sys: Syscalls, pid: number): WaitStatus | undefined {
  const { pid: reaped, status } = sys.waitpid(pid, WNOHANG);
  if (reaped === pid && status && (status.kind === "exited" || status.kind === "signaled")) return status;
  return undefined;
}

/** Collects our child `pid`, whatever became of it; one already collected is no error. */
export function reapQuietly(sys: Syscalls, pid: number): void {
  try {
    sys.waitpid(pid);
  } catch { /* reaped already */ }
}

/** Kills our child `pid` and collects it: a process that must not go on, gone for good. */
export function killAndReap(sys: Syscalls, pid: number): void {
  try {
    sys.kill(pid, SIGKILL);
  } catch { /* gone already */ }
  reapQuietly(sys, pid);
}
