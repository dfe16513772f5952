/**
 * `start`: the created container's init execs the user process
 * (release.ts), with the hook runner and exec's launcher at hand.
 */
import type { ContainerRecord } from "../state/record.ts";
import type { LifecycleContext } from "./context.ts";
import { launchInContainer } from "./exec.ts";
import { runHooks } from "../hooks/mod.ts";
import { runWarningHooks } from "./hooks.ts";
import { releaseContainer as release, type StartedContainer, type StartOptions } from "./release.ts";

export type { StartedContainer, StartOptions } from "./release.ts";

export function startContainer(ctx: LifecycleContext, id: string): ContainerRecord {
  return releaseContainer(ctx, id).record;
}

/** Releases the init of a created container; its notify socket, if asked for, is listening before that. */
export function releaseContainer(ctx: LifecycleContext, id: string, options: StartOptions = {}): StartedContainer {
  return release(ctx, id, options, { launch: launchInContainer, runHooks, runWarningHooks });
}
