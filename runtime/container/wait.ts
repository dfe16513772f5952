/**
 * Waiting in the foreground for a container whose init is our own child
 * (`run`), while forwarding the signals a terminal or supervisor sends us.
 * waitpid is polled rather than blocked on, so the event loop stays free to
 * deliver those signals.
 */
import type { Syscalls, WaitStatus } from "../../ffi/syscalls.ts";
import { WNOHANG } from "../../ffi/constants.ts";
import { SIGNALS } from "../spec/constants.ts";
import { relayTerminal } from "../terminal/relay.ts";

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCONT"] as const;

/** runc's convention: the exit code, or 128 + the signal that killed it. */
export function exitCodeOf(status: WaitStatus): number {
  if (status.kind === "exited") return status.code;
  if (status.kind === "signaled") return 128 + status.signal;
  return 1;
}

/**
 * Forwards the signals a terminal or supervisor sends runt to `pid`, until the
 * returned function is called. Installed before the container starts, so no
 * signal can arrive in the window where it would still kill runt itself.
 */
export function forwardSignals(sys: Syscalls, pid: number, opts: { terminal?: boolean } = {}): () => void {
  // With a terminal, a window-size change is applied to it rather than sent on.
  const names = opts.terminal ? FORWARDED.filter((name) => name !== "SIGWINCH") : FORWARDED;
  const handlers = names.map((name) => {
    const handler = () => {
      try {
        sys.kill(pid, SIGNALS[name]);
      } catch { /* already exited */ }
    };
    process.on(name, handler);
    return { name, handler };
  });
  return () => {
    for (const { name, handler } of handlers) process.off(name, handler);
  };
}

/** Waits for our child `pid`, relaying its terminal meanwhile when runt holds the master. */
export function awaitExit(sys: Syscalls, pid: number, terminalMaster?: number): Promise<WaitStatus> {
  return terminalMaster === undefined ? waitForExit(sys, pid) : relayTerminal(sys, terminalMaster, pid);
}

/** Waits for our child `pid` to exit or be killed. */
export async function waitForExit(sys: Syscalls, pid: number): Promise<WaitStatus> {
  let delay = 0.2;
  for (;;) {
    const r = sys.waitpid(pid, WNOHANG);
    if (r.pid === pid && r.status && (r.status.kind === "exited" || r.status.kind === "signaled")) return r.status;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10);
  }
}
