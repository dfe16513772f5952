/**
 * `runt stop`: the container's stop signal (the image's StopSignal, kept as
 * the org.opencontainers.image.stopSignal annotation; SIGTERM otherwise),
 * then SIGKILL when the process outlives the timeout. The wait is on the
 * init's pidfd, which becomes readable when the process exits.
 */
import { SIGKILL } from "../../ffi/constants.ts";
import { exitEvent } from "../process/exit_event.ts";
import { parseSignal } from "../spec/signals.ts";
import type { LifecycleContext } from "./context.ts";
import { isAlive } from "./status.ts";

export const STOP_SIGNAL_ANNOTATION = "org.opencontainers.image.stopSignal";

/** Returns "signal" when the stop signal ended it, "killed" when SIGKILL had to, "stopped" when it already was. */
export function stopContainer(ctx: LifecycleContext, id: string, timeoutSeconds: number): "signal" | "killed" | "stopped" {
  const { sys } = ctx;
  const record = ctx.store.read(id);
  const name = record.annotations?.[STOP_SIGNAL_ANNOTATION];
  const signal = (name && parseSignal(name)) || 15; // SIGTERM
  const process = exitEvent(sys, record.pid);
  if (process === undefined) return "stopped";
  try {
    // Checked with the pidfd held: a reused PID never gets the signal.
    if (!record.pid || !isAlive(record)) return "stopped";
    process.signal(signal);
    if (process.wait(timeoutSeconds * 1000)) return "signal";
    process.signal(SIGKILL);
    process.wait(Infinity);
    return "killed";
  } finally {
    process.close();
  }
}
