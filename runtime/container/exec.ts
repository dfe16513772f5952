/**
 * `exec`: a new process in a running container. A fresh `runt init` is
 * spawned in runt's own PID namespace (so the container never sees it),
 * placed in the container's cgroup (or the sub-cgroup `--cgroup` names, which
 * the process it starts inherits), joins its other namespaces by
 * /proc/PID/ns path and becomes the start-up program, which starts the
 * process inside the PID namespace as runt's own child and reports its PID
 * (runtime/startup/plan.ts).
 */
import type { Spec } from "../spec/schema.ts";
import { NAMESPACES } from "../spec/constants.ts";
import { CgroupPlacement } from "../cgroups/placement.ts";
import type { SubCgroupPaths } from "../cgroups/sub.ts";
import type { InitReport } from "../init/channel.ts";
import type { InitConfig } from "../init/config.ts";
import { spawnInit } from "../init/spawn.ts";
import { spawnHelperInUserNamespace } from "./user_namespace.ts";
import { canLaunchDirectly, spawnDirect } from "./exec_direct.ts";
import { ociState, type ContainerRecord } from "../state/record.ts";
import { killAndReap, reapQuietly } from "../process/reap.ts";
import { errnoName } from "../../ffi/errno.ts";
import { parseStartupTail } from "../startup/report.ts";
import { sendListenerToAgent } from "./seccomp_agent.ts";
import type { LifecycleContext } from "./context.ts";
import { writePidFile } from "./pid_file.ts";
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
  /** Sub-cgroups of the container's cgroup to run the process in (exec --cgroup). */
  subCgroups?: SubCgroupPaths;
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
  // In the foreground a terminal's master stays with runt, which relays it.
  let master: number | undefined;
  const consoleOpts: ConsoleOptions = opts.detach ? { consoleSocket: opts.consoleSocket } : { consoleSocket: opts.consoleSocket, onConsole: (fd) => master = fd };
  checkConsoleUse(opts.process.terminal, consoleOpts);
  // --cgroup is checked before anything is made.
  const cgroup = execCgroup(record, opts.subCgroups);
  const consoleSocket = opts.consoleSocket === undefined ? undefined : connectConsoleSocket(sys, opts.consoleSocket);
  // Held until the process exists, then delivered to it.
  const signals = forwardSignals(sys);
  try {
    let processPid: number;
    try {
      processPid = launchInContainer(ctx, record, opts.process, {
        preserveFds: opts.preserveFds,
        // Relayed: the helper has set the terminal up already, before the process could write to it.
        onConsole: (fd) => opts.detach ? handOverConsole(sys, fd, consoleSocket, consoleOpts) : (master = fd),
        relayTerminal: !opts.detach,
        cgroup,
      });
    } catch (e) {
      if (master !== undefined) sys.close(master);
      throw e;
    } finally {
      if (consoleSocket !== undefined) sys.close(consoleSocket);
    }
    if (!opts.detach) signals.to(processPid, { terminal: opts.process.terminal });
    if (opts.pidFile) writePidFile(opts.pidFile, processPid);
    if (opts.detach) return 0;
    return exitCodeOf(await awaitExit(sys, processPid, master));
  } finally {
    signals.stop();
  }
}

export interface LaunchOptions {
  preserveFds?: number;
  /** Descriptors that become the process's 0, 1 and 2 (default: runt's own). */
  stdio?: [number, number, number];
  /** The environment exactly as given, without the HOME runc adds to a container process's. */
  exactEnv?: boolean;
  /** The program to run, when it is not args[0] looked up on PATH (a hook's `path`). */
  executable?: string;
  /** The cgroup to run the process in, when not the container's own (exec --cgroup). */
  cgroup?: CgroupPlacement;
  /** The terminal's master, when the process has one. */
  onConsole?: (master: number) => void;
  /** The caller relays the terminal: the master comes set up for it (runtime/init/console.ts). */
  relayTerminal?: boolean;
}

/**
 * A new process in the container's namespaces and cgroup, under its
 * process settings and seccomp filter, as runt's own child (see
 * runtime/startup/plan.ts): `exec`, and startContainer hooks. Returns once
 * the process has exec'd its program; its PID.
 */
