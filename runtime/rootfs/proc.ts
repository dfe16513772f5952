/**
 * The files under /proc the rootfs setup reads or writes besides making
 * system calls: the mount table, the process's cgroups, /proc/kcore and the
 * sysctl files. Passing them in keeps the setup testable against fixtures.
 */
import { existsSync, readFileSync, writeFileSync } from "../host_fs.ts";
import { O_CLOEXEC, O_PATH, O_RDONLY, O_WRONLY } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

export interface ProcAccess {
  /** A file's text; throws (with an errno code) when it cannot be read. */
  read(path: string): string;
  write(path: string, data: string): void;
  exists(path: string): boolean;
}

/** The calling thread's own view: after unshare(CLONE_NEWNS) only this thread sees the new mount table. */
export const MOUNTINFO = "/proc/thread-self/mountinfo";
export const SELF_CGROUP = "/proc/self/cgroup";
export const KCORE = "/proc/kcore";

/** The real /proc, through synchronous calls that run on the calling (unshared) thread. */
export const liveProc: ProcAccess = {
  read: (path) => readFileSync(path, "utf8"),
  write: (path, data) => writeFileSync(path, data),
  exists: (path) => existsSync(path),
};

/**
 * The host's /proc through a descriptor held from before the switch of
 * root, for the runtime's thread building a container: after pivot_root
 * its "/proc" is the container's, where that thread has no entry. There
 * "thread-self" is still the calling thread, and "self" names `self`, the
 * container's process, whose cgroups and mount namespace are the ones meant.
 */
export function procThrough(sys: Syscalls, dirfd: number, self: number): ProcAccess {
  const at = (path: string) => {
    if (!path.startsWith("/proc/")) throw new Error(`${path}: not under /proc`);
    const rest = path.slice("/proc/".length);
    return rest === "self" || rest.startsWith("self/") ? String(self) + rest.slice("self".length) : rest;
  };
  const using = <T>(path: string, flags: number, fn: (fd: number) => T): T => {
    const fd = sys.openat(dirfd, at(path), flags | O_CLOEXEC);
    try {
      return fn(fd);
    } finally {
      sys.close(fd);
    }
  };
  const reader = new ProcReader(sys);
  return {
    read: (path) => using(path, O_RDONLY, (fd) => reader.readToEnd(fd)),
    write: (path, data) => using(path, O_WRONLY, (fd) => void sys.write(fd, data)),
    exists: (path) => {
      try {
        return using(path, O_PATH, () => true);
      } catch {
        return false;
      }
    },
  };
}

const decoder = new TextDecoder();

/**
 * Reads whole /proc files through the system call (a raw descriptor is not
 * one of the runtime's own file handles; Deno's are not) into one buffer
 * kept for every read, grown when a file does not fit, rather than a fresh,
 * zeroed 64 KiB buffer for each read(2).
 */
class ProcReader {
  private buf = new Uint8Array(16 * 1024);

  constructor(private readonly sys: Syscalls) {}

  readToEnd(fd: number): string {
    let length = 0;
    for (;;) {
      if (length === this.buf.length) {
        const grown = new Uint8Array(2 * this.buf.length);
        grown.set(this.buf);
        this.buf = grown;
      }
      const n = this.sys.read(fd, this.buf.subarray(length));
      if (n === 0) break;
      length += n;
    }
    return decoder.decode(this.buf.subarray(0, length));
  }
}
