/**
 * Starting the container init from the parent. The init must be born inside
 * the container's PID namespace, which applies only to children, so the
 * parent's main thread enters it for the instant of the spawn and returns to
 * its own right after. Nothing between the two may create a
 * thread (Deno panics in a new PID namespace), so only FFI calls run there.
 */
import type { FileAction, Syscalls } from "../../ffi/syscalls.ts";
import { AF_UNIX, F_DUPFD_CLOEXEC, O_CLOEXEC, O_RDONLY, SOCK_STREAM } from "../../ffi/constants.ts";
import { Channel } from "./channel.ts";
import { NamespaceError } from "./namespaces.ts";
import { SyscallError } from "../../ffi/errors.ts";
import { initCommand, initEnvironment } from "./self.ts";
import { inheritPreserved } from "../process/exec.ts";
import { sealedExecutable } from "../stub/memfd.ts";
import type { StubProgram } from "../stub/program.ts";

const SOCK_CLOEXEC = O_CLOEXEC;

export interface SpawnedInit {
  pid: number;
  channel: Channel;
}

/** The descriptors a spawned init or loader holds for runt's channel and (a loader's) exec.fifo. */
export function initFds(preserveFds: number): { channel: number; fifo: number } {
  // The channel sits just above the preserved descriptors, which keep their numbers.
  return { channel: 3 + preserveFds, fifo: 4 + preserveFds };
}

/**
 * What to start instead of `runt init`: a start-up program
 * (runtime/startup/plan.ts), for a container or process runt builds
 * itself, with `fds` at the numbers right above the channel's, in order.
 */
export interface ProgramSpawn {
  program: StubProgram;
  fds: number[];
}

/** `pidNamespace`: the spec's pid namespace entry, if it has one. */
/** `stdio`: descriptors to become the init's 0, 1 and 2 instead of runt's own. */
export function spawnInit(
  sys: Syscalls,
  id: string,
  pidNamespace: { path?: string } | undefined,
  preserveFds: number,
  stdio?: [number, number, number],
  start?: ProgramSpawn,
): SpawnedInit {
  const [parentEnd, childEnd] = sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  const initFd = initFds(preserveFds).channel;
  let source = childEnd;
  // dup2 onto itself would leave close-on-exec set.
  if (source === initFd) source = sys.fcntl(childEnd, F_DUPFD_CLOEXEC, initFd + 1);
  // stdio first: one of its descriptors may have the channel's number.
  const fileActions: FileAction[] = [
    ...(stdio ?? []).map((fd, to): FileAction => ({ op: "dup2", fd, to })),
    { op: "dup2", fd: source, to: initFd },
    ...(start?.fds ?? []).map((fd, i): FileAction => ({ op: "dup2", fd, to: initFd + 1 + i })),
  ];
  inheritPreserved(sys, initFd);
  let argv: string[], env: string[];
  let image: number | undefined;
  if (start) {
    argv = ["runt", "init", id];
    try {
      image = sealedExecutable(sys, start.program.image(), "runt");
    } catch (e) {
      sys.close(parentEnd);
      sys.close(childEnd);
      if (source !== childEnd) sys.close(source);
      throw e;
    }
    env = [];
  } else {
    argv = initCommand(id);
    env = initEnvironment(initFd);
  }
  // A memfd is started by its /proc/self/fd path: resolved by execve before close-on-exec closes it.
  const path = image === undefined ? argv[0] : `/proc/self/fd/${image}`;
  let pid: number;
  try {
    // A session of its own, as runc's: the container's terminal can become its controlling one, and
    // the caller's terminal signals reach the container only through runt.
    pid = spawnWithPidNamespace(sys, pidNamespace, (ns) => sys.posixSpawn(path, argv, env, { fileActions, pidNamespace: ns, setsid: true }));
  } catch (e) {
    sys.close(parentEnd);
    throw e;
  } finally {
    sys.close(childEnd);
    if (source !== childEnd) sys.close(source);
    if (image !== undefined) sys.close(image);
  }
  return { pid, channel: new Channel(sys, parentEnd) };
}

/**
 * Opens what the spawn needs to place the init in the PID namespace `ns`
 * (none: the host's) and to return afterwards; posixSpawn does the rest.
 */
function spawnWithPidNamespace(
  sys: Syscalls,
  ns: { path?: string } | undefined,
  spawn: (pidNamespace?: { joinFd?: number; restoreFd: number }) => number,
): number {
  if (!ns) return spawn();
  const restoreFd = sys.open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  let joinFd: number | undefined;
  try {
    if (ns.path !== undefined) {
      try {
        joinFd = sys.open(ns.path, O_RDONLY | O_CLOEXEC);
      } catch (e) {
        throw new NamespaceError(`pid namespace ${ns.path}: ${(e as Error).message}`);
      }
    }
    try {
      return spawn({ joinFd, restoreFd });
    } catch (e) {
      if (e instanceof SyscallError && e.method !== "posixSpawn") {
        throw new NamespaceError(`${joinFd === undefined ? "creating" : `joining`} pid namespace${ns.path ? ` ${ns.path}` : ""}: ${e.message}`);
      }
      throw e;
    }
  } finally {
    if (joinFd !== undefined) sys.close(joinFd);
    sys.close(restoreFd);
  }
}
