/** `run`: create and start in one go; in the foreground, wait, then delete. */
import type { LifecycleContext } from "./context.ts";
import { createContainer, type CreateOptions } from "./create.ts";
import { deleteContainer } from "./delete.ts";
import { startContainer } from "./start.ts";
import { awaitExit, exitCodeOf, forwardSignals } from "./wait.ts";

export interface RunOptions extends CreateOptions {
  detach?: boolean;
  /** Keep the stopped container's state instead of deleting it. */
  keep?: boolean;
}

/** Returns the exit status `runt run` should end with. */
export async function runContainer(ctx: LifecycleContext, opts: RunOptions): Promise<number> {
  // In the foreground a terminal's master stays with runt, which relays it.
  let master: number | undefined;
  const record = await createContainer(ctx, opts.detach ? opts : { ...opts, onConsole: (fd) => master = fd });
  const stopForwarding = opts.detach ? () => {} : forwardSignals(ctx.sys, record.pid, { terminal: master !== undefined });
  try {
    try {
      startContainer(ctx, opts.id);
    } catch (e) {
      if (master !== undefined) ctx.sys.close(master);
      removeQuietly(ctx, opts.id);
      throw e;
    }
    if (opts.detach) return 0;
    try {
      return exitCodeOf(await awaitExit(ctx.sys, record.pid, master));
    } finally {
      if (!opts.keep) removeQuietly(ctx, opts.id);
    }
  } finally {
    stopForwarding();
  }
}

function removeQuietly(ctx: LifecycleContext, id: string): void {
  try {
    deleteContainer(ctx, id, true);
  } catch (e) {
    ctx.warn(`deleting container "${id}": ${(e as Error).message}`);
  }
}
