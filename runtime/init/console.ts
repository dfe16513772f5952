/**
 * The container's terminal, made as runc makes it: a pty from the
 * container's own devpts (so it belongs to the container, not the host),
 * its master handed to the parent over the channel, its slave as the
 * process's stdio and controlling terminal, and — for the init — bound
 * over /dev/console.
 */
import { chmodSync, closeSync, openSync } from "node:fs";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { MS_BIND, O_CLOEXEC, O_RDWR, TIOCSCTTY } from "../../ffi/constants.ts";
import { openPty } from "../terminal/pty.ts";
import type { Channel } from "./channel.ts";

/** Must run after the process is a session leader and sees the container's /dev. */
export function setupConsole(sys: Syscalls, channel: Channel, mountDevConsole: boolean): void {
  const { master, slavePath } = openPty(sys);
  try {
    if (mountDevConsole) bindDevConsole(sys, slavePath);
    channel.send({ type: "console" }, [master]);
  } finally {
    sys.close(master);
  }
  const slave = sys.open(slavePath, O_RDWR | O_CLOEXEC);
  for (const fd of [0, 1, 2]) sys.dup2(slave, fd);
  if (slave > 2) sys.close(slave);
  sys.ioctl(0, TIOCSCTTY, 0);
}

function bindDevConsole(sys: Syscalls, slavePath: string): void {
  closeSync(openSync("/dev/console", "a", 0o666));
  chmodSync("/dev/console", 0o666);
  sys.mount(slavePath, "/dev/console", "bind", MS_BIND, null);
}
