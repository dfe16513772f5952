/**
 * `create`: from a bundle to a container whose init waits, inside all its
 * namespaces and on its new root, for `start`. Everything create makes — the
 * state directory, the exec fifo, the init and its mounts — is undone when
 * it fails, so a failed create leaves nothing behind.
 */
import { chmodSync } from "../host_fs.ts";
import { join } from "../path.ts";
import { bundleDir, CONFIG_FILE, readConfigJson } from "../bundle.ts";
import { passwdEntry, readPasswd } from "../passwd.ts";
import type { Channel, InitReport } from "../init/channel.ts";
import type { InitConfig } from "../init/config.ts";
import { initFds, spawnInit } from "../init/spawn.ts";
import { compileInitModules } from "../init/deno_cache.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { O_CLOEXEC, O_PATH } from "../../ffi/constants.ts";
import { type Build, buildContainer, type Built, startProcess } from "./build.ts";
import { loaderStartup } from "../startup/plan.ts";
import { type CgroupMove, startCgroupMove } from "./cgroup_mover.ts";
import { runtCanBuild } from "./build_choice.ts";
import { readProcStat } from "../state/process.ts";
import { type ContainerRecord, ociState } from "../state/record.ts";
import { rfc3339NanoNow } from "../state/clock.ts";
import { ContainerExistsError } from "../state/store.ts";
import { checkContainerId } from "../state/id.ts";
import { OCI_VERSION } from "../version.ts";
import { checkBuildable } from "./checks.ts";
import { checkConsoleUse, connectConsoleSocket, type ConsoleOptions, handOverConsole } from "./console.ts";
import { type CgroupDriver, configureContainerCgroup, locateContainerCgroup } from "../cgroups/container.ts";
import { type CgroupManager, loadSystemdDriver } from "../cgroups/manager.ts";
import type { LifecycleContext } from "./context.ts";
import { ContainerSetupError } from "./errors.ts";
import { runFatalHooks } from "./hooks.ts";
import { ContainerLock } from "./lock.ts";
import { writePidFile } from "./pid_file.ts";
import { EXEC_FIFO } from "./paths.ts";
import { prepareNotifySocket } from "./notify_socket.ts";
import { withActivationEnv } from "./listen_fds.ts";
import { seccompFor } from "./seccomp.ts";
import { parseStartupTail } from "../startup/report.ts";
import { procTakesPidNamespace } from "./pid_namespace.ts";
import { killAndReap } from "../process/reap.ts";
import { type HostMounts, hostMountsOf, removeHostMounts } from "./host_mounts.ts";
import { sendListenerToAgent } from "./seccomp_agent.ts";
import { fieldOf } from "../spec/fold_name.ts";
import { awaitUserNamespace, newPidNamespace, spawnUserNamespaceInit, type UserNamespaceInit } from "./user_namespace.ts";
import { rawNamespace } from "./raw_namespaces.ts";
import { runningInUserNamespace } from "../state/default_root.ts";
import { idmappedTrees } from "./idmapped_mounts.ts";
import { openBindSources } from "./bind_sources.ts";
import { traceStep } from "../trace.ts";
import { effectiveUid, processId, realUid } from "../host.ts";

export interface CreateOptions extends ConsoleOptions {
  id: string;
  bundle?: string;
  pidFile?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  preserveFds?: number;
  /** The service manager's notify socket on the host: the container gets its own, relayed by start or run (runc reads NOTIFY_SOCKET). */
  notifySocket?: string;
  /** Socket-activation descriptors at 3 … 3+N-1, passed before the preserved ones (see listen_fds.ts). */
  listenFds?: number;
  /** Who makes the container's cgroup (--systemd-cgroup chooses systemd); cgroupfs by default. */
  cgroupDriver?: CgroupDriver;
  /** Descriptors for the init's 0, 1 and 2 (a library caller capturing output); runt's own by default. */
  stdio?: [number, number, number];
}

