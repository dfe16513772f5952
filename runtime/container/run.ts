/** `run`: create and start in one go; in the foreground, wait, then delete. */
import type { LifecycleContext } from "./context.ts";
import { createContainer, type CreateOptions } from "./create.ts";
import { deleteContainer } from "./delete.ts";
import { startContainer } from "./start.ts";
import { exitCodeOf, forwardSignals, waitForExit } from "./wait.ts";

export interface RunOptions extends CreateOptions {
  detach?: boolean;
  /** Keep the stopped container's state instead of deleting it. */
  keep?: boolean;
}

/** Returns the exit status `runt run` should end with. */
export async function runContainer(ctx: LifecycleContext, opts: RunOptions): Promise<number> {
  const record = await createContainer(ctx, opts);
  const stopForwarding = opts.detach ? () => {} : forwardSignals(ctx.sys, record.pid);
  try {
    try {
      startContainer(ctx, opts.id);
    } catch (e) {
      removeQuietly(ctx, opts.id);
      throw e;
    }
    if (opts.detach) return 0;
    try {
      return exitCodeOf(await waitForExit(ctx.sys, record.pid));
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
