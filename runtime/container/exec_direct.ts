/**
 * `exec` (and startContainer hooks) without a JavaScript helper: runt's
 * main thread enters the container's mount namespace just long enough to
 * find what the process needs there (its executable on the container's
 * PATH, HOME from the container's /etc/passwd, whether root may enter its
 * cwd, a pty of the container's devpts). A loader start-up program,
 * spawned with the container's namespaces as descriptors, joins the
 * container's cgroup meanwhile; then it runs the `exec` program
 * (runtime/startup/plan.ts), which joins the namespaces and clones the
 * process into the PID namespace as runt's own child. Only the program
 * ever runs in the container's view.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { O_CLOEXEC, O_DIRECTORY, O_NOCTTY, O_PATH, O_RDONLY, O_RDWR, TIOCGPTPEER } from "../../ffi/constants.ts";
import { NAMESPACES } from "../spec/constants.ts";
import type { Spec } from "../spec/schema.ts";
import { RuntError } from "../errors.ts";
import { initFds, type SpawnedInit, spawnInit } from "../init/spawn.ts";
import { applyProcessLimitsTo, cwdReachable, DEFAULT_UMASK, programLimits } from "../process/apply.ts";
import { containerHost, execStdioUid } from "../process/host.ts";
import { processEnv, resolveExecutable } from "../process/mod.ts";
import { modeInContainer, passwdInContainer } from "../process/container_paths.ts";
import { killAndReap } from "../process/reap.ts";
import type { SeccompFilter } from "../seccomp/install.ts";
import { execStartup, loaderStartup } from "../startup/plan.ts";
import { clearOnlcr, writeWindowSize } from "../terminal/pty.ts";
import { openContainerPty } from "../terminal/container_pty.ts";
import { sendProgram } from "./send_program.ts";
import { ContainerSetupError } from "./errors.ts";
import { enterNamespacesOf } from "./thread_namespaces.ts";

/** Namespaces the program joins by descriptor before it enters the PID namespace, in the order it joins them. */
const JOINED = ["mount", "network", "ipc", "uts", "cgroup"];
/** Among the descriptors the loader is given, after the namespaces': the cgroup v2 directory. */
const CGROUP_DIR = "cgroup directory";

export interface DirectLaunch {
  id: string;
  /** The container's first process, whose namespaces are the container's. */
  pid: number;
  /** The container's config with the process to start. */
  spec: Spec;
  seccomp?: SeccompFilter;
  preserveFds: number;
  stdio?: [number, number, number];
  exactEnv?: boolean;
  executable?: string;
  /** The cgroup.procs files of the cgroup the process joins (none without one): the loader moves itself there. */
  cgroupProcs: string[];
  /** Instead, on cgroup v2: the cgroup's directory, which the process is cloned straight into. */
  cgroupDir?: string;
  /** The terminal's master: relayed by runt in the foreground (set up for that before the process exists), else handed on. */
  onConsole?: (master: number) => void;
  relayTerminal?: boolean;
}

interface Terminal {
  master: number;
  slave: number;
}

/** Whether a process can be started this way: the container has a mount namespace of its own and runt runs as root. */
export function canLaunchDirectly(spec: Spec): boolean {
  return (globalThis.process.geteuid?.() ?? 0) === 0 && (spec.linux?.namespaces ?? []).some((ns) => ns.type === "mount");
}

/**
 * Spawns a loader that moves itself into the container's cgroup — on a
 * cgroup v1 host the first such move after a quiet spell waits out an RCU
 * grace period, 10 ms or more, which overlaps what runt does meanwhile —
 * then finds what the process needs and sends the exec program. The caller
 * follows it through the channel (PID, listener, failure).
 */