export async function createContainer(ctx: LifecycleContext, opts: CreateOptions): Promise<ContainerRecord> {
  const { sys, store } = ctx;
  checkContainerId(opts.id);
  if (store.exists(opts.id)) throw new ContainerExistsError(`container "${opts.id}" already exists`);
  const bundle = bundleDir(opts.bundle);
  const configFile = join(bundle, CONFIG_FILE);
  const json = readConfigJson(configFile);
  traceStep("config read");
  if (opts.cgroupDriver === "systemd") await loadSystemdDriver();

  // Known before anything is made: the record names every directory create may go on to make.
  // Without root and without a cgroupsPath, a cgroup it may not make is left out, as runc leaves it.
  // As runc's: root of a user namespace other than the host's (rootless podman) is rootless for the cgroups too.
  const rootless = (effectiveUid() !== 0 || runningInUserNamespace()) && cgroupsPathOf(json) === undefined;
  const cgroup = locateContainerCgroup(opts.id, cgroupsPathOf(json), { syscalls: sys, rootless }, opts.cgroupDriver);

  const dir = store.reserve(opts.id);
  const lock = ContainerLock.acquire(sys, dir);
  let pid = 0;
  let cgroupMade = false;
  // Settles once the init is in its cgroup (see moveIntoCgroup); nothing to wait for until a move has begun.
  let joined: () => Promise<void> = () => Promise.resolve();
  let hostMounts: HostMounts | undefined;
  // A user namespace's program, under cgroupfs: left unreaped, its PID its own, until the move that may name it is over.
  let program: { pid: number; primer?: CgroupMove } | undefined;
  let consoleSocket: number | undefined;
  try {
    // Written before each thing it names is made, so delete --force finds it whenever create dies.
    const record: ContainerRecord = {
      id: opts.id,
      ociVersion: OCI_VERSION,
      bundle,
      rootfs: "",
      created: rfc3339NanoNow(),
      owner: ownerName(),
      annotations: {},
      phase: "creating",
      pid: 0,
      pidStartTime: "",
      config: { ociVersion: OCI_VERSION },
      creator: { pid: processId(), startTime: readProcStat(processId())?.startTime ?? "" },
      cgroup: cgroup.toJSON(),
    };
    store.write(record);
    const fifoPath = join(dir, EXEC_FIFO);
    sys.mkfifo(fifoPath, 0o600);
    // Writable by the container's user, whoever that is, as runc's is.
    chmodSync(fifoPath, 0o622);

    // The init starts up while the config is validated: both take milliseconds,
    // and only the PID namespace must be known before the spawn. An invalid
    // config kills the init again, unused. Killed before the init's PID is
    // recorded, runt leaves an init that exits when its channel closes.
    const passedFds = (opts.listenFds ?? 0) + (opts.preserveFds ?? 0);
    const pidNamespace = rawNamespace(json, "pid");
    // Root of a user namespace other than the host's (rootless podman) could enter the container's namespaces but not
    // come back to its own, which the host's user namespace owns: the container is made as in a user namespace of its
    // own, by the JavaScript init, in the one runt is in.
    const userNamespace: { path?: string; own?: boolean } | undefined = rawNamespace(json, "user") ?? (runningInUserNamespace() ? { own: true } : undefined);
    // In a user namespace the init is started by a program that cannot join a PID namespace for it: the init's own start-up program does.
    const joinFromOutside = pidNamespace?.path !== undefined && (userNamespace || procTakesPidNamespace(sys)) ? pidNamespace.path : undefined;
    if (userNamespace) await compileInitModules();
    const userInit = userNamespace && spawnUserNamespaceInit(sys, opts.id, json, userNamespace, newPidNamespace(pidNamespace), passedFds, fifoPath, opts.stdio);
    // Where it can, runt builds the container itself and the container's process runs no JavaScript (build.ts).
    const built = !userInit && runtCanBuild(json, opts.noPivot ?? false);
    const init = userInit || spawnPlain(sys, opts.id, joinFromOutside ? undefined : pidNamespace, passedFds, opts.stdio, built ? fifoPath : undefined);
    pid = init.pid;
    traceStep("init spawned");
    try {
      record.pid = pid;
      record.pidStartTime = readProcStat(pid)?.startTime ?? "";
      store.write(record);
      // The cgroup only needs the path; the init joins it while the config is checked.
      // The init's PID: systemd starts the container's unit around it.
      for (const warning of cgroup.make(pid)) ctx.warn(warning);
      cgroupMade = true;
      record.cgroup = cgroup.toJSON();
      const cgroupfs = (opts.cgroupDriver ?? "cgroupfs") === "cgroupfs";
      // A user namespace's program clones the init and goes. Under cgroupfs the init is moved itself, and starts its
      // JavaScript runtime while the move is made; the program's own move, begun now, may find it gone, but starts
      // the kernel's grace period, which the init's move then need not wait out. A systemd unit is started around the
      // program, which stays in it until the init is born there.
      const moveInitItself = userInit !== undefined && cgroupfs;
      if (!moveInitItself) joined = moveIntoCgroup(sys, cgroup, pid, cgroupfs && !rootless);
      else program = { pid, primer: rootless ? undefined : startCgroupMove(sys, pid, procsFiles(cgroup), () => {}) };
      traceStep("validating");
      const { checkConfigJson } = await import("../config_check.ts");
      const validated = await checkConfigJson(json, configFile, ctx.warn);
      traceStep("validated");
      // The record keeps the config as the init receives it, notify mount and variable included.
      const spec = opts.notifySocket ? prepareNotifySocket(validated, dir) : validated;
      const rootfs = checkBuildable(spec, bundle);
      checkConsoleUse(spec.process?.terminal, opts);
      const seccomp = seccompFor(spec);
      if (opts.consoleSocket !== undefined) consoleSocket = connectConsoleSocket(sys, opts.consoleSocket);
      record.rootfs = rootfs;
      record.annotations = spec.annotations ?? {};
      record.config = spec;
      record.hostMounts = hostMounts = hostMountsOf(spec, rootfs);
      store.write(record);
      // Built by runt itself, or by the init (see build.ts and build_choice.ts).
      const runtBuilds = async () => {
        const build: Build = {
          sys,
          id: opts.id,
          pid,
          channel: init.channel,
          loader: initFds(passedFds),
          spec: withActivationEnv(spec, opts.listenFds ?? 0),
          rootfs,
          bundle,
          noNewKeyring: opts.noNewKeyring ?? false,
          seccomp,
          idmapped: new Map(),
          stdio: opts.stdio ?? [0, 1, 2],
          state: () => ociState(record, "creating"),
          runtimeHooks: () => {
            runFatalHooks(ctx, "prestart", record, "creating");
            runFatalHooks(ctx, "createRuntime", record, "creating");
          },
          configureCgroup: () => configureContainerCgroup(cgroup, spec.linux),
          joinCgroup: (hook) => cgroup.apply(hook),
          cgroupDirOf: (controller) => cgroup.dirOf(controller),
          onConsole: (master) => handOverConsole(sys, master, consoleSocket, opts),
          warn: ctx.warn,
        };
        const idmapped = idmappedTrees(sys, spec, bundle);
        let made: Built;
        try {
          build.idmapped = new Map(idmapped.indices.map((i, k) => [spec.mounts![i], idmapped.fds[k]]));
          made = await buildContainer(build, joined);
        } finally {
          for (const fd of idmapped.fds) sys.close(fd);
        }
        // In its cgroup before create returns. The move's wait (a grace period of the kernel's, milliseconds)
        // overlaps the last program, unless that program makes the cgroup namespace, rooted where it is then.
        const late = made.cgroupNamespaceLate;
        if (late) await joined();
        startProcess(build, made);
        if (!late) await joined();
        traceStep("cgroup joined");
      };
      const initBuilds = async () => {
        const initOfUserNamespace = (init: UserNamespaceInit) => {
          record.pid = pid = awaitUserNamespace(sys, init, spec, !moveInitItself);
          record.pidStartTime = readProcStat(pid)?.startTime ?? "";
          store.write(record);
        };
        if (userInit && moveInitItself) {
          initOfUserNamespace(userInit);
          joined = moveIntoCgroup(sys, cgroup, pid, !rootless);
        }
        // Limits and device rules before the init runs anything of the container's.
        await joined();
        traceStep("cgroup joined");
        if (program) {
          program.primer?.wait();
          sys.waitpid(program.pid);
          program = undefined;
        }
        configureContainerCgroup(cgroup, spec.linux);
        // The program has joined the cgroup: the init it clones now is born in it.
        if (userInit && !moveInitItself) initOfUserNamespace(userInit);
        // Made by runt, which alone may idmap the host's filesystems; they travel with the config.
        const idmapped = idmappedTrees(sys, spec, bundle);
        // Opened by runt, in the mount namespace the program made: the user namespace's root may not reach them.
        // In runt's own user namespace the init has runt's rights, and runt may not come back from the container's mount namespace.
        const sources = userInit?.entered.includes("mount") && !userNamespace?.own ? openBindSources(sys, spec, bundle, rootfs, pid) : { indices: [], fds: [] };
        try {
          init.channel.send({
            mode: "create",
            spec: withActivationEnv(spec, opts.listenFds ?? 0),
            rootfs,
            bundle,
            noPivot: opts.noPivot ?? false,
            noNewKeyring: opts.noNewKeyring ?? false,
            fifoPath,
            preserveFds: passedFds,
            state: ociState(record, "creating"),
            seccomp,
            joinPidNamespace: joinFromOutside,
            fifoFd: userInit ? userInit.fifoFd : undefined,
            enteredNamespaces: userInit ? userInit.entered : undefined,
            idmappedMounts: idmapped.indices,
            bindSources: sources.indices,
          } satisfies InitConfig, [...idmapped.fds, ...sources.fds]);
        } catch (e) {
          throw initEndedEarly(init.channel, e);
        } finally {
          for (const fd of [...idmapped.fds, ...sources.fds]) sys.close(fd);
        }
      };
      await (built ? runtBuilds() : initBuilds());
      awaitReady(ctx, init.channel, record, {
        onConsole: (master) => handOverConsole(sys, master, consoleSocket, opts),
        onPid: (containerPid) => {
          // The init has become the program that cloned the container's process, and is gone.
          ctx.sys.waitpid(pid);
          record.pid = pid = containerPid;
          record.pidStartTime = readProcStat(containerPid)?.startTime ?? "";
          store.write(record);
        },
      });
      traceStep("init ready");
      record.phase = "created";
      delete record.creator;
      store.write(record);
      if (opts.pidFile) writePidFile(opts.pidFile, pid);
      return record;
    } finally {
      init.channel.close();
    }
  } catch (e) {
    // An init that will not become a container; its mount namespace goes with it.
    if (program) {
      program.primer?.wait();
      if (program.pid !== pid) killAndReap(sys, program.pid);
    }
    if (pid > 0) killAndReap(sys, pid);
    try {
      if (hostMounts) removeHostMounts(sys, hostMounts);
    } catch (cleanup) {
      ctx.warn((cleanup as Error).message);
    }
    try {
      // Not made means not ours: an existing cgroup create refused stays as it was.
      if (cgroupMade) {
        // A move still under way ends first: the cgroup is removed with nothing on its way in.
        await joined().catch(() => {});
        cgroup.destroy();
      }
    } catch (cleanup) {
      ctx.warn(`removing the cgroup of container "${opts.id}": ${(cleanup as Error).message}`);
    }
    store.remove(opts.id);
    throw e;
  } finally {
    if (consoleSocket !== undefined) sys.close(consoleSocket);
    lock.release();
  }
}

