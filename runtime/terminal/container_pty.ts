/**
 * A pty of the container's own devpts, opened by runt's thread in the
 * container's mount namespace (create, and exec --tty into a running
 * container). That thread is in none of the container's cgroups, so the
 * container's device rules do not confine what it opens; and a process of
 * the container may have replaced /dev/ptmx: with a link through
 * /proc/self/fd (runt's own descriptors there when the PID namespace is the
 * host's: the host's /dev/ptmx), or with a node of another device, made
 * with CAP_MKNOD (a watchdog that reboots the host once opened). runt
 * opens the multiplexer of the devpts mounted at /dev/pts, following no
 * link on the way, and only once it has checked that the file there is
 * the multiplexer (character device 5:2); the file it opens is checked to
 * be that one.
 */
import { AT_EMPTY_PATH, AT_FDCWD, O_CLOEXEC, O_NOCTTY, O_PATH, O_RDWR, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, S_IFCHR, S_IFMT } from "../../ffi/constants.ts";
import { type FileStat, makedev, type Syscalls } from "../../ffi/syscalls.ts";
import { ProcessError } from "../process/errors.ts";
import { type Pty, ptyOf } from "./pty.ts";

const PTMX = "/dev/pts/ptmx";
const MULTIPLEXER = makedev(5, 2);
const RESOLVE = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

function isMultiplexer(st: FileStat): boolean {
  return (st.mode & S_IFMT) === S_IFCHR && st.rdev === MULTIPLEXER;
}

export function openContainerPty(sys: Syscalls): Pty {
  const refuse = (why: string) => new ProcessError(`process.terminal: ${PTMX} in the container ${why}; refusing to open it`);
  let pinned: number;
  try {
    pinned = sys.openat2(AT_FDCWD, PTMX, O_PATH | O_CLOEXEC, RESOLVE);
  } catch (e) {
    throw refuse(`cannot be reached without following a link (${(e as Error).message})`);
  }
  let master: number;
  try {
    const seen = sys.fstatat(pinned, "", AT_EMPTY_PATH);
    if (!isMultiplexer(seen)) throw refuse("is not the pty multiplexer (character device 5:2)");
    master = sys.openat2(AT_FDCWD, PTMX, O_RDWR | O_NOCTTY | O_CLOEXEC, RESOLVE);
    const opened = sys.fstatat(master, "", AT_EMPTY_PATH);
    if (opened.dev !== seen.dev || opened.ino !== seen.ino) {
      sys.close(master);
      throw refuse("was replaced while it was opened");
    }
  } finally {
    sys.close(pinned);
  }
  return ptyOf(sys, master);
}
