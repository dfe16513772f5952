/**
 * The container's terminal, made as runc makes it: a pty from the
 * container's own devpts (so it belongs to the container, not the host),
 * its master handed to the parent over the channel, its slave as the
 * process's stdio and controlling terminal, and — for the init — bound
 * over /dev/console.
 */
import { chmodSync, closeSync, openSync } from "node:fs";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { MS_BIND, O_CLOEXEC, O_NOCTTY, O_RDWR, TIOCSCTTY } from "../../ffi/constants.ts";
import { openPty } from "../terminal/pty.ts";
import type { Channel } from "./channel.ts";

export interface ConsoleSetup {
  /** Bind the slave over /dev/console (the init's terminal, not an exec'd process's). */
  devConsole: boolean;
  /**
   * Make it this session's controlling terminal now. `exec` leaves that to
   * the process it starts, which is born in a session of its own.
   */
  controlling: boolean;
}

/** Must run after the process is a session leader and sees the container's /dev. */
export function setupConsole(sys: Syscalls, channel: Channel, how: ConsoleSetup): void {
  const { master, slavePath } = openPty(sys);
  try {
    if (how.devConsole) bindDevConsole(sys, slavePath);
    channel.send({ type: "console" }, [master]);
  } finally {
    sys.close(master);
  }
  const slave = sys.open(slavePath, O_RDWR | O_CLOEXEC | O_NOCTTY);
  for (const fd of [0, 1, 2]) sys.dup2(slave, fd);
  if (slave > 2) sys.close(slave);
  if (how.controlling) sys.ioctl(0, TIOCSCTTY, 0);
}

function bindDevConsole(sys: Syscalls, slavePath: string): void {
  closeSync(openSync("/dev/console", "a", 0o666));
  chmodSync("/dev/console", 0o666);
  sys.mount(slavePath, "/dev/console", "bind", MS_BIND, null);
}