// Both read keys as validation will (a "Linux" or "cgroupspath" included), so they agree with the validated spec.

/** linux.cgroupsPath of a config not validated yet, when it is a string at all. */
function cgroupsPathOf(json: unknown): string | undefined {
  const path = fieldOf(fieldOf(json, "linux"), "cgroupsPath");
  return typeof path === "string" ? path : undefined;
}


interface ReadyHandlers {
  onConsole(master: number): void;
  /** The container's process, cloned into a PID namespace the init was started outside of. */
  onPid(pid: number): void;
}

/** Follows the init through its reports, running the runtime-namespace hooks when it asks. */
function awaitReady(ctx: LifecycleContext, channel: Channel, record: ContainerRecord, on: ReadyHandlers): void {
  for (;;) {
    const report = channel.receive<InitReport>();
    if (report === null) {
      throw new ContainerSetupError(`container "${record.id}": init exited before the container was ready`);
    }
    if (report.type === "error") throw new ContainerSetupError(report.message);
    if (report.type === "ready") return;
    if (report.type === "tail") {
      const tail = parseStartupTail(report.bytes);
      if (tail.ready && !tail.failure) return;
      throw new ContainerSetupError(tail.failure ?? `container "${record.id}": the start-up program ended before the container was ready`);
    }
    if (report.type === "pid") {
      on.onPid(report.pid);
      // Recorded: the process may go on.
      channel.release();
      continue;
    }
    if (report.type === "seccomp-listener") {
      sendListenerToAgent(ctx.sys, record.config.linux!.seccomp!, record.pid, report.fd, ociState(record, "creating"));
      // The agent has it: the program closes its own and goes on.
      channel.release();
      continue;
    }
    if (report.type === "console") {
      const master = channel.takeFd();
      if (master === undefined) throw new ContainerSetupError(`container "${record.id}": the init's terminal did not arrive`);
      on.onConsole(master);
      continue;
    }
    try {
      runFatalHooks(ctx, "prestart", record, "creating");
      runFatalHooks(ctx, "createRuntime", record, "creating");
    } catch (e) {
      channel.send({ type: "abort" });
      throw e;
    }
    channel.send({ type: "continue" });
  }
}

