/**
 * Waiting in the foreground for a container whose init is our own child
 * (`run`), while forwarding the signals a terminal or supervisor sends us.
 * waitpid is not blocked on (the exit is awaited on a pidfd, a slice at a
 * time), so the event loop stays free to
 * deliver those signals.
 */
import type { Syscalls, WaitStatus } from "../../ffi/syscalls.ts";
import { SIGNALS } from "../spec/constants.ts";
import { relayTerminal } from "../terminal/relay.ts";
import { exitStatus } from "../process/reap.ts";
import { exitEvent } from "../process/exit_event.ts";
import { onSignal } from "../host.ts";

/** How long one blocking wait on the exit may hold the event loop, which delivers the forwarded signals. */
const SIGNAL_LATENCY_MS = 10;

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCONT"] as const;

/** runc's convention: the exit code, or 128 + the signal that killed it. */
export function exitCodeOf(status: WaitStatus): number {
  if (status.kind === "exited") return status.code;
  if (status.kind === "signaled") return 128 + status.signal;
  return 1;
}

export interface SignalForwarding {
  /**
   * From now on signals go to `pid`; those that arrived before are delivered
   * at once. With a terminal, SIGWINCH is left to the terminal relay.
   */
  to(pid: number, opts?: { terminal?: boolean }): void;
  /** The first SIGINT, SIGTERM, SIGHUP or SIGQUIT held so far: someone wants runt to stop. */
  heldStop(): number | undefined;
  stop(): void;
}

const STOPPING = new Set<number>([SIGNALS.SIGINT, SIGNALS.SIGTERM, SIGNALS.SIGHUP, SIGNALS.SIGQUIT]);

/**
 * Takes over the signals a terminal or supervisor sends runt, until `stop`.
 * Installed before anything is made: a SIGTERM while the container is being
 * created would otherwise kill runt half-way and leave the container
 * behind. Until `to` names a process they are held, and a caller that never
 * names one (create, run -d) ignores them, as runc does; a foreground run
 * asks `heldStop` and does not start a container it was told to stop.
 */
export function forwardSignals(sys: Syscalls): SignalForwarding {
  let target: number | undefined;
  let terminal = false;
  const held: number[] = [];
  const send = (pid: number, signal: number) => {
    try {
      sys.kill(pid, signal);
    } catch { /* already exited */ }
  };
  const deliver = (signal: number) => {
    if (signal === SIGNALS.SIGWINCH && terminal) return;
    if (target === undefined) held.push(signal);
    else send(target, signal);
  };
  const handlers = FORWARDED.map((name) => {
    return onSignal(name, () => deliver(SIGNALS[name]));
  });
  return {
    to(pid, opts = {}) {
      target = pid;
      terminal = opts.terminal ?? false;
      for (const signal of held.splice(0)) deliver(signal);
    },
    heldStop() {
      return held.find((signal) => STOPPING.has(signal));
    },
    stop() {
      for (const stopListening of handlers) stopListening();
    },
  };
}

/** Waits for our child `pid`, relaying its terminal meanwhile when runt holds the master. */
export function awaitExit(sys: Syscalls, pid: number, terminalMaster?: number): Promise<WaitStatus> {
  return terminalMaster === undefined ? waitForExit(sys, pid) : relayTerminal(sys, terminalMaster, pid);
}

/** Waits for our child `pid` to exit or be killed. */
export async function waitForExit(sys: Syscalls, pid: number): Promise<WaitStatus> {
  const exited = exitEvent(sys, pid);
  try {
    let delay = 0.2;
    let woken = false;
    for (;;) {
      const status = exitStatus(sys, pid);
      if (status) return status;
      // Woken by the exit itself: reap at once, without a turn of the event loop.
      woken = !woken && exited !== undefined && exited.wait(SIGNAL_LATENCY_MS);
      if (woken) continue;
      await new Promise((resolve) => setTimeout(resolve, exited ? 0 : delay));
      delay = Math.min(delay * 2, 10);
    }
  } finally {
    exited?.close();
  }
}
