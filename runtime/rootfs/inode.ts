/**
 * Files of the container's /dev held by descriptor. The rootfs is the
 * container's to shape: an entry there may be a symbolic link (to
 * /proc/self/fd/1, say, which is a host file), a fifo that blocks whoever
 * opens it, or a regular file posing as a device. Opening with O_PATH and
 * O_NOFOLLOW pins the entry itself without opening what it stands for;
 * checking and using that one descriptor leaves no window to swap it.
 */
import { AT_EMPTY_PATH, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { FileStat, Syscalls } from "../../ffi/syscalls.ts";

/** What `fd` itself is: with AT_EMPTY_PATH an O_PATH descriptor can be described too. */
export function statFd(sys: Syscalls, fd: number): FileStat {
  return sys.fstatat(fd, "", AT_EMPTY_PATH);
}

const KINDS: Record<number, string> = {
  [S_IFLNK]: "symbolic link",
  [S_IFREG]: "regular file",
  [S_IFDIR]: "directory",
  [S_IFCHR]: "character device",
  [S_IFBLK]: "block device",
  [S_IFIFO]: "fifo",
  [S_IFSOCK]: "socket",
};

/** "symbolic link", "fifo" … for messages. */
export function fileKind(mode: number): string {
  return KINDS[mode & S_IFMT] ?? "file of unknown type";
}

/**
 * Opens /dev/`name` in the current root, following a symbolic link neither
 * at /dev nor at the entry: a link at either is refused in one line. `flags`
 * add to O_NOFOLLOW|O_CLOEXEC (O_PATH to pin the entry, O_CREAT|O_EXCL to
 * make one); ENOENT and EEXIST pass through as they are for the caller.
 */
export function openDevEntry(sys: Syscalls, name: string, flags: number, mode = 0): number {
  let dev: number;
  try {
    dev = sys.open("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  } catch (e) {
    // O_DIRECTORY|O_NOFOLLOW on a symbolic link says ENOTDIR.
    // A plain Error: the caller's message names the field it was working for.
    if (isErrno(e, "ENOTDIR")) throw new Error(`/dev in the rootfs is not a directory (a symbolic link?); refusing to follow it`);
    throw e;
  }
  try {
    return sys.openat(dev, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  } finally {
    sys.close(dev);
  }
}