/** The init, or for a container runt builds itself the loader, holding exec.fifo. */
function spawnPlain(
  sys: Syscalls,
  id: string,
  pidNamespace: { path?: string } | undefined,
  passedFds: number,
  stdio: [number, number, number] | undefined,
  loaderFifo: string | undefined,
) {
  if (loaderFifo === undefined) return spawnInit(sys, id, pidNamespace, passedFds, stdio);
  // Opened now: the loader keeps it, and after pivot_root the state directory is out of sight.
  const fifoFd = sys.open(loaderFifo, O_PATH | O_CLOEXEC);
  try {
    const fds = initFds(passedFds);
    const program = loaderStartup({ channelFd: fds.channel, argv: ["runt", "init", id], closeFrom: fds.fifo + 1 });
    return spawnInit(sys, id, pidNamespace, passedFds, stdio, { program, fds: [fifoFd] });
  } finally {
    sys.close(fifoFd);
  }
}

/**
 * The init into the container's cgroup while the config is checked and the
 * rootfs built; the function returned settles once it is in. As root under
 * cgroupfs a program of runt's makes the move (cgroup_mover.ts); otherwise
 * runt's I/O thread does (under systemd the unit is started around the
 * init's PID; without root, what may be moved is runt's own business).
 */
function moveIntoCgroup(sys: Syscalls, cgroup: CgroupManager, pid: number, byProgram: boolean): () => Promise<void> {
  if (byProgram) {
    const move = startCgroupMove(sys, pid, procsFiles(cgroup), () => cgroup.apply(pid));
    // The executor runs at once: the wait happens where the caller awaits, and a failure rejects.
    return () =>
      new Promise<void>((resolve) => {
        move.wait();
        resolve();
      });
  }
  const moved = cgroup.applyInBackground(pid);
  moved.catch(() => {});
  return () => moved;
}

/**
 * A send the init's end refused (EPIPE): it ended before its config, and
 * what its start-up program reported (an exec it could not make, say)
 * is the error; otherwise `e` as it was.
 */
function initEndedEarly(channel: Channel, e: unknown): unknown {
  if ((e as { code?: string }).code !== "EPIPE") return e;
  const report = channel.receive<InitReport>();
  const failure = report?.type === "tail" ? parseStartupTail(report.bytes).failure : undefined;
  return failure ? new ContainerSetupError(failure) : e;
}

function procsFiles(cgroup: CgroupManager): string[] {
  return cgroup.dirs().map((dir) => `${dir}/cgroup.procs`);
}

/** The user running runt, by name as runc shows it (uid when /etc/passwd does not list it). */
function ownerName(): string {
  const uid = realUid();
  return passwdEntry(readPasswd(), uid)?.name ?? String(uid);
}
