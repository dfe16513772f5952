/**
 * `start`'s work: a created container's init is released to exec the user
 * process. What only hooks need — the hook runner, and exec's launcher that
 * startContainer hooks are started with — is passed in: `runt start` of a
 * container without hooks loads neither (nor exec's start-up program,
 * namespaces and cgroups).
 */
import { rmSync } from "../host_fs.ts";
import { join } from "../path.ts";
import { SIGKILL } from "../../ffi/constants.ts";
import type { HookSpawner, runHooks } from "../hooks/mod.ts";
import { type ContainerRecord, ociState } from "../state/record.ts";
import type { launchInContainer } from "./exec.ts";
import type { LifecycleContext } from "./context.ts";
import { EXEC_FIFO } from "./paths.ts";
import { ContainerSetupError, ContainerStateError } from "./errors.ts";
import { releaseInit } from "./fifo.ts";
import type { runWarningHooks } from "./hooks.ts";
import { ContainerLock } from "./lock.ts";
import { NotifyRelay, relayThenClose } from "./notify_socket.ts";
import { containerStatus, isAlive } from "./status.ts";

/** What running start's hooks takes; startContainer hooks are started as `exec` starts a process. */
export interface StartHookTools {
  launch: typeof launchInContainer;
  runHooks: typeof runHooks;
  runWarningHooks: typeof runWarningHooks;
}

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
function runStartContainerHooks(ctx: LifecycleContext, record: ContainerRecord, tools: StartHookTools | undefined): string {
  const hooks = record.config.hooks?.startContainer;
  if (!hooks?.length) return "";
  const { launch, runHooks } = needTools(tools);
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

function needTools(tools: StartHookTools | undefined): StartHookTools {
  if (!tools) throw new Error("hooks to run at start, and nothing to run them with");
  return tools;
}

/**
 * Whether releasing the container may run hooks. Read before the lock is
 * taken: a created container's config no longer changes, and one still
 * being created has not got its validated config yet.
 */
function mayRunHooks(ctx: LifecycleContext, id: string): boolean {
  const record = ctx.store.read(id);
  return record.phase === "creating" || hasStartHooks(record);
}

/** Whether releasing this created container runs hooks (startContainer, poststart). */
export function hasStartHooks(record: ContainerRecord): boolean {
  const hooks = record.config.hooks;
  return (hooks?.startContainer?.length ?? 0) > 0 || (hooks?.poststart?.length ?? 0) > 0;
}

/** The hook runner and exec's launcher, loaded when a container has hooks to run. */
export async function loadStartHookTools(): Promise<StartHookTools> {
  const [{ launchInContainer }, { runHooks }, { runWarningHooks }] = await Promise.all([
    import("./exec.ts"),
    import("../hooks/mod.ts"),
    import("./hooks.ts"),
  ]);
  return { launch: launchInContainer, runHooks, runWarningHooks };
}

/**
 * `runt start`. With a notify socket, it returns once the container's READY
 * has been passed on (MAINPID: its PID 1) or its PID 1 is gone, as runc's does.
 */
export async function startAndAwaitReady(ctx: LifecycleContext, id: string, options: StartOptions = {}): Promise<ContainerRecord> {
  const tools = mayRunHooks(ctx, id) ? await loadStartHookTools() : undefined;
  const { record, notify } = releaseContainer(ctx, id, options, tools);
  // Nothing else to do meanwhile: block in poll rather than spin.
  if (notify) await relayThenClose(notify, { mainPid: record.pid, isAlive: () => isAlive(record), pollMs: 100 });
  return record;
}

/** Releases the init of a created container; its notify socket, if asked for, is listening before that. */
export function releaseContainer(ctx: LifecycleContext, id: string, options: StartOptions, tools: StartHookTools | undefined): StartedContainer {
  const { store } = ctx;
  const dir = store.dir(id);
  const lock = ContainerLock.ofContainer(ctx.sys, store, id);
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
    let running = false;
    const markRunning = () => {
      rmSync(fifo, { force: true });
      record.phase = "running";
      store.write(record);
      running = true;
    };
    try {
      // Recorded as running once the init has its byte, as runc's start does, while the init execs the user's program.
      failure = runStartContainerHooks(ctx, record, tools) || releaseInit(ctx.sys, fifo, () => isAlive(record), markRunning);
    } catch (e) {
      notify?.discard();
      throw e;
    }
    if (failure) {
      rmSync(fifo, { force: true });
      // A hook failed: the waiting program must not run the user's one later.
      if (isAlive(record)) killQuietly(ctx, record.pid);
      notify?.discard();
      record.phase = "stopped";
      store.write(record);
      throw new ContainerSetupError(failure);
    }
    if (!running) markRunning();
  } finally {
    lock.release();
  }
  if (record.config.hooks?.poststart?.length) needTools(tools).runWarningHooks(ctx, "poststart", record, "running");
  return { record, notify };
}
