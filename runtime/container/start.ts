/** `start`: the created container's init execs the user process. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { SIGKILL } from "../../ffi/constants.ts";
import { type HookSpawner, runHooks } from "../hooks/mod.ts";
import { type ContainerRecord, ociState } from "../state/record.ts";
import { launchInContainer } from "./exec.ts";
import type { LifecycleContext } from "./context.ts";
import { EXEC_FIFO } from "./paths.ts";
import { ContainerSetupError, ContainerStateError } from "./errors.ts";
import { releaseInit } from "./fifo.ts";
import { runWarningHooks } from "./hooks.ts";
import { ContainerLock } from "./lock.ts";
import { NotifyRelay, relayThenClose } from "./notify_socket.ts";
import { containerStatus, isAlive } from "./status.ts";

export interface StartOptions {
  /** The service manager's notify socket on the host (runc takes NOTIFY_SOCKET from its environment). */
  notifySocket?: string;
}

export interface StartedContainer {
  record: ContainerRecord;
  /** With a notify socket: bound and connected before the init was released; the caller relays and closes it. */
  notify?: NotifyRelay;
}

/**
 * startContainer hooks, before the user's program is released: each is
 * started as `exec` starts a process (runtime.md: in the container's
 * namespaces), so it runs as runc's do — in the container's cgroup, with
 * its user, capabilities and seccomp filter — not as runt. A failure is
 * returned as the reason the container stopped.
 */
function runStartContainerHooks(ctx: LifecycleContext, record: ContainerRecord): string {
  const hooks = record.config.hooks?.startContainer;
  if (!hooks?.length) return "";
  const container = record.config.process!;
  const spawner: HookSpawner = (hook, stdio) =>
    launchInContainer(ctx, record, { ...container, args: hook.args?.length ? hook.args : [hook.path], env: hook.env ?? [], terminal: false }, {
      stdio,
      exactEnv: true,
      executable: hook.path,
    });
  try {
    runHooks(ctx.sys, "startContainer", hooks, ociState(record, "created"), spawner);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

function killQuietly(ctx: LifecycleContext, pid: number): void {
  try {
    ctx.sys.kill(pid, SIGKILL);
  } catch { /* gone already */ }
}

export function startContainer(ctx: LifecycleContext, id: string): ContainerRecord {
  return releaseContainer(ctx, id).record;
}

/**
 * `runt start`. With a notify socket, it returns once the container's READY
 * has been passed on (MAINPID: its PID 1) or its PID 1 is gone, as runc's does.
 */
export async function startAndAwaitReady(ctx: LifecycleContext, id: string, options: StartOptions = {}): Promise<ContainerRecord> {
  const { record, notify } = releaseContainer(ctx, id, options);
  // Nothing else to do meanwhile: block in poll rather than spin.
  if (notify) await relayThenClose(notify, { mainPid: record.pid, isAlive: () => isAlive(record), pollMs: 100 });
  return record;
}

/** Releases the init of a created container; its notify socket, if asked for, is listening before that. */
export function releaseContainer(ctx: LifecycleContext, id: string, options: StartOptions = {}): StartedContainer {
  const { store } = ctx;
  const dir = store.dir(id);
  store.read(id); // names an unknown container before any locking
  const lock = ContainerLock.acquire(ctx.sys, dir);
  let record: ContainerRecord;
  let notify: NotifyRelay | undefined;
  try {
    record = store.read(id);
    const status = containerStatus(record);
    if (status !== "created") {
      throw new ContainerStateError(`cannot start container "${id}": it is ${status}, only a created container can be started`);
    }
    if (options.notifySocket !== undefined) notify = NotifyRelay.open(ctx.sys, dir, options.notifySocket);
    const fifo = join(dir, EXEC_FIFO);
    let failure: string;
    try {
      failure = runStartContainerHooks(ctx, record) || releaseInit(ctx.sys, fifo, () => isAlive(record));
    } catch (e) {
      notify?.discard();
      throw e;
    }
    rmSync(fifo, { force: true });
    if (failure) {
      // A hook failed: the waiting program must not run the user's one later.
      if (isAlive(record)) killQuietly(ctx, record.pid);
      notify?.discard();
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
  return { record, notify };
}
