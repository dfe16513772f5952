/**
 * What the lifecycle commands share: the real system calls, the state root,
 * warnings to the log. Kept to that: `start` and `delete` load this module,
 * and every import here is evaluated before they can begin.
 */
import type { LifecycleContext } from "../runtime/container/context.ts";
import { prepareUserStateRoot } from "../runtime/state/root.ts";
import { SYSTEM_STATE_ROOT } from "../runtime/state/default_root.ts";
import { DEFAULT_ROOT } from "./global.ts";
import type { CommandContext } from "./command.ts";
import { traceStep } from "../runtime/trace.ts";
import { envVar } from "../runtime/host.ts";

export async function lifecycle(ctx: CommandContext): Promise<LifecycleContext> {
  if (ctx.global.root === DEFAULT_ROOT && DEFAULT_ROOT !== SYSTEM_STATE_ROOT) prepareUserStateRoot(DEFAULT_ROOT);
  // Loaded here, not with the command table: commands that bind no FFI (state, list, --version) start faster.
  const [{ loadSyscalls }, { StateStore }, { renameExchange }] = await Promise.all([
    import("../ffi/mod.ts"),
    import("../runtime/state/store.ts"),
    import("../runtime/state/exchange.ts"),
  ]);
  const sys = await loadSyscalls();
  traceStep("ffi bound");
  return { sys, store: new StateStore(ctx.global.root, renameExchange(sys)), warn: (line) => ctx.log.warn(line) };
}

/** runc takes the service manager's socket from its environment; empty means none. */
export function notifySocketFromEnv(): string | undefined {
  return envVar("NOTIFY_SOCKET") || undefined;
}
