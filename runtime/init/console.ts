/**
 * The container's terminal, made as runc makes it: a pty from the
 * container's own devpts (so it belongs to the container, not the host),
 * its master handed to the parent over the channel, its slave as the
 * process's stdio and controlling terminal, and — for the init — bound
 * over /dev/console.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { O_CLOEXEC, O_CREAT, O_EXCL, O_NOCTTY, O_NONBLOCK, O_PATH, O_RDWR, O_WRONLY, S_IFCHR, S_IFMT, S_IFREG, TIOCGPTPEER, TIOCSCTTY } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { RuntError } from "../errors.ts";
import { fileKind, openDevEntry, statFd } from "../rootfs/inode.ts";
import { bindOnto, chmodFd } from "../mount/attach.ts";
import { procFd } from "../mount/inroot.ts";
import { clearOnlcr, openPty, writeWindowSize } from "../terminal/pty.ts";
import type { Channel } from "./channel.ts";

export interface ConsoleSetup {
  /** Bind the slave over /dev/console (the init's terminal, not an exec'd process's). */
  devConsole: boolean;
  /**
   * Make it this session's controlling terminal now. `exec` leaves that to
   * the process it starts, which is born in a session of its own.
   */
  controlling: boolean;
  /** process.consoleSize: set before the process starts, so it never sees another size (runc sets it here too). */
  size?: { height: number; width: number };
  /**
   * The parent relays this terminal (exec in the foreground): newlines are
   * left to the host's side here, while nothing can write to it yet. An
   * exec'd process starts without waiting for the parent, which could be
   * slower to take the master than the process is to write.
   */
  relayed?: boolean;
}

/** Must run after the process is a session leader and sees the container's /dev. */
export function setupConsole(sys: Syscalls, channel: Channel, how: ConsoleSetup): void {
  const { master, slavePath } = openPty(sys);
  try {
    if (how.size?.height && how.size.width) writeWindowSize(sys, master, { rows: how.size.height, cols: how.size.width });
    if (how.relayed) clearOnlcr(sys, master);
    if (how.devConsole) bindDevConsole(sys, master);
    channel.send({ type: "console" }, [master]);
  } finally {
    sys.close(master);
  }
  const slave = sys.open(slavePath, O_RDWR | O_CLOEXEC | O_NOCTTY);
  for (const fd of [0, 1, 2]) sys.dup2(slave, fd);
  if (slave > 2) sys.close(slave);
  if (how.controlling) sys.ioctl(0, TIOCSCTTY, 0);
}

/**
 * Binds the pty's slave over /dev/console (`hostProc`: see chmodFd), both held by descriptor: the
 * slave straight from its master (no /dev/pts/N to look up), the console
 * as the rootfs entry itself, never what a link there points to.
 */
export function bindDevConsole(sys: Syscalls, master: number, hostProc?: number): void {
  const slave = sys.ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  try {
    const console = openConsoleTarget(sys);
    try {
      // A runtime thread outside the container's PID namespace reaches its descriptors through the host's /proc.
      if (hostProc === undefined) chmodFd(sys, console, 0o666, procFd(console));
      else chmodFd(sys, console, 0o666, `thread-self/fd/${console}`, hostProc);
      bindOnto(sys, slave, console);
    } finally {
      sys.close(console);
    }
  } finally {
    sys.close(slave);
  }
}

/**
 * /dev/console as an O_PATH descriptor: made as an empty file when missing,
 * refused unless it is a regular file or a character device. O_PATH opens
 * nothing, so a fifo there cannot block the init.
 */
function openConsoleTarget(sys: Syscalls): number {
  try {
    // O_NONBLOCK: should a fifo appear in between, creating still returns at once (EEXIST).
    sys.close(openDevEntry(sys, "console", O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK, 0o666));
  } catch (e) {
    if (!isErrno(e, "EEXIST")) throw e;
  }
  const fd = openDevEntry(sys, "console", O_PATH);
  try {
    const kind = statFd(sys, fd).mode & S_IFMT;
    if (kind !== S_IFREG && kind !== S_IFCHR) {
      throw new RuntError(
        `process.terminal: /dev/console in the rootfs is a ${fileKind(kind)}, not a regular file or character device; refusing to bind the terminal over it`,
      );
    }
    return fd;
  } catch (e) {
    sys.close(fd);
    throw e;
  }
}
