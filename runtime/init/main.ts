/**
 * The container init: what `runt init` does inside the new namespaces. It
 * builds the container step by step, reporting to the parent over the
 * channel, then becomes the container's start-up program (runtime/startup/),
 * which sets the credentials, reports ready, waits on the exec fifo until
 * `runt start` opens it, and execs the user process — same PID, PID 1.
 *
 * Everything here is synchronous: the JavaScript event loop's helper
 * threads still live in the host namespaces, until execveat ends them.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { O_CLOEXEC, O_PATH, O_RDONLY, PR_SET_DUMPABLE } from "../../ffi/constants.ts";
import { type HookSpawner, posixSpawner, runHooks } from "../hooks/mod.ts";
import { applyProcessLimits, processEnv, resolveExecutable } from "../process/mod.ts";
import { makeCwd, modeInContainer, passwdInContainer } from "../process/container_paths.ts";
import { enterRootfs, finalizeRootfs, prepareRootfs } from "../rootfs/mod.ts";
import { canonicalRootfs, hasMountNamespace } from "../rootfs/prepare.ts";
import { liveProc } from "../rootfs/proc.ts";
import { procFd } from "../mount/inroot.ts";
import { enterContainerRoot, openContainerRoot } from "./shared_root.ts";
import { SyscallError } from "../../ffi/errors.ts";
import { RuntError } from "../errors.ts";
import { becomeStartup } from "../startup/become.ts";
import { closeOnExecFrom } from "../process/exec.ts";
import { containerHost, execStdioUid, type ProcessHost } from "../process/host.ts";
import { createStartup, execStartup } from "../startup/plan.ts";
import type { StubProgram } from "../stub/program.ts";
import { Channel, type ParentReply } from "./channel.ts";
import { setupConsole } from "./console.ts";
import type { InitConfig } from "./config.ts";
import { joinNewSessionKeyring } from "./keyring.ts";
import { bringUpLoopback } from "./loopback.ts";
import { traceStep } from "../trace.ts";
import { createsNetworkNamespace, enterInitNamespaces, type LeftToProgram, openNamespace } from "./namespaces.ts";
import { exitProcess } from "../host.ts";

/** Runs the init on channel descriptor `fd`; never returns. */
export function runInit(sys: Syscalls, fd: number): never {
  // Nothing the container runs may read or ptrace the runtime while it builds the container.
  sys.prctl(PR_SET_DUMPABLE, 0);
  // What the init was started with from its channel up (the fifo, Deno's cache) and what its runtime opened
  // reach no process it starts, a createContainer hook; the start-up program it becomes is handed its own.
  closeOnExecFrom(sys, fd);
  const channel = new Channel(sys, fd);
  let fifo = -1;
  let config: InitConfig;
  let program: StubProgram;
  let pidNamespace: number | undefined;
  let timeNamespace: number | undefined;
  try {
    const received = channel.receive<InitConfig>();
    if (!received) return exit(1);
    config = received;
    traceStep("init: config received");
    if (config.mode === "exec") return runExec(sys, channel, config);
    const { spec } = config;
    // Opened now: after pivot_root the state directory is out of sight.
    fifo = config.fifoFd ?? sys.open(config.fifoPath, O_PATH | O_CLOEXEC);
    if (config.joinPidNamespace !== undefined) pidNamespace = openNamespace(sys, { type: "pid", path: config.joinPidNamespace });
    timeNamespace = enterInitNamespaces(sys, spec, { enteredAlready: config.enteredNamespaces }).time;
    if (!config.noNewKeyring) joinNewSessionKeyring(sys, config.state.id);
    if (createsNetworkNamespace(spec)) bringUpLoopback(sys);
    const procPidNamespace = pidNamespace === undefined ? undefined : procFd(pidNamespace);
    // The trees came with the config; each is the mount of the same index.
    const idmapped = new Map((config.idmappedMounts ?? []).map((i) => [spec.mounts![i], channel.takeFd()!]));
    const bindSources = new Map((config.bindSources ?? []).map((i) => [spec.mounts![i], channel.takeFd()!]));
    prepareRootfs(sys, spec, config.rootfs, config.bundle, liveProc, { procPidNamespace, idmapped, bindSources });
    for (const fd of [...idmapped.values(), ...bindSources.values()]) sys.close(fd);
    channel.send({ type: "hooks" });
    if (channel.receive<ParentReply>()?.type !== "continue") return exit(1);
    runHooks(sys, "createContainer", spec.hooks?.createContainer, config.state, hookSpawner(sys, pidNamespace, config.rootfs));
    enterRootfs(sys, config.rootfs, config.noPivot, liveProc, !hasMountNamespace(spec));
    const proc = spec.process!;
    // After pivot_root, so the pty comes from the container's devpts; before /dev may turn read-only.
    if (proc.terminal) terminal(() => setupConsole(sys, channel, { devConsole: true, controlling: true, size: proc.consoleSize }));
    makeCwd(sys, proc.cwd);
    finalizeRootfs(sys, spec);
    traceStep("init: rootfs built");
    program = createStartup({ ...processPlan(sys, config, fd), fifoFd: fifo, pidNamespaceFd: pidNamespace, timeNamespaceFd: timeNamespace });
  } catch (e) {
    trySend(channel, { type: "error", message: describe(e) });
    return exit(1);
  }
  become(sys, channel, program, config, defined([fd, fifo, pidNamespace, timeNamespace]));
}

