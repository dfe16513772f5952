/**
 * `update`: new resource limits for a live container, written to its
 * cgroup and kept in its record, so later commands see the limits it has.
 */
import type { LinuxResources } from "../spec/schema.ts";
import { cgroupOf, loadCgroupDriverOf, withContainer } from "./access.ts";
import type { LifecycleContext } from "./context.ts";
import { ContainerStateError } from "./errors.ts";
import { containerStatus } from "./status.ts";
import { mergeResources, updateRequest } from "./update_request.ts";

/**
 * Applies `requested` (see updateRequest for what is left alone) on top of
 * the container's resources; `source` names where the request came from in
 * validation errors. Returns the settings that were ignored.
 */
export async function updateContainer(
  ctx: LifecycleContext,
  id: string,
  requested: LinuxResources,
  source: string,
): Promise<string[]> {
  const { resources, ignored } = updateRequest(requested);
  // Loaded on demand: the spec rules are the costliest module to load.
  const { validateConfigJson } = await import("../config_file.ts");
  await loadCgroupDriverOf(ctx, id);
  withContainer(ctx, id, (record) => {
    const status = containerStatus(record);
    if (status === "stopped" || status === "creating") {
      throw new ContainerStateError(`cannot update container "${id}": it is ${status}, not running`);
    }
    const merged = liftSwapWithMemory(mergeResources(record.config.linux?.resources, resources), resources);
    const config = validateConfigJson({ ...record.config, linux: { ...record.config.linux, resources: merged } }, source);
    // The whole set, as runc writes it: some limits depend on others (memory and swap, quota and period).
    cgroupOf(ctx, record, "update").set({ ...config.linux!.resources, devices: undefined });
    record.config = config;
    ctx.store.write(record);
  });
  return ignored;
}

/**
 * "No memory limit" without a word on swap lifts the memory+swap limit too,
 * as runc's update does: the old swap limit would sit below the new memory
 * limit, which the v1 kernel refuses (EINVAL) and v2 cannot express.
 */
function liftSwapWithMemory(merged: LinuxResources, requested: LinuxResources): LinuxResources {
  if (requested.memory?.limit !== -1 || requested.memory.swap !== undefined || merged.memory?.swap === undefined) return merged;
  const { swap: _, ...memory } = merged.memory;
  return { ...merged, memory };
}
