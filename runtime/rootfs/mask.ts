/**
 * `linux.maskedPaths`: an empty read-only tmpfs over a directory, the null
 * device bound over anything else. Both ends are held by descriptor: the
 * container's /dev/null is used only once it is shown to be the real
 * character device 1:3 (as runc does since 1.2.8, CVE-2025-31133: a
 * /dev/null that is a link to a host file, or to /proc/sys/kernel/core_pattern,
 * would otherwise be bound writable over /proc/keys), and the path masked
 * is pinned without following a final symbolic link.
 */
import { MOUNT_ATTR_RDONLY, O_CLOEXEC, O_NOFOLLOW, O_PATH, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { type FileStat, makedev, type Syscalls } from "../../ffi/syscalls.ts";
import { bindOnto, mountOnto } from "../mount/attach.ts";
import { attempt, failure, q, RootfsError } from "./errors.ts";
import { fileKind, openDevEntry, statFd } from "./inode.ts";

const NULL_DEVICE = makedev(1, 3);
const MASK_TMPFS = { source: "tmpfs", ro: "" };

/** Masks each path that exists; refuses them all when /dev/null is not the null device. */
export function maskPaths(sys: Syscalls, paths: readonly string[]): void {
  if (paths.length === 0) return;
  const devNull = openNullDevice(sys);
  try {
    for (const path of paths) maskPath(sys, devNull, path);
  } finally {
    sys.close(devNull);
  }
}

/** An O_PATH descriptor of the container's /dev/null, checked to be character device 1:3. */
function openNullDevice(sys: Syscalls): number {
  const what = `linux.maskedPaths: ${q("/dev/null")}`;
  const fd = attempt(what, () => openDevEntry(sys, "null", O_PATH));
  try {
    const st = attempt(what, () => statFd(sys, fd));
    if ((st.mode & S_IFMT) !== S_IFCHR || st.rdev !== NULL_DEVICE) {
      throw new RootfsError(
        `linux.maskedPaths: /dev/null in the container is a ${describe(st)}, not the null device (character device 1:3); refusing to mask paths with it`,
      );
    }
    return fd;
  } catch (e) {
    sys.close(fd);
    throw e;
  }
}

function maskPath(sys: Syscalls, devNull: number, path: string): void {
  const what = `masked path ${q(path)}`;
  let target: number;
  try {
    target = sys.open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  } catch (e) {
    if (isErrno(e, "ENOENT")) return;
    throw failure(what, e);
  }
  try {
    const type = attempt(what, () => statFd(sys, target)).mode & S_IFMT;
    // The link's target is the container's choice, and may be a host file reached through /proc.
    if (type === S_IFLNK) throw new RootfsError(`${what} is a symbolic link in the rootfs; refusing to mask what it points to`);
    // As runc's mount("tmpfs", path, "tmpfs", MS_RDONLY): named "tmpfs", and the superblock read-only too.
    if (type === S_IFDIR) attempt(what, () => mountOnto(sys, "tmpfs", MOUNT_ATTR_RDONLY, target, MASK_TMPFS));
    else attempt(what, () => bindOnto(sys, devNull, target));
  } finally {
    sys.close(target);
  }
}

/** "symbolic link", "regular file", "character device 4:1" … */
function describe(st: FileStat): string {
  const kind = fileKind(st.mode);
  if ((st.mode & S_IFMT) !== S_IFCHR) return kind;
  const major = ((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & ~0xfffn);
  const minor = (st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn);
  return `${kind} ${major}:${minor}`;
}