export function launchInContainer(ctx: LifecycleContext, record: ContainerRecord, process: Process, opts: LaunchOptions = {}): number {
  const { sys } = ctx;
  const status = containerStatus(record);
  const spec = execSpec(record, process);
  // The container's filter holds for every process in it, as under runc.
  const seccomp = seccompFor(spec);
  const cgroup = opts.cgroup ?? execCgroup(record, undefined);
  // Without root, only a process inside the container's user namespace may join the others.
  const inUser = (globalThis.process.geteuid?.() ?? 0) !== 0 && spec.linux?.namespaces?.some((ns) => ns.type === "user");
  // Where it can, runt finds what the process needs itself and starts no JavaScript helper (exec_direct.ts).
  const direct = !inUser && canLaunchDirectly(record.config);
  const init = inUser
    ? spawnHelperInUserNamespace(sys, record.id, spec, (pid) => cgroup?.apply(pid), opts.preserveFds ?? 0, opts.stdio)
    : direct
    ? spawnDirect(sys, {
      id: record.id,
      pid: record.pid,
      spec: { ...record.config, process },
      seccomp,
      preserveFds: opts.preserveFds ?? 0,
      stdio: opts.stdio,
      exactEnv: opts.exactEnv,
      executable: opts.executable,
      // On cgroup v2 the process is cloned into the cgroup; elsewhere the loader moves itself, hierarchy by hierarchy.
      ...(cgroup?.version === "v2"
        ? { cgroupProcs: [], cgroupDir: cgroup.dirOf("") }
        : { cgroupProcs: (cgroup?.dirs() ?? []).map((dir) => `${dir}/cgroup.procs`) }),
      onConsole: opts.onConsole,
      relayTerminal: opts.relayTerminal,
    })
    : spawnInit(sys, record.id, undefined, opts.preserveFds ?? 0, opts.stdio);
  let reaped = false;
  let processPid = 0;
  let listener: number | undefined;
  const handOverListener = (fd: number) => {
    sendListenerToAgent(sys, spec.linux!.seccomp!, processPid, fd, ociState(record, status));
    init.channel.release();
  };
  try {
    // The direct program joins the cgroup itself.
    if (!direct) {
      cgroup?.apply(init.pid);
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
        exactEnv: opts.exactEnv,
        executable: opts.executable,
        relayTerminal: opts.relayTerminal,
        enteredNamespaces: inUser ? ["user"] : undefined,
      } satisfies InitConfig);
    }
    for (let report = init.channel.receive<InitReport>(); report !== null; report = init.channel.receive<InitReport>()) {
      if (report.type === "error") {
        const code = exitCodeOf(sys.waitpid(init.pid).status!);
        reaped = true;
        throw new ContainerSetupError(report.message, code);
      }
      if (report.type === "pid") {
        // The helper has done its part and exited; the process is runt's own child now.
        processPid = report.pid;
        sys.waitpid(init.pid);
        reaped = true;
        if (listener !== undefined) handOverListener(listener);
        continue;
      }
      if (report.type === "seccomp-listener") {
        // From the process itself, which may report before its PID has arrived.
        if (processPid) handOverListener(report.fd);
        else listener = report.fd;
        continue;
      }
      if (report.type === "tail") {
        const tail = parseStartupTail(report.bytes);
        if (!reaped) sys.waitpid(init.pid);
        reaped = true;
        if (tail.pid) processPid = tail.pid;
        if (tail.failure) {
          if (processPid) reapQuietly(sys, processPid);
          throw new ContainerSetupError(tail.failure, tail.errno !== undefined && errnoName(tail.errno) === "ENOENT" ? 127 : 126);
        }
        continue;
      }
      const fd = report.type === "console" ? init.channel.takeFd() : undefined;
      if (fd !== undefined) opts.onConsole?.(fd);
    }
    if (!processPid) throw new ContainerSetupError(`exec in container "${record.id}": the process was not started`, 126);
    return processPid;
  } catch (e) {
    if (!reaped) killAndReap(sys, init.pid);
    throw e;
  } finally {
    init.channel.close();
  }
}

/** The container's config with the exec'd process, and every namespace named by its init's /proc path. */
function execSpec(record: ContainerRecord, process: Process): Spec {
  const namespaces: Namespace[] = (record.config.linux?.namespaces ?? [])
    // The start-up program enters the user and time namespaces: /proc/PID/ns/time is PID 1's own.
    .map((ns) => ({ type: ns.type, path: `/proc/${record.pid}/ns/${NAMESPACES[ns.type].proc}` }));
  return { ...record.config, process, linux: { ...record.config.linux, namespaces } };
}

/** The cgroup the helper joins before it starts the process, checked before anything is spawned. */
function execCgroup(record: ContainerRecord, sub: SubCgroupPaths | undefined): CgroupPlacement | undefined {
  if (!record.cgroup) {
    if (sub && Object.keys(sub).length) throw new ContainerStateError(`cannot exec in container "${record.id}" with --cgroup: it has no cgroup recorded`);
    return undefined;
  }
  const cgroup = CgroupPlacement.of(record.cgroup);
  return sub ? cgroup.within(sub) : cgroup;
}
