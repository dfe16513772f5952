/**
 * process.cwd and the executable, looked up by runt's own code inside the
 * container's root: runt's thread in the container's namespaces, or the
 * JavaScript init. Neither is the container's own process. Without a PID
 * namespace of the container's own, /proc/self there is runt, and
 * /proc/self/fd/N one of runt's descriptors, a host directory among them:
 * a cwd of "/proc/self/fd/8/x" made runt create x in the host's root
 * (runc's CVE-2024-21626 is the same class). The kernel is told to follow
 * no such link (RESOLVE_NO_MAGICLINKS); symbolic links of the rootfs are
 * followed as before, inside the root. The same goes for /etc/passwd, read
 * for HOME.
 */
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  O_CLOEXEC,
  O_DIRECTORY,
  O_NOCTTY,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  RESOLVE_NO_MAGICLINKS,
  S_IFMT,
  S_IFREG,
} from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { openInRoot } from "../mount/inroot.ts";
import { slot, type StubProgram } from "../stub/program.ts";
import { SLOT_COUNT } from "../stub/layout.ts";

/** The st_mode of what `path` names, following symbolic links; throws the call's error, whose `code` names the errno. */
export type ModeOf = (path: string) => number;

/** An O_PATH descriptor of `path`, found as the calling thread's root and cwd see it, through no /proc link. */
function openPlain(sys: Syscalls, path: string, flags = 0): number {
  return sys.openat2(AT_FDCWD, path, O_PATH | O_CLOEXEC | flags, RESOLVE_NO_MAGICLINKS);
}

export function modeInContainer(sys: Syscalls): ModeOf {
  return (path) => {
    const fd = openPlain(sys, path);
    try {
      return sys.fstatat(fd, "", AT_EMPTY_PATH).mode;
    } finally {
      sys.close(fd);
    }
  };
}

/**
 * runc makes a missing cwd (0755), after pivot_root and before a read-only
 * root would forbid it. Made through descriptors from the root (see
 * mount/inroot.ts). A failure is left to the cwd check that follows, which
 * words it.
 */
export function makeCwd(sys: Syscalls, cwd: string): void {
  let root: number | undefined;
  try {
    root = openPlain(sys, "/", O_DIRECTORY);
    sys.close(openInRoot(sys, root, cwd, { create: "directory" }));
  } catch {
    // Reported by the cwd check.
  } finally {
    if (root !== undefined) sys.close(root);
  }
}

/** Enters `cwd` through the descriptor it resolves to (fchdir). */
export function enterCwd(sys: Syscalls, cwd: string): void {
  const fd = openPlain(sys, cwd, O_DIRECTORY);
  try {
    sys.fchdir(fd);
  } finally {
    sys.close(fd);
  }
}

/** The start-up program's slot for the cwd's descriptor: the last, past the namespace files'. */
const CWD_SLOT = SLOT_COUNT - 1;
/** struct open_how: flags, mode, resolve. */
const OPEN_HOW_SIZE = 24;

/**
 * The same, planned for the container's own process: the start-up program
 * enters the cwd through a descriptor it opens following no /proc link,
 * so a path changed since runt looked at it cannot lead the process
 * through one of the descriptors it holds then (the exec helper holds a
 * host cgroup directory).
 */
export function planEnterCwd(prog: StubProgram, cwd: string, what: string): void {
  const how = prog.u64s([O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_NO_MAGICLINKS]);
  prog.call("openat2", [AT_FDCWD, prog.str(cwd), how, OPEN_HOW_SIZE], { what, result: CWD_SLOT });
  prog.call("fchdir", [slot(CWD_SLOT)], { what });
  prog.call("close", [slot(CWD_SLOT)], { what });
}

/** Far beyond any real passwd file; a bigger one is not read. */
const PASSWD_LIMIT = 16 * 1024 * 1024;

/**
 * The container's /etc/passwd, for HOME, when it is a regular file: opened
 * without waiting (a fifo there would hold runt until someone wrote to
 * it), through no /proc link. Empty when missing or anything else.
 */
export function passwdInContainer(sys: Syscalls, path = "/etc/passwd"): () => string {
  return () => {
    let fd;
    try {
      fd = sys.openat2(AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, RESOLVE_NO_MAGICLINKS);
    } catch {
      return "";
    }
    try {
      const st = sys.fstatat(fd, "", AT_EMPTY_PATH);
      if ((st.mode & S_IFMT) !== S_IFREG || st.size > PASSWD_LIMIT) return "";
      const bytes = new Uint8Array(Number(st.size));
      let length = 0;
      for (let n = -1; length < bytes.length && n !== 0; length += n) n = sys.read(fd, bytes.subarray(length));
      return new TextDecoder().decode(bytes.subarray(0, length));
    } catch {
      return "";
    } finally {
      sys.close(fd);
    }
  };
}
