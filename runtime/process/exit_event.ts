/**
 * A process's exit as an event: a pidfd polls readable once the process has
 * exited, so a waiter wakes when it happens instead of on its next timed
 * retry (a backoff loop could oversleep an exit by up to its longest delay).
 */
import { POLLIN } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

export interface ExitEvent {
  /** Blocks up to `timeoutMs` (Infinity: until it happens) for the exit; true once the process has exited. */
  wait(timeoutMs: number): boolean;
  /** Signals the process through its pidfd: a reused PID can never get the signal. */
  signal(signal: number): void;
  close(): void;
}

/** An ExitEvent for `pid`, or undefined where no pidfd can be had (the process is gone, or a kernel before 5.3). */
export function exitEvent(sys: Syscalls, pid: number): ExitEvent | undefined {
  let fd: number;
  try {
    fd = sys.pidfdOpen(pid);
  } catch {
    return undefined;
  }
  return {
    wait: (timeoutMs) => sys.poll([{ fd, events: POLLIN }], Number.isFinite(timeoutMs) ? Math.max(0, Math.ceil(timeoutMs)) : -1)[0] !== 0,
    signal: (signal) => sys.pidfdSendSignal(fd, signal),
    close: () => sys.close(fd),
  };
}
