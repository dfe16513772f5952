/**
 * `create` without a JavaScript process in the container: runt's own main
 * thread builds the container from inside its namespaces, and the
 * container's process only ever runs start-up programs (runtime/startup/plan.ts).
 *
 *   1. The loader, spawned as PID 1 of the new PID namespace, gets the
 *      namespace stage, which makes the namespaces (and the session
 *      keyring) and reports.
 *   2. runt's thread enters them (thread_namespaces.ts), as the JavaScript
 *      init was: the mounts it makes are the container's, a sysfs shows the
 *      container's network, an mqueue its IPC namespace, a cgroup mount its
 *      cgroup namespace; proc is made for its PID namespace with procfs
 *      `pidns=`. It builds the rootfs (runtime/rootfs/, the same code the
 *      init runs), runs the hooks, pivots the root — the container's
 *      process, whose root is the namespace's, moves with it — and finishes it.
 *   3. In the new root it finds what the process needs (its executable on
 *      the container's PATH, HOME from the container's /etc/passwd, the
 *      terminal), goes back to its own namespaces, and sends the `create`
 *      program, which the loader's stage runs in the container's process.
 *
 * Containers this cannot build (create.ts says which) keep the init.
 */
import { writeFileSync } from "../host_fs.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { O_CLOEXEC, O_DIRECTORY, O_NOCTTY, O_PATH, O_RDONLY, O_RDWR, TIOCGPTPEER } from "../../ffi/constants.ts";
import type { Channel, InitReport } from "../init/channel.ts";
import { bindDevConsole } from "../init/console.ts";
import { bringUpLoopback } from "../init/loopback.ts";
import { createsNetworkNamespace } from "../init/namespaces.ts";
import { posixSpawner, runHooks } from "../hooks/mod.ts";
import { mountAttrsOf, parseMountOptions } from "../mount/options.ts";
import { mountKind } from "../rootfs/mounts.ts";
import { applyProcessLimitsTo, cwdReachable, DEFAULT_UMASK } from "../process/apply.ts";
import { processEnv, resolveExecutable } from "../process/mod.ts";
import { makeCwd, modeInContainer, passwdInContainer } from "../process/container_paths.ts";
import { enterRootfs, finalizeRootfs, prepareRootfs } from "../rootfs/mod.ts";
import { canonicalRootfs } from "../rootfs/prepare.ts";
import { type ProcAccess, procThrough } from "../rootfs/proc.ts";
import type { SeccompFilter } from "../seccomp/install.ts";
import type { Mount, Spec } from "../spec/schema.ts";
import { createStartup, type ExecTarget, namespaceStage } from "../startup/plan.ts";
import { parseStartupTail } from "../startup/report.ts";
import { writeWindowSize } from "../terminal/pty.ts";
import { openContainerPty } from "../terminal/container_pty.ts";
import type { OciState } from "../state/record.ts";
import { traceStep } from "../trace.ts";
import { ContainerSetupError } from "./errors.ts";
import { sendProgram } from "./send_program.ts";
import { enterNamespacesOf, THREAD_NAMESPACES, type ThreadInNamespaces } from "./thread_namespaces.ts";

export interface Build {
  sys: Syscalls;
  id: string;
  /** The loader, in the container's cgroup. */
  pid: number;
  channel: Channel;
  /** The descriptors the loader holds: the channel, and exec.fifo right above it. */
  loader: { channel: number; fifo: number };
  spec: Spec;
  rootfs: string;
  bundle: string;
  noNewKeyring: boolean;
  seccomp?: SeccompFilter;
  /** Idmapped mounts' detached trees, by mounts[] entry. */
  idmapped: Map<Mount, number>;
  /** What the process's 0, 1 and 2 are, as runt holds them. */
  stdio: readonly number[];
  state(): OciState;
  /** prestart and createRuntime: run in runt's namespaces, after the mounts. */
  runtimeHooks(): void;
  /**
   * The cgroup's limits and device rules: written while the start-up
   * program makes the namespaces (runt would only wait meanwhile), so before
   * anything of the container's runs.
   */
  configureCgroup(): void;
  /** Moves a process into the container's cgroup (a createContainer hook, as runc's init runs them there). */
  joinCgroup(pid: number): void;
  /** The container's cgroup directory in a v1 hierarchy, by controller: where the loader is on its way to. */
  cgroupDirOf(controller: string): string | undefined;
  onConsole(master: number): void;
  warn(line: string): void;
}

/** What the rootfs build found for the container's process. */
export interface Built {
  exec: ExecTarget;
  /** The terminal: the slave's path in the container, runt's descriptors of both ends (startProcess hands them on). */
  terminal?: { path: string; master: number; slave: number };
  cwdReached: boolean;
  /** A new cgroup namespace left to the last program (see cgroupFirst). */
  cgroupNamespaceLate: boolean;
}

