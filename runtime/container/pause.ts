/**
 * `pause` and `resume`: the container's cgroup frozen and thawed (v1
 * freezer.state, v2 cgroup.freeze). Nothing is recorded: `paused` is read
 * off the freezer by containerStatus.
 */
import { cgroupOf, withContainer } from "./access.ts";
import type { LifecycleContext } from "./context.ts";
import { ContainerStateError } from "./errors.ts";
import { containerStatus } from "./status.ts";

/** Freezes every process of a running container (or a created one, as runc allows). */
export function pauseContainer(ctx: LifecycleContext, id: string): void {
  withContainer(ctx, id, (record) => {
    const status = containerStatus(record);
    if (status !== "running" && status !== "created") {
      throw new ContainerStateError(`cannot pause container "${id}": it is ${status}, not running`);
    }
    cgroupOf(ctx, record, "pause").freeze();
  });
}

export function resumeContainer(ctx: LifecycleContext, id: string): void {
  withContainer(ctx, id, (record) => {
    const status = containerStatus(record);
    if (status !== "paused") throw new ContainerStateError(`cannot resume container "${id}": it is ${status}, not paused`);
    cgroupOf(ctx, record, "resume").thaw();
  });
}
