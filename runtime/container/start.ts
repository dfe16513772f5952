/** `start`: the created container's init execs the user process. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { ContainerRecord } from "../state/record.ts";
import type { LifecycleContext } from "./context.ts";
import { EXEC_FIFO } from "./paths.ts";
import { ContainerSetupError, ContainerStateError } from "./errors.ts";
import { releaseInit } from "./fifo.ts";
import { runWarningHooks } from "./hooks.ts";
import { ContainerLock } from "./lock.ts";
import { containerStatus, isAlive } from "./status.ts";

export function startContainer(ctx: LifecycleContext, id: string): ContainerRecord {
  const { store } = ctx;
  const dir = store.dir(id);
  store.read(id); // names an unknown container before any locking
  const lock = ContainerLock.acquire(ctx.sys, dir);
  let record: ContainerRecord;
  try {
    record = store.read(id);
    const status = containerStatus(record);
    if (status !== "created") {
      throw new ContainerStateError(`cannot start container "${id}": it is ${status}, only a created container can be started`);
    }
    const fifo = join(dir, EXEC_FIFO);
    const failure = releaseInit(ctx.sys, fifo, () => isAlive(record));
    rmSync(fifo, { force: true });
    if (failure) {
      record.phase = "stopped";
      store.write(record);
      throw new ContainerSetupError(failure);
    }
    record.phase = "running";
    store.write(record);
  } finally {
    lock.release();
  }
  runWarningHooks(ctx, "poststart", record, "running");
  return record;
}
