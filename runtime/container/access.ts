/** What the resource commands share: the record read under the container's lock, and its cgroup. */
import { CgroupManager, loadDriverOf } from "../cgroups/manager.ts";
import type { ContainerRecord } from "../state/record.ts";
import type { LifecycleContext } from "./context.ts";
import { ContainerStateError } from "./errors.ts";
import { ContainerLock } from "./lock.ts";

/** Runs `fn` on the container's record while holding its lock. */
export function withContainer<T>(ctx: LifecycleContext, id: string, fn: (record: ContainerRecord) => T): T {
  const lock = ContainerLock.ofContainer(ctx.sys, ctx.store, id);
  try {
    return fn(ctx.store.read(id));
  } finally {
    lock.release();
  }
}

/**
 * Loads what managing container `id`'s cgroup takes, before a synchronous
 * delete or update: the systemd driver, for a cgroup systemd owns. A
 * script's library (runtime/runt.ts) has it loaded already.
 */
export async function loadCgroupDriverOf(ctx: LifecycleContext, id: string): Promise<void> {
  await loadDriverOf(ctx.store.tryRead(id)?.cgroup);
}

/** The container's cgroup; `verb` names the operation in the error for a record without one. */
export function cgroupOf(ctx: Pick<LifecycleContext, "sys"> | undefined, record: ContainerRecord, verb: string): CgroupManager {
  if (!record.cgroup) throw new ContainerStateError(`cannot ${verb} container "${record.id}": it has no cgroup recorded`);
  const cgroup = CgroupManager.open(record.cgroup, ctx ? { syscalls: ctx.sys } : {});
  if (cgroup.dirs().length === 0) {
    throw new ContainerStateError(`cannot ${verb} container "${record.id}": it has no cgroup (runt ran without root and could not create one; give linux.cgroupsPath a cgroup delegated to the user)`);
  }
  return cgroup;
}
