/**
 * Switching the init's root to the prepared rootfs: pivot_root(2) as runc
 * does it, or for --no-pivot (a rootfs on a ramdisk, where pivot_root is
 * refused) moving the rootfs over / and chroot-ing into it; in the host's
 * mount namespace, chroot alone.
 */
import { MNT_DETACH, O_CLOEXEC, O_DIRECTORY, O_RDONLY } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { MS } from "../mount/options.ts";
import { attempt, failure, q } from "./errors.ts";
import { parseMountinfo } from "../mount/mountinfo.ts";
import { canonicalRootfs } from "./prepare.ts";
import { liveProc, MOUNTINFO, type ProcAccess } from "./proc.ts";

export function enterRootfs(
  sys: Syscalls,
  rootfs: string,
  noPivot: boolean,
  proc: ProcAccess = liveProc,
  /** The init is in the host's mount namespace: neither pivot_root nor MS_MOVE may touch it. */
  hostMountNamespace = false,
): void {
  const root = canonicalRootfs(rootfs);
  if (hostMountNamespace) chrootInto(sys, root);
  else if (noPivot) moveRoot(sys, root, proc);
  else pivotRoot(sys, root);
}

/** runc's chroot() for a container without a mount namespace: the host's mounts stay as they are. */
function chrootInto(sys: Syscalls, rootfs: string): void {
  attempt(`chroot into ${q(rootfs)}`, () => {
    sys.chdir(rootfs);
    sys.chroot(".");
    sys.chdir("/");
  });
}

/**
 * pivot_root(".", ".") stacks the old root on top of the new one, so no
 * directory for it is needed inside the rootfs; detaching it from "."
 * (the old root, reached again through its descriptor) leaves the new one.
 */
function pivotRoot(sys: Syscalls, rootfs: string): void {
  const what = `pivot_root into ${q(rootfs)}`;
  const oldRoot = attempt(`${what}: open ${q("/")}`, () => sys.open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  try {
    const newRoot = attempt(`${what}: open`, () => sys.open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    try {
      attempt(what, () => {
        sys.fchdir(newRoot);
        sys.pivotRoot(".", ".");
      });
      attempt(`${what}: detach the old root`, () => {
        sys.fchdir(oldRoot);
        // Slave first, so the unmount does not propagate to the host's mounts.
        sys.mount(null, ".", null, MS.SLAVE | MS.REC, null);
        sys.umount2(".", MNT_DETACH);
      });
      attempt(`${what}: chdir ${q("/")}`, () => sys.chdir("/"));
    } finally {
      sys.close(newRoot);
    }
  } finally {
    sys.close(oldRoot);
  }
}

/**
 * runc's msMoveRoot. With chroot the host's full proc and sysfs mounts stay
 * in the namespace, and their presence is what lets the kernel allow new
 * proc or sysfs mounts; so they are unmounted first (or covered, where
 * unmounting is refused).
 */
function moveRoot(sys: Syscalls, rootfs: string, proc: ProcAccess): void {
  const what = `move the rootfs ${q(rootfs)} to ${q("/")}`;
  attempt(`${what}: chdir`, () => sys.chdir(rootfs));
  const table = parseMountinfo(attempt(`${what}: read ${MOUNTINFO}`, () => proc.read(MOUNTINFO)));
  const hostPseudoFs = table.filter((m) =>
    m.root === "/" && (m.fsType === "proc" || m.fsType === "sysfs") &&
    m.mountPoint !== rootfs && !m.mountPoint.startsWith(`${rootfs}/`)
  );
  for (const { mountPoint } of hostPseudoFs) hideMount(sys, mountPoint);
  attempt(what, () => sys.mount(rootfs, "/", null, MS.MOVE, null));
  attempt(`${what}: chroot`, () => {
    sys.chroot(".");
    sys.chdir("/");
  });
}

function hideMount(sys: Syscalls, mountPoint: string): void {
  const what = `hide the host's ${q(mountPoint)}`;
  try {
    sys.mount(null, mountPoint, null, MS.SLAVE | MS.REC, null);
  } catch (e) {
    // Gone with a parent detached before it.
    if (isErrno(e, "ENOENT")) return;
    throw failure(what, e);
  }
  try {
    sys.umount2(mountPoint, MNT_DETACH);
  } catch (e) {
    if (!isErrno(e, "EINVAL") && !isErrno(e, "EPERM")) throw failure(what, e);
    attempt(what, () => sys.mount("tmpfs", mountPoint, "tmpfs", 0, null));
  }
}
