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
    return path.slice("/proc/".length).replace(/^self(?=\/|$)/, String(self));
  };
  const using = <T>(path: string, flags: number, fn: (fd: number) => T): T => {
    const fd = sys.openat(dirfd, at(path), flags | O_CLOEXEC);
    try {
      return fn(fd);
    } finally {
      sys.close(fd);
    }
  };
  return {
    read: (path) => using(path, O_RDONLY, (fd) => readToEnd(sys, fd)),
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

/** Through the system call: a raw descriptor is not one of the runtime's own file handles (Deno's are not). */
function readToEnd(sys: Syscalls, fd: number): string {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const buf = new Uint8Array(64 * 1024);
    const n = sys.read(fd, buf);
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
  }
  const out = new Uint8Array(chunks.reduce((size, c) => size + c.length, 0));
  chunks.reduce((at, c) => (out.set(c, at), at + c.length), 0);
  return new TextDecoder().decode(out);
}
