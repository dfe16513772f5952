/**
 * `exec`: a new process in a running container. A fresh `runt init` is
 * spawned into the container's PID namespace, placed in its cgroup, joins
 * its other namespaces by /proc/PID/ns path, takes the process settings and
 * execs; the channel closing is its success.
 */
import type { Spec } from "../spec/schema.ts";
import { NAMESPACES } from "../spec/constants.ts";
import { CgroupManager } from "../cgroups/manager.ts";
import type { InitReport } from "../init/channel.ts";
import type { InitConfig } from "../init/config.ts";
import { type SpawnedInit, spawnInit } from "../init/spawn.ts";
import { ociState, type ContainerRecord } from "../state/record.ts";
import { SIGKILL } from "../../ffi/constants.ts";
import type { LifecycleContext } from "./context.ts";
import { writePidFile } from "./create.ts";
import { ContainerSetupError, ContainerStateError } from "./errors.ts";
import { containerStatus } from "./status.ts";
import { awaitExit, exitCodeOf, forwardSignals } from "./wait.ts";
import { checkLsmSupport } from "../process/lsm.ts";
import { seccompFor } from "./seccomp.ts";
import { checkConsoleUse, connectConsoleSocket, type ConsoleOptions, handOverConsole } from "./console.ts";

type Process = NonNullable<Spec["process"]>;
type Namespace = NonNullable<NonNullable<Spec["linux"]>["namespaces"]>[number];

export interface ExecOptions extends Pick<ConsoleOptions, "consoleSocket"> {
  id: string;
  process: Process;
  detach?: boolean;
  pidFile?: string;
  preserveFds?: number;
  /** Exec into a paused container (the process stays frozen with it). */
  ignorePaused?: boolean;
}

/** Resolves to the process's exit status (0 at once with `detach`). */
export async function execInContainer(ctx: LifecycleContext, opts: ExecOptions): Promise<number> {
  const { sys, store } = ctx;
  const record = store.read(opts.id);
  const status = containerStatus(record);
  if (status !== "running" && status !== "created" && !(status === "paused" && opts.ignorePaused)) {
    throw new ContainerStateError(`cannot exec in container "${opts.id}": it is ${status}`);
  }
  checkLsmSupport(opts.process);
  const spec = execSpec(record, opts.process);
  // The container's filter holds for every process in it, as under runc.
  const seccomp = seccompFor(spec);
  // In the foreground a terminal's master stays with runt, which relays it.
  let master: number | undefined;
  const consoleOpts: ConsoleOptions = opts.detach ? { consoleSocket: opts.consoleSocket } : { consoleSocket: opts.consoleSocket, onConsole: (fd) => master = fd };
  checkConsoleUse(opts.process.terminal, consoleOpts);
  const consoleSocket = opts.consoleSocket === undefined ? undefined : connectConsoleSocket(sys, opts.consoleSocket);
  const pidNs = spec.linux?.namespaces?.find((ns) => ns.type === "pid");
  let init: SpawnedInit;
  try {
    init = spawnInit(sys, opts.id, pidNs && { path: pidNs.path }, opts.preserveFds ?? 0);
  } catch (e) {
    if (consoleSocket !== undefined) sys.close(consoleSocket);
    throw e;
  }
  const signals = forwardSignals(sys);
  if (!opts.detach) signals.to(init.pid, { terminal: opts.process.terminal });
  let reaped = false;
  try {
    try {
      if (record.cgroup) CgroupManager.open(record.cgroup, { syscalls: sys }).apply(init.pid);
      init.channel.send({
        mode: "exec",
        spec,
        rootfs: record.rootfs,
        bundle: record.bundle,
        noPivot: false,
        noNewKeyring: false,
        fifoPath: "",
        preserveFds: opts.preserveFds ?? 0,
        state: ociState(record, status),
        seccomp,
      } satisfies InitConfig);
      for (let report = init.channel.receive<InitReport>(); report !== null; report = init.channel.receive<InitReport>()) {
        if (report.type === "error") {
          const code = exitCodeOf(sys.waitpid(init.pid).status!);
          reaped = true;
          throw new ContainerSetupError(report.message, code);
        }
        const fd = report.type === "console" ? init.channel.takeFd() : undefined;
        if (fd !== undefined) handOverConsole(sys, fd, consoleSocket, consoleOpts);
      }
    } catch (e) {
      if (!reaped) killQuietly(ctx, init.pid);
      if (master !== undefined) sys.close(master);
      throw e;
    } finally {
      init.channel.close();
      if (consoleSocket !== undefined) sys.close(consoleSocket);
    }
    if (opts.pidFile) writePidFile(opts.pidFile, init.pid);
    if (opts.detach) return 0;
    return exitCodeOf(await awaitExit(sys, init.pid, master));
  } finally {
    signals.stop();
  }
}

/** The container's config with the exec'd process, and every namespace named by its init's /proc path. */
function execSpec(record: ContainerRecord, process: Process): Spec {
  const namespaces: Namespace[] = (record.config.linux?.namespaces ?? [])
    .filter((ns) => ns.type !== "user")
    .map((ns) => {
      if (ns.type === "time") {
        // setns into a time namespace needs a single-threaded process.
        throw new ContainerSetupError(`cannot exec in container "${record.id}": it has a time namespace, which runt cannot join`);
      }
      return { type: ns.type, path: `/proc/${record.pid}/ns/${NAMESPACES[ns.type].proc}` };
    });
  return { ...record.config, process, linux: { ...record.config.linux, namespaces } };
}

function killQuietly(ctx: LifecycleContext, pid: number): void {
  try {
    ctx.sys.kill(pid, SIGKILL);
    ctx.sys.waitpid(pid);
  } catch { /* gone already */ }
}