export function spawnDirect(sys: Syscalls, l: DirectLaunch): SpawnedInit {
  const { spec } = l;
  const process = spec.process!;
  // Read while the host's /proc is in sight.
  const host = containerHost(l.pid);
  const stdioUid = execStdioUid(spec, l.pid);
  const opened: { type: string; fd: number }[] = [];
  let terminal: Terminal | undefined;
  let masterHanded = false;
  let spawned: SpawnedInit | undefined;
  try {
    for (const { type } of spec.linux?.namespaces ?? []) {
      opened.push({ type, fd: sys.open(`/proc/${l.pid}/ns/${NAMESPACES[type].proc}`, O_RDONLY | O_CLOEXEC) });
    }
    if (l.cgroupDir !== undefined) opened.push({ type: CGROUP_DIR, fd: sys.open(l.cgroupDir, O_PATH | O_DIRECTORY | O_CLOEXEC) });
    const find = () => findInContainer(sys, l, (t) => terminal = t);
    // A terminal is the loader's stdio, so it is made first; otherwise the lookup overlaps the cgroup's wait.
    let found = process.terminal ? find() : undefined;
    const stdio = terminal ? [terminal.slave, terminal.slave, terminal.slave] : l.stdio ?? [0, 1, 2];
    // The descriptors the programs are given sit right above the channel, in this order.
    const channelFd = initFds(l.preserveFds).channel;
    const closeFrom = channelFd + 1 + opened.length;
    const loader = loaderStartup({ channelFd, argv: ["runt", "init", l.id], closeFrom, cgroupProcs: l.cgroupProcs });
    spawned = spawnInit(sys, l.id, undefined, l.preserveFds, stdio as [number, number, number], { program: loader, fds: opened.map(({ fd }) => fd) });
    found ??= find();
    const applied = applyProcessLimitsTo(sys, spec, { stdio, cwdReached: found.cwdReached, host, stdioUid });
    const at = (type: string) => {
      const i = opened.findIndex((ns) => ns.type === type);
      return i < 0 ? undefined : channelFd + 1 + i;
    };
    sendProgram(sys, spawned.channel, execStartup({
      spec,
      exec: found.exec,
      seccomp: l.seccomp,
      applied,
      host,
      channelFd,
      userNamespaceFd: at("user"),
      timeNamespaceFd: at("time"),
      pidNamespaceFd: at("pid"),
      cgroupFd: at(CGROUP_DIR),
      prelude: {
        closeFrom,
        ...programLimits(spec),
        keyring: `_ses.${l.id}`,
        join: JOINED.filter((type) => at(type) !== undefined).map((type) => ({ type, fd: at(type)! })),
        umask: process.user?.umask ?? DEFAULT_UMASK,
        cwd: found.cwdReached ? process.cwd : undefined,
      },
    }));
    if (terminal) {
      masterHanded = true;
      l.onConsole?.(terminal.master);
    }
    return spawned;
  } catch (e) {
    if (spawned) {
      killAndReap(sys, spawned.pid);
      spawned.channel.close();
    }
    throw e;
  } finally {
    for (const { fd } of opened) sys.close(fd);
    if (terminal) sys.close(terminal.slave);
    if (terminal && !masterHanded) sys.close(terminal.master);
  }
}

/** In the container's mount namespace: the executable, the environment, the cwd, the terminal. */
function findInContainer(sys: Syscalls, l: DirectLaunch, onTerminal: (t: Terminal) => void) {
  const process = l.spec.process!;
  const inside = enterNamespacesOf(sys, l.pid, ["mount"]);
  try {
    const env = l.exactEnv ? process.env ?? [] : processEnv(process.env ?? [], process.user?.uid ?? 0, passwdInContainer(sys));
    let path: string;
    try {
      path = l.executable ?? resolveExecutable(process.args![0], env, process.cwd, modeInContainer(sys));
    } catch (e) {
      if (e instanceof RuntError) throw new ContainerSetupError(e.message, /not found/.test(e.message) ? 127 : 126);
      throw e;
    }
    const cwdReached = cwdReachable(sys, process.cwd);
    if (process.terminal) onTerminal(openTerminal(sys, l));
    return { exec: { path, args: process.args!, env }, cwdReached };
  } finally {
    inside.leave();
  }
}

/** A pty of the container's devpts; its slave becomes the program's stdio. */
function openTerminal(sys: Syscalls, l: DirectLaunch): Terminal {
  const { master } = openContainerPty(sys);
  try {
    const size = l.spec.process!.consoleSize;
    if (size?.height && size.width) writeWindowSize(sys, master, { rows: size.height, cols: size.width });
    // Relayed: newlines are the host side's business, settled before anything can write (see clearOnlcr).
    if (l.relayTerminal) clearOnlcr(sys, master);
    return { master, slave: sys.ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC) };
  } catch (e) {
    sys.close(master);
    throw e;
  }
}
