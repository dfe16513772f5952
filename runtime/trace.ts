/**
 * RUNT_TRACE=1: each step of a command, as the process reaches it, is one
 * line on stderr — `runt-trace PID STEP MS` with MS the wall clock in
 * milliseconds since the epoch (fractional), so the steps of the parent and
 * of the container's init line up with the time the caller started the
 * command. `make bench` reads them for its phase table. Off by default, and
 * then a step costs one comparison.
 */
import { envVar, processId, writeAll } from "./host.ts";

export const TRACE_ENV = "RUNT_TRACE";

const on = envVar(TRACE_ENV) === "1";

export function traceStep(step: string): void {
  if (!on) return;
  writeAll(2, `runt-trace ${processId()} ${step} ${(performance.timeOrigin + performance.now()).toFixed(3)}\n`);
}
