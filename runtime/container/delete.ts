/**
 * `delete`: the container's resources go, its poststop hooks run. A running
 * container is refused unless forced; a created one is torn down, as runc
 * does, since nothing of the user's has run in it yet.
 */
import { SIGKILL } from "../../ffi/constants.ts";
import { sleepSync } from "../sleep.ts";
import type { ContainerRecord } from "../state/record.ts";
import type { LifecycleContext } from "./context.ts";
import { ContainerStateError } from "./errors.ts";
import { runWarningHooks } from "./hooks.ts";
import { signalInit } from "./kill.ts";
import { ContainerLock } from "./lock.ts";
import { CgroupManager } from "../cgroups/manager.ts";
import { containerStatus, isAlive } from "./status.ts";
import { removeHostMounts } from "./host_mounts.ts";
import { removeImageBundle } from "../image/marker.ts";
import { exitEvent } from "../process/exit_event.ts";

const KILL_WAIT_MS = 10_000;

export function deleteContainer(ctx: LifecycleContext, id: string, force = false): void {
  const { store, sys } = ctx;
  const lock = ContainerLock.ofContainer(sys, store, id);
  try {
    const record = store.tryRead(id);
    if (record) {
      const status = containerStatus(record);
      if ((status === "running" || status === "paused" || status === "creating") && !force) {
        throw new ContainerStateError(`cannot delete container "${id}": it is ${status} (stop it first, or use --force)`);
      }
      if (record.pid > 0 && isAlive(record)) killAndWait(ctx, record);
      if (record.hostMounts) removeHostMounts(sys, record.hostMounts);
      if (record.cgroup) removeCgroup(ctx, record);
      runWarningHooks(ctx, "poststop", record, "stopped");
    }
    store.remove(id);
    if (record) removeImageBundle(sys, record.bundle, id);
  } finally {
    lock.release();
  }
}

/**
 * SIGKILL to the init, then wait until its PID namespace — every process in
 * it — is gone. A frozen cgroup is thawed after the signal, as runc does: a
 * task frozen by the v1 freezer does not die until it runs again. Not only a
 * paused container: a cgroup frozen while create ran leaves a container
 * whose status says nothing of it.
 */
function killAndWait(ctx: LifecycleContext, record: ContainerRecord): void {
  // Opened before the signal and checked against the record's start time, so the pidfd is
  // the init's and not a later process's that reused its PID.
  const exited = exitEvent(ctx.sys, record.pid);
  try {
    signalInit(ctx.sys, record, SIGKILL);
    if (record.cgroup) thawIfFrozen(CgroupManager.open(record.cgroup, { syscalls: ctx.sys }));
    // The init's own exit wakes this at once; the rest of its namespace follows it within moments.
    if (exited && isAlive(record)) exited.wait(KILL_WAIT_MS);
  } finally {
    exited?.close();
  }
  const deadline = Date.now() + KILL_WAIT_MS;
  let delay = 0.2;
  while (isAlive(record)) {
    if (Date.now() > deadline) {
      throw new ContainerStateError(`container "${record.id}": process ${record.pid} did not die after SIGKILL`);
    }
    sleepSync(delay);
    delay = Math.min(delay * 2, 20);
  }
}

/** Frozen or still freezing: either way its tasks cannot act on the SIGKILL. */
function thawIfFrozen(cgroup: CgroupManager): void {
  let state;
  try {
    state = cgroup.state();
  } catch {
    return; // No freezer file to read: nothing froze it.
  }
  if (state !== "thawed") cgroup.thaw();
}

/**
 * Whatever is still in the cgroup (a process that left the PID namespace) is
 * killed before the cgroup goes. Not so for a create that never finished:
 * nothing of the container's ran yet, and the cgroup it recorded before
 * making it may turn out to be someone else's, which create would have refused.
 */
function removeCgroup(ctx: LifecycleContext, record: ContainerRecord): void {
  const cgroup = CgroupManager.open(record.cgroup!, { syscalls: ctx.sys });
  if (record.phase !== "creating") cgroup.killAll(SIGKILL);
  cgroup.destroy();
}