/**
 * `runt exec`: into the container's namespaces but the PID one, whose
 * descriptor the start-up program enters (a runtime thread created in it
 * would abort the process), then starts the process there.
 */
function runExec(sys: Syscalls, channel: Channel, config: InitConfig): never {
  let program: StubProgram;
  let left: LeftToProgram;
  try {
    const { spec } = config;
    const sharedRoot = hasMountNamespace(spec) ? undefined : openContainerRoot(sys, config.state.pid);
    // Started inside the user namespace (runt without root), the helper names the user as the container does.
    const inUser = config.enteredNamespaces?.includes("user") ?? false;
    // Read while the host's /proc is in sight.
    const stdioUid = inUser ? undefined : execStdioUid(config.spec, config.state.pid);
    // The container's /proc, once joined, has no entry for this helper: its user namespace's setgroups is read now.
    const host = containerHost(config.state.pid);
    left = enterInitNamespaces(sys, spec, { pidForChildren: true, userForProgram: !inUser, enteredAlready: config.enteredNamespaces });
    if (sharedRoot !== undefined) enterContainerRoot(sys, sharedRoot);
    if (!config.noNewKeyring) joinNewSessionKeyring(sys, config.state.id);
    // The process to come takes the terminal as its controlling one, in a session of its own.
    if (spec.process!.terminal) terminal(() => setupConsole(sys, channel, { devConsole: false, controlling: false, size: spec.process!.consoleSize, relayed: config.relayTerminal }));
    program = execStartup({
      ...processPlan(sys, config, channel.fd, stdioUid, host),
      pidNamespaceFd: left.pid,
      timeNamespaceFd: left.time,
      userNamespaceFd: left.user,
    });
  } catch (e) {
    trySend(channel, { type: "error", message: describe(e) });
    return exit(e instanceof RuntError && /not found/.test(e.message) ? 127 : 126);
  }
  become(sys, channel, program, config, defined([channel.fd, left.pid, left.time, left.user]));
}

/** What both start-up programs need: the executable found, the environment, the limits applied here. */
function processPlan(sys: Syscalls, config: InitConfig, channelFd: number, stdioUid?: number, host?: ProcessHost) {
  const { spec } = config;
  const proc = spec.process!;
  // As runc: HOME from the container's /etc/passwd when the config leaves it out (not for a hook).
  const env = config.exactEnv ? proc.env ?? [] : processEnv(proc.env ?? [], proc.user?.uid ?? 0, passwdInContainer(sys));
  const exec = { path: config.executable ?? resolveExecutable(proc.args![0], env, proc.cwd, modeInContainer(sys)), args: proc.args!, env };
  const applied = applyProcessLimits(sys, spec, { stdioUid, host });
  return { spec, exec, seccomp: config.seccomp, applied, channelFd, host };
}

function become(sys: Syscalls, channel: Channel, program: StubProgram, config: InitConfig, programFds: number[]): never {
  traceStep("init: becomes the start-up program");
  try {
    becomeStartup(sys, program, {
      argv: ["runt", "init", config.state.id],
      keepFds: 3 + config.preserveFds,
      programFds,
    });
  } catch (e) {
    trySend(channel, { type: "error", message: describe(e) });
    return exit(126);
  }
}

function defined(fds: (number | undefined)[]): number[] {
  return fds.filter((fd): fd is number => fd !== undefined);
}

/**
 * createContainer hooks run in the container's PID namespace, which an init
 * started outside it enters for the spawn only, and in the rootfs, as under
 * runc, whose init has changed directory there before it runs them.
 */
function hookSpawner(sys: Syscalls, pidNamespace: number | undefined, rootfs: string): HookSpawner {
  const cwd = canonicalRootfs(rootfs);
  if (pidNamespace === undefined) return posixSpawner(sys, { cwd });
  return posixSpawner(sys, { cwd, pidNamespace: { joinFd: pidNamespace, restoreFd: sys.open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC) } });
}

/** Names the terminal as the part that failed. */
function terminal(setup: () => void): void {
  try {
    setup();
  } catch (e) {
    if (e instanceof RuntError && e.message.startsWith("process.terminal: ")) throw e;
    throw new RuntError(`process.terminal: setting up the container's terminal: ${(e as Error).message}`);
  }
}

function exit(code: number): never {
  exitProcess(code);
}

function describe(e: unknown): string {
  if (e instanceof RuntError || e instanceof SyscallError) return e.message;
  return `internal error in container init: ${e instanceof Error ? e.message : String(e)}`;
}

function trySend(channel: Channel, message: unknown): void {
  try {
    channel.send(message);
  } catch { /* the parent is gone */ }
}