/**
 * Whether the container must be in its cgroup before its namespaces are
 * made: a new cgroup namespace is rooted at the cgroup its maker is in, and
 * a cgroup filesystem mounted in it shows that root; and the hooks run
 * during the build (prestart, createRuntime, createContainer) find the
 * container's process in its cgroup, as under runc: device hooks such as
 * NVIDIA's look the cgroup up from the PID to write its rules there.
 * Otherwise the new cgroup namespace is made by the last program, and the
 * first write to the new cgroup (an RCU grace period, milliseconds)
 * overlaps the build.
 */
function cgroupFirst(spec: Spec): boolean {
  const hooks = spec.hooks;
  if (hooks?.prestart?.length || hooks?.createRuntime?.length || hooks?.createContainer?.length) return true;
  const cgroupns = namespaceList(spec).find((ns) => ns.type === "cgroup");
  if (!cgroupns) return false;
  return cgroupns.path !== undefined || (spec.mounts ?? []).some((m) => m.type === "cgroup" || m.type === "cgroup2");
}

/**
 * The namespaces, then the rootfs. `joined` settles once the loader is in
 * its cgroup; it is awaited first only where cgroupFirst says so, and the
 * build itself never awaits: runt's thread must not run the event loop
 * inside the container's namespaces.
 */
export async function buildContainer(b: Build, joined: () => Promise<void>): Promise<Built> {
  const { sys, spec } = b;
  const argv = ["runt", "init", b.id];
  const first = cgroupFirst(spec);
  if (first) await joined();
  const late = !first && namespaceList(spec).some((ns) => ns.type === "cgroup");
  // proc shows its mounter's PID namespace: with a new one, the container's process mounts it.
  const newPid = namespaceList(spec).some((ns) => ns.type === "pid");
  const procs = newPid ? (spec.mounts ?? []).filter((m) => mountKind(m) === "proc") : [];
  sendProgram(sys, b.channel, namespaceStage({
    channelFd: b.loader.channel,
    argv,
    join: namespaceList(spec).filter((ns) => ns.path !== undefined) as { type: string; path: string }[],
    make: namespaceList(spec).filter((ns) => ns.path === undefined && ns.type !== "pid" && !(late && ns.type === "cgroup")).map((ns) => ns.type),
    keyring: b.noNewKeyring ? undefined : `_ses.${b.id}`,
    procMounts: procs.map((m, i) => ({ destination: m.destination, ...procOptions(m), fd: b.loader.fifo + 1 + i })),
  }));
  b.configureCgroup();
  expectReport(b, "namespaces");
  const procTrees = new Map(procs.map((m) => [m, b.channel.takeFd()]));
  traceStep("namespaces made");

  const hostProc = sys.open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  const pidNamespace = newPid ? sys.open(`/proc/${b.pid}/ns/pid`, O_RDONLY | O_CLOEXEC) : undefined;
  const procfs = procThrough(sys, hostProc, b.pid);
  // The mount namespace first, and so left last: the host's /proc stays in sight until then.
  const types = namespaceList(spec).map((ns) => ns.type).filter((t) => t in THREAD_NAMESPACES);
  types.sort((a, z) => Number(z === "mount") - Number(a === "mount"));
  let inside: ThreadInNamespaces | undefined;
  let made: ReturnType<typeof buildInside>;
  try {
    if ([...procTrees.values()].includes(undefined)) throw new ContainerSetupError(`container "${b.id}": its proc mounts did not arrive`);
    inside = enterNamespacesOf(sys, b.pid, types);
    made = buildInside(b, procfs, hostProc, pidNamespace, procTrees as Map<Mount, number>, () => {
      inside!.leave();
      b.runtimeHooks();
      inside = enterNamespacesOf(sys, b.pid, types);
    });
  } finally {
    inside?.leave();
    sys.close(hostProc);
    if (pidNamespace !== undefined) sys.close(pidNamespace);
    for (const tree of procTrees.values()) if (tree !== undefined) sys.close(tree);
  }
  traceStep("rootfs built");
  return { ...made, cgroupNamespaceLate: late };
}

/** The process's limits, from outside, and the last program, which the container's process runs to the end. */
export function startProcess(b: Build, built: Built): void {
  const { sys, spec } = b;
  const process = spec.process!;
  let applied;
  try {
    applied = applyProcessLimitsTo(sys, spec, {
      limits: { pid: b.pid, writeOomScoreAdj: (value) => writeFileSync(`/proc/${b.pid}/oom_score_adj`, value) },
      stdio: built.terminal ? [built.terminal.slave] : b.stdio,
      cwdReached: built.cwdReached,
      warn: b.warn,
    });
  } catch (e) {
    if (built.terminal) sys.close(built.terminal.master);
    throw e;
  } finally {
    if (built.terminal) sys.close(built.terminal.slave);
  }
  // Out of the container's namespaces (the caller's code may run here), and before the process can write.
  if (built.terminal) b.onConsole(built.terminal.master);
  sendProgram(sys, b.channel, createStartup({
    spec,
    exec: built.exec,
    seccomp: b.seccomp,
    applied,
    channelFd: b.loader.channel,
    fifoFd: b.loader.fifo,
    ownProcess: {
      cgroupNamespace: built.cgroupNamespaceLate,
      terminal: built.terminal?.path,
      umask: process.user?.umask ?? DEFAULT_UMASK,
      cwd: built.cwdReached ? process.cwd : undefined,
    },
  }));
}

