/** Whether our child has ended, without waiting for it. */
import type { Syscalls, WaitStatus } from "../../ffi/syscalls.ts";
import { WNOHANG } from "../../ffi/constants.ts";

/** The status `pid` exited or was killed with (reaping it), or undefined while it runs or is stopped. */
export function exitStatus(sys: Syscalls, pid: number): WaitStatus | undefined {
  const { pid: reaped, status } = sys.waitpid(pid, WNOHANG);
  if (reaped === pid && status && (status.kind === "exited" || status.kind === "signaled")) return status;
  return undefined;
}
