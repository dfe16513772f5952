/**
 * The runtime's main thread inside a container's namespaces, and back.
 * mount, network, IPC, UTS and cgroup namespaces belong to a thread, not
 * to the process: while the main thread is in them, what it mounts, the
 * sockets it opens and the sysctls it writes are the container's, and a
 * process it spawns starts there too; the runtime's other threads stay on
 * the host. setns into a mount namespace needs a thread that shares its
 * filesystem state with no other, hence unshare(CLONE_FS) first. Joining a mount namespace moves the
 * thread's root and working directory to that namespace's root, so both
 * are saved as descriptors and restored on the way back.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { CLONE_FS, NAMESPACE_FLAGS, O_CLOEXEC, O_DIRECTORY, O_PATH, O_RDONLY } from "../../ffi/constants.ts";
import { NamespaceError } from "../init/namespaces.ts";
import { isErrno } from "../../ffi/errors.ts";
import { runningInUserNamespace } from "../state/default_root.ts";

/** The namespaces a thread can be in alone, by OCI type, with their /proc/PID/ns file. */
export const THREAD_NAMESPACES: Readonly<Record<string, string>> = {
  mount: "mnt",
  network: "net",
  ipc: "ipc",
  uts: "uts",
  cgroup: "cgroup",
};

export interface ThreadInNamespaces {
  /** Back to the namespaces, root and working directory the thread had; safe to call more than once. */
  leave(): void;
}

/** Moves the calling thread into the namespaces of `types` that process `pid` is in. */
export function enterNamespacesOf(sys: Syscalls, pid: number, types: readonly string[]): ThreadInNamespaces {
  const files = types.map((type) => {
    const file = THREAD_NAMESPACES[type];
    if (file === undefined) throw new NamespaceError(`the runtime's thread cannot enter a ${type} namespace`);
    return { type, file };
  });
  // Again each time: a thread started since shares this one's filesystem state (see leave); a no-op otherwise.
  sys.unshare(CLONE_FS);
  const opened: number[] = [];
  const open = (path: string, flags: number) => {
    const fd = sys.open(path, flags | O_CLOEXEC);
    opened.push(fd);
    return fd;
  };
  let entered = 0;
  let own: number[] = [];
  let root = -1, cwd = -1;
  const leave = () => {
    // A thread the runtime started meanwhile (a garbage collector's helper, say) shares this
    // thread's filesystem state, and setns into a mount namespace refuses a shared one: a copy
    // of its own again. Such a helper stays in the container's namespaces, out of the
    // container's sight (it is in runt's PID namespace), and never touches a file.
    if (entered > 0) sys.unshare(CLONE_FS);
    // In reverse: the mount namespace, entered first, is left last, so /proc stays the host's until then.
    for (let i = entered - 1; i >= 0; i--) sys.setns(own[i], NAMESPACE_FLAGS[files[i].type]);
    if (entered > 0 && root >= 0) {
      sys.fchdir(root);
      sys.chroot(".");
      sys.fchdir(cwd);
    }
    entered = 0;
    for (const fd of opened.splice(0)) sys.close(fd);
  };
  try {
    // Every file is opened before the first setns: afterwards the host's /proc may be out of sight.
    root = open("/", O_PATH | O_DIRECTORY);
    cwd = open(".", O_PATH | O_DIRECTORY);
    own = files.map(({ type, file }) => ownNamespace(sys, type, open(`/proc/thread-self/ns/${file}`, O_RDONLY), () => open(`/proc/thread-self/ns/${file}`, O_RDONLY)));
    const theirs = files.map(({ type, file }) => {
      try {
        return open(`/proc/${pid}/ns/${file}`, O_RDONLY);
      } catch (e) {
        throw new NamespaceError(`opening the container's ${type} namespace: ${(e as Error).message}`);
      }
    });
    files.forEach(({ type }, i) => {
      try {
        sys.setns(theirs[i], NAMESPACE_FLAGS[type]);
      } catch (e) {
        throw new NamespaceError(`entering the container's ${type} namespace: ${(e as Error).message}`);
      }
      entered = i + 1;
    });
  } catch (e) {
    leave();
    throw e;
  }
  return { leave };
}

/**
 * The namespace the thread comes back to. Root of a user namespace other
 * than the host's may not enter one its user namespace does not own, its
 * own included (under `unshare -r` the mount namespace is still the
 * host's): there the thread first takes one of its own, a copy of the
 * mount table it saw. setns into the namespace the thread is in asks the
 * kernel just that; only done in such a user namespace, since it also
 * moves the thread to the namespace's root (restored on leave).
 */
function ownNamespace(sys: Syscalls, type: string, fd: number, reopen: () => number): number {
  if (!runningInUserNamespace()) return fd;
  try {
    sys.setns(fd, NAMESPACE_FLAGS[type]);
    return fd;
  } catch (e) {
    if (!isErrno(e, "EPERM")) throw e;
  }
  sys.unshare(NAMESPACE_FLAGS[type]);
  return reopen();
}
