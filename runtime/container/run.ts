/** `run`: create and start in one go; in the foreground, wait, then delete. */
import type { LifecycleContext } from "./context.ts";
import { createContainer, type CreateOptions } from "./create.ts";
import { deleteContainer } from "./delete.ts";
import { type NotifyRelay, relayThenClose } from "./notify_socket.ts";
import { hasStartHooks, loadStartHookTools, releaseContainer } from "./release.ts";
import { isAlive } from "./status.ts";
import { traceStep } from "../trace.ts";
import { awaitExit, exitCodeOf, forwardSignals, type SignalForwarding } from "./wait.ts";
import { processId } from "../host.ts";

export interface RunOptions extends CreateOptions {
  detach?: boolean;
  /** Keep the stopped container's state instead of deleting it. */
  keep?: boolean;
}

/** Returns the exit status `runt run` should end with. */
export async function runContainer(ctx: LifecycleContext, opts: RunOptions): Promise<number> {
  const signals = forwardSignals(ctx.sys);
  try {
    return await createAndRun(ctx, opts, signals);
  } finally {
    signals.stop();
  }
}

async function createAndRun(ctx: LifecycleContext, opts: RunOptions, signals: SignalForwarding): Promise<number> {
  // In the foreground a terminal's master stays with runt, which relays it.
  let master: number | undefined;
  let record;
  try {
    record = await createContainer(ctx, opts.detach ? opts : { ...opts, onConsole: (fd) => master = fd });
  } catch (e) {
    // The terminal may have arrived before what failed.
    if (master !== undefined) ctx.sys.close(master);
    throw e;
  }
  let notify: NotifyRelay | undefined;
  try {
    // Told to stop while it was being made: it never starts, and goes as if it had been stopped.
    const stopped = opts.detach ? undefined : signals.heldStop();
    if (stopped !== undefined) {
      if (master !== undefined) ctx.sys.close(master);
      removeQuietly(ctx, opts.id);
      return 128 + stopped;
    }
    // The hook runner and exec's launcher are loaded only for a container with hooks to run at start.
    const tools = hasStartHooks(record) ? await loadStartHookTools() : undefined;
    notify = releaseContainer(ctx, opts.id, { notifySocket: opts.notifySocket }, tools).notify;
    traceStep("started");
  } catch (e) {
    if (master !== undefined) ctx.sys.close(master);
    removeQuietly(ctx, opts.id);
    throw e;
  }
  if (!opts.detach) signals.to(record.pid, { terminal: master !== undefined });
  if (opts.detach) {
    // As runc's run -d: back once the container is ready (MAINPID: its PID 1) or gone.
    if (notify) await relayThenClose(notify, { mainPid: record.pid, isAlive: () => isAlive(record), pollMs: 100 }, ctx.warn);
    return 0;
  }
  // runt stays the process a service manager watches, so MAINPID is runt's own.
  // Made only with a notify socket to relay: aborting one costs ~0.1-0.3 ms (it makes a DOMException).
  const exited = notify && new AbortController();
  const relayed = notify && exited && relayThenClose(notify, { mainPid: processId(), isAlive: () => isAlive(record), signal: exited.signal }, ctx.warn);
  try {
    return exitCodeOf(await awaitExit(ctx.sys, record.pid, master));
  } finally {
    traceStep("exited");
    exited?.abort();
    await relayed;
    if (!opts.keep) removeQuietly(ctx, opts.id);
    traceStep("deleted");
  }
}

function removeQuietly(ctx: LifecycleContext, id: string): void {
  try {
    deleteContainer(ctx, id, true);
  } catch (e) {
    ctx.warn(`deleting container "${id}": ${(e as Error).message}`);
  }
}
