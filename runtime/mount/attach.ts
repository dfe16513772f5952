/**
 * Mounts made from descriptor to descriptor with the new mount API, where
 * no path may name either end: after pivot_root the container's /proc may
 * be missing, fake, or (for an init outside a joined PID namespace) show no
 * /proc/thread-self for runt, so /proc/thread-self/fd/N cannot stand for
 * a descriptor there.
 */
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  FSMOUNT_CLOEXEC,
  FSOPEN_CLOEXEC,
  MOVE_MOUNT_F_EMPTY_PATH,
  MOVE_MOUNT_T_EMPTY_PATH,
  OPEN_TREE_CLOEXEC,
  OPEN_TREE_CLONE,
} from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

/** A bind of what `source` holds onto what `target` holds (mount --bind, not recursive). */
export function bindOnto(sys: Syscalls, source: number, target: number): void {
  const tree = sys.openTree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  try {
    attach(sys, tree, target);
  } finally {
    sys.close(tree);
  }
}

/**
 * A new filesystem of type `fstype`, with MOUNT_ATTR_* `attrs`, onto what
 * `target` holds; `options` are set on it first (`source`, superblock flags
 * such as `ro`, the filesystem's own).
 */
export function mountOnto(sys: Syscalls, fstype: string, attrs: number, target: number, options: Record<string, string> = {}): void {
  const context = sys.fsopen(fstype, FSOPEN_CLOEXEC);
  try {
    for (const [key, value] of Object.entries(options)) sys.fsconfigSetString(context, key, value);
    sys.fsconfigCreate(context);
    const mount = sys.fsmount(context, FSMOUNT_CLOEXEC, attrs);
    try {
      attach(sys, mount, target);
    } finally {
      sys.close(mount);
    }
  } finally {
    sys.close(context);
  }
}

/** Attaches the detached mount `mount` onto what `target` holds. */
export function attach(sys: Syscalls, mount: number, target: number): void {
  sys.moveMount(mount, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/** chmod of what an O_PATH descriptor holds: fchmodat2 (Linux 6.6), else through /proc where that works. */
/** `procPath` is taken from `procDir`, a descriptor of a /proc where the calling thread is seen (the current one by default). */
export function chmodFd(sys: Syscalls, fd: number, mode: number, procPath: string, procDir = AT_FDCWD): void {
  try {
    sys.fchmodat2(fd, "", mode, AT_EMPTY_PATH);
  } catch (e) {
    if (!isErrno(e, "ENOSYS") && !isErrno(e, "EINVAL")) throw e;
    sys.fchmodat(procDir, procPath, mode);
  }
}