/** Everything done with runt's thread in the container's namespaces; `outside` runs the runtime's hooks out of them. */
function buildInside(b: Build, procfs: ProcAccess, hostProc: number, pidNamespace: number | undefined, procTrees: Map<Mount, number>, outside: () => void) {
  const { sys, spec } = b;
  const process = spec.process!;
  if (createsNetworkNamespace(spec)) bringUpLoopback(sys);
  // The loader's move into its cgroup (an RCU grace period of the kernel's, milliseconds) goes on meanwhile:
  // a cgroup mount binds the directories it is moving to, not the ones it is in yet.
  prepareRootfs(sys, spec, b.rootfs, b.bundle, procfs, { idmapped: b.idmapped, cgroupDirOf: b.cgroupDirOf, procTrees });
  if (spec.hooks?.prestart?.length || spec.hooks?.createRuntime?.length) outside();
  if (spec.hooks?.createContainer?.length) runCreateContainerHooks(b, pidNamespace);
  enterRootfs(sys, b.rootfs, false, procfs, false);
  const terminal = process.terminal ? openTerminal(b, hostProc) : undefined;
  try {
    makeCwd(sys, process.cwd);
    finalizeRootfs(sys, spec, procfs);
    const env = processEnv(process.env ?? [], process.user?.uid ?? 0, passwdInContainer(sys));
    const exec = { path: resolveExecutable(process.args![0], env, process.cwd, modeInContainer(sys)), args: process.args!, env };
    return { exec, terminal, cwdReached: cwdReachable(sys, process.cwd) };
  } catch (e) {
    if (terminal) [terminal.slave, terminal.master].forEach((fd) => sys.close(fd));
    throw e;
  }
}

/**
 * A pty of the container's devpts: its slave is bound over /dev/console and
 * given to the container's user, and the program opens it by its path as
 * the process's stdio; the master goes to the console socket or the caller
 * (startProcess).
 */
function openTerminal(b: Build, hostProc: number): { path: string; master: number; slave: number } {
  const { sys } = b;
  const process = b.spec.process!;
  const { master, slavePath } = openContainerPty(sys);
  try {
    const size = process.consoleSize;
    if (size?.height && size.width) writeWindowSize(sys, master, { rows: size.height, cols: size.width });
    bindDevConsole(sys, master, hostProc);
    // Kept for the stdio owner's sake (see applyProcessLimitsTo).
    return { path: slavePath, master, slave: sys.ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC) };
  } catch (e) {
    sys.close(master);
    throw e;
  }
}

/** Spawned from the thread in the container's namespaces, into its PID namespace, in the rootfs (runc's cwd). */
function runCreateContainerHooks(b: Build, pidNamespace: number | undefined): void {
  const { sys } = b;
  const cwd = canonicalRootfs(b.rootfs);
  const restoreFd = pidNamespace === undefined ? undefined : sys.open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  try {
    const spawn = pidNamespace === undefined ? posixSpawner(sys, { cwd }) : posixSpawner(sys, { cwd, pidNamespace: { joinFd: pidNamespace, restoreFd: restoreFd! } });
    runHooks(sys, "createContainer", b.spec.hooks?.createContainer, b.state(), (hook, stdio) => {
      const pid = spawn(hook, stdio);
      b.joinCgroup(pid);
      return pid;
    });
  } finally {
    if (restoreFd !== undefined) sys.close(restoreFd);
  }
}

/** A proc entry's filesystem options (hidepid=, gid=, subset=) and its flags as mount attributes. */
function procOptions(m: Mount): { options: Record<string, string | true>; attrs: number } {
  const parsed = parseMountOptions(m.options);
  // The source mount(2) would show; the filesystem options after it.
  const options: Record<string, string | true> = m.source === undefined ? {} : { source: m.source };
  for (const option of (parsed.data ?? "").split(",").filter((o) => o)) {
    const eq = option.indexOf("=");
    if (eq < 0) options[option] = true;
    else options[option.slice(0, eq)] = option.slice(eq + 1);
  }
  return { options, attrs: mountAttrsOf(parsed.flags) };
}

function namespaceList(spec: Spec): { type: string; path?: string }[] {
  return spec.linux?.namespaces ?? [];
}

function expectReport(b: Build, type: InitReport["type"]): void {
  const report = b.channel.receive<InitReport>();
  if (report?.type === type) return;
  if (report?.type === "tail") {
    const tail = parseStartupTail(report.bytes);
    if (tail.failure) throw new ContainerSetupError(tail.failure);
  }
  throw new ContainerSetupError(`container "${b.id}": the start-up program ended before the container was ready`);
}
