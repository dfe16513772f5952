/**
 * The files under /proc the rootfs setup reads or writes besides making
 * system calls: the mount table, the process's cgroups, /proc/kcore and the
 * sysctl files. Passing them in keeps the setup testable against fixtures.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

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
