/**
 * `start`'s work: a created container's init is released to exec the user
 * process. exec's launcher, which startContainer hooks are started with,
 * is passed in: `runt start` of a container without such hooks never loads
 * exec's machinery (the start-up program, namespaces, cgroups).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { SIGKILL } from "../../ffi/constants.ts";
import { type HookSpawner, runHooks } from "../hooks/mod.ts";
import { type ContainerRecord, ociState } from "../state/record.ts";
import type { launchInContainer } from "./exec.ts";
import type { LifecycleContext } from "./context.ts";
import { EXEC_FIFO } from "./paths.ts";
import { ContainerSetupError, ContainerStateError } from "./errors.ts";
import { releaseInit } from "./fifo.ts";
import { runWarningHooks } from "./hooks.ts";
import { ContainerLock } from "./lock.ts";
import { NotifyRelay, relayThenClose } from "./notify_socket.ts";
import { containerStatus, isAlive } from "./status.ts";

/** How a startContainer hook is started: as `exec` starts a process. */
export type HookLauncher = typeof launchInContainer;

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
function runStartContainerHooks(ctx: LifecycleContext, record: ContainerRecord, launch: HookLauncher | undefined): string {
  const hooks = record.config.hooks?.startContainer;
  if (!hooks?.length) return "";
  if (!launch) throw new Error("startContainer hooks to run, and no launcher for them");
  const container = record.config.process!;
  const spawner: HookSpawner = (hook, stdio) =>
    launch(ctx, record, { ...container, args: hook.args?.length ? hook.args : [hook.path], env: hook.env ?? [], terminal: false }, {
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

/**
 * Whether releasing the container may run startContainer hooks. Read before
 * the lock is taken: a created container's config no longer changes, and
 * one still being created has not got its validated config yet.
 */
function mayRunStartContainerHooks(ctx: LifecycleContext, id: string): boolean {
  const record = ctx.store.read(id);
  return record.phase === "creating" || (record.config.hooks?.startContainer?.length ?? 0) > 0;
}

/**
 * `runt start`. With a notify socket, it returns once the container's READY
 * has been passed on (MAINPID: its PID 1) or its PID 1 is gone, as runc's does.
 */
export async function startAndAwaitReady(ctx: LifecycleContext, id: string, options: StartOptions = {}): Promise<ContainerRecord> {
  const launch = mayRunStartContainerHooks(ctx, id) ? (await import("./exec.ts")).launchInContainer : undefined;
  const { record, notify } = releaseContainer(ctx, id, options, launch);
  // Nothing else to do meanwhile: block in poll rather than spin.
  if (notify) await relayThenClose(notify, { mainPid: record.pid, isAlive: () => isAlive(record), pollMs: 100 });
  return record;
}

/** Releases the init of a created container; its notify socket, if asked for, is listening before that. */
export function releaseContainer(ctx: LifecycleContext, id: string, options: StartOptions, launch: HookLauncher | undefined): StartedContainer {
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
      failure = runStartContainerHooks(ctx, record, launch) || releaseInit(ctx.sys, fifo, () => isAlive(record));
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
