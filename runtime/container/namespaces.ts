/**
 * The runtime's own thread, for a moment, inside a running container's
 * namespaces: to start what must be born there (startContainer hooks)
 * without any process of runt's ever being visible in them. The thread
 * joins the container's mount, network, IPC, UTS and cgroup namespaces and
 * returns to its own afterwards; the PID namespace applies only to the
 * children spawned meanwhile, passed to posix_spawn, which enters and
 * leaves it around the spawn alone (a runtime thread created inside it
 * would fail).
 */
import { CLONE_FS, O_CLOEXEC, O_DIRECTORY, O_RDONLY } from "../../ffi/constants.ts";
import type { SpawnOptions, Syscalls } from "../../ffi/syscalls.ts";
import { NAMESPACES } from "../spec/constants.ts";
import type { Spec } from "../spec/schema.ts";
import { flagOf, NamespaceError } from "../init/namespaces.ts";

type NamespaceType = keyof typeof NAMESPACES;

/** The kinds a thread can join and leave again; user and time need a single-threaded process. */
const JOINABLE: readonly string[] = ["mount", "network", "ipc", "uts", "cgroup"];

export function withContainerNamespaces<T>(
  sys: Syscalls,
  pid: number,
  spec: Spec,
  fn: (spawn: Pick<SpawnOptions, "pidNamespace">) => T,
): T {
  const types = (spec.linux?.namespaces ?? []).map((ns) => ns.type as NamespaceType);
  const joined = types.filter((t) => JOINABLE.includes(t));
  const opened: { type: string; theirs: number; ours: number }[] = [];
  const extra: number[] = [];
  try {
    for (const type of joined) {
      const name = NAMESPACES[type].proc;
      opened.push({ type, theirs: open(sys, `/proc/${pid}/ns/${name}`), ours: open(sys, `/proc/thread-self/ns/${name}`) });
    }
    let spawn: Pick<SpawnOptions, "pidNamespace"> = {};
    if (types.includes("pid")) {
      const joinFd = open(sys, `/proc/${pid}/ns/pid`);
      const restoreFd = open(sys, "/proc/self/ns/pid");
      extra.push(joinFd, restoreFd);
      spawn = { pidNamespace: { joinFd, restoreFd } };
    }
    // Joining the mount namespace moves the thread's root and cwd: both come back with its own.
    const cwd = open(sys, ".", O_DIRECTORY);
    extra.push(cwd);
    if (joined.includes("mount")) sys.unshare(CLONE_FS);
    const entered: typeof opened = [];
    try {
      for (const ns of opened) {
        setns(sys, ns.theirs, ns.type, `joining the container's ${ns.type} namespace`);
        entered.push(ns);
      }
      return fn(spawn);
    } finally {
      for (const ns of entered.reverse()) setns(sys, ns.ours, ns.type, `returning to runt's own ${ns.type} namespace`);
      sys.fchdir(cwd);
    }
  } finally {
    for (const { theirs, ours } of opened) {
      sys.close(theirs);
      sys.close(ours);
    }
    for (const fd of extra) sys.close(fd);
  }
}

function open(sys: Syscalls, path: string, flags = 0): number {
  try {
    return sys.open(path, O_RDONLY | O_CLOEXEC | flags);
  } catch (e) {
    throw new NamespaceError(`${path}: ${(e as Error).message}`);
  }
}

function setns(sys: Syscalls, fd: number, type: string, what: string): void {
  try {
    sys.setns(fd, flagOf(type));
  } catch (e) {
    throw new NamespaceError(`${what}: ${(e as Error).message}`);
  }
}
