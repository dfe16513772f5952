/**
 * Terminal devices through ioctls: a new pseudo-terminal pair from the
 * devpts instance /dev/ptmx points at, and the settings and window size of
 * any terminal descriptor.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { O_CLOEXEC, O_NOCTTY, O_RDWR, TCGETS, TCSETS, TIOCGPTN, TIOCGWINSZ, TIOCSPTLCK, TIOCSWINSZ } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { decodeTermios, decodeWinsize, encodeTermios, encodeWinsize, ONLCR, type Termios, TERMIOS_SIZE, type WindowSize, WINSIZE_SIZE } from "./termios.ts";

export interface Pty {
  master: number;
  /** /dev/pts/N, as seen from the mount namespace that opened it. */
  slavePath: string;
}

/** posix_openpt + unlockpt + ptsname, without libc's pty helpers. */
export function openPty(sys: Syscalls, ptmx = "/dev/ptmx"): Pty {
  return ptyOf(sys, sys.open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC));
}

/** unlockpt + ptsname for a multiplexer already opened; `master` is closed if that fails. */
export function ptyOf(sys: Syscalls, master: number): Pty {
  try {
    sys.ioctl(master, TIOCSPTLCK, new Uint8Array(4));
    const n = new Uint8Array(4);
    sys.ioctl(master, TIOCGPTN, n);
    return { master, slavePath: `/dev/pts/${new DataView(n.buffer).getUint32(0, true)}` };
  } catch (e) {
    sys.close(master);
    throw e;
  }
}

/** The terminal settings of `fd`, or undefined when it is not a terminal. */
export function readTermios(sys: Syscalls, fd: number): Termios | undefined {
  const buf = new Uint8Array(TERMIOS_SIZE);
  try {
    sys.ioctl(fd, TCGETS, buf);
  } catch (e) {
    if (isErrno(e, "ENOTTY") || isErrno(e, "EBADF") || isErrno(e, "EINVAL")) return undefined;
    throw e;
  }
  return decodeTermios(buf);
}

export function writeTermios(sys: Syscalls, fd: number, termios: Termios): void {
  sys.ioctl(fd, TCSETS, encodeTermios(termios));
}

export function readWindowSize(sys: Syscalls, fd: number): WindowSize | undefined {
  const buf = new Uint8Array(WINSIZE_SIZE);
  try {
    sys.ioctl(fd, TIOCGWINSZ, buf);
  } catch {
    return undefined;
  }
  return decodeWinsize(buf);
}

export function writeWindowSize(sys: Syscalls, fd: number, size: WindowSize): void {
  sys.ioctl(fd, TIOCSWINSZ, encodeWinsize(size));
}

/**
 * As runc does for the terminals it relays: newlines are translated once,
 * on the host's side, so output passed on to a pipe or file has plain "\n"
 * while a terminal still shows it right. Done before the container's
 * process can write (the translation happens as it writes) and before it
 * starts, since shells save the settings they find: by create's parent
 * before start releases the process, by exec's helper before the process
 * exists (runtime/init/console.ts).
 */
export function clearOnlcr(sys: Syscalls, master: number): void {
  const termios = readTermios(sys, master);
  if (termios) writeTermios(sys, master, { ...termios, oflag: termios.oflag & ~ONLCR });
}
