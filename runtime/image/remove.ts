/**
 * Removing what a layer deletes (whiteouts, opaque directories, an entry
 * replaced by another kind) through directory descriptors: a symlink in the
 * tree is unlinked, never followed.
 */
import { readdirSync } from "node:fs";
import { AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH, S_IFDIR, S_IFMT } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { FileStat, Syscalls } from "../../ffi/syscalls.ts";

/** The directory a descriptor holds, for reading its names: /proc reopens the same inode. */
export function fdDir(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** What `name` in the directory `dirfd` is, without following it; null when there is nothing. */
export function lstatAt(sys: Syscalls, dirfd: number, name: string): FileStat | null {
  try {
    return sys.fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW);
  } catch (e) {
    if (isErrno(e, "ENOENT")) return null;
    throw e;
  }
}

export function isDirectory(stat: FileStat): boolean {
  return (stat.mode & S_IFMT) === S_IFDIR;
}

/** Removes `name` in `dirfd` and, for a directory, everything below it. Nothing there is fine. */
export function removeAt(sys: Syscalls, dirfd: number, name: string): void {
  const stat = lstatAt(sys, dirfd, name);
  if (stat === null) return;
  if (!isDirectory(stat)) return sys.unlinkat(dirfd, name);
  removeChildren(sys, dirfd, name, () => false);
  sys.unlinkat(dirfd, name, AT_REMOVEDIR);
}

/** Removes the entries of the directory `name` in `dirfd` (`.` for `dirfd` itself) that `keep` does not name. */
export function removeChildren(sys: Syscalls, dirfd: number, name: string, keep: (child: string) => boolean): void {
  const fd = sys.openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  try {
    for (const child of readdirSync(fdDir(fd))) if (!keep(child)) removeAt(sys, fd, child);
  } finally {
    sys.close(fd);
  }
}
