/**
 * Where the master side of a container's terminal goes: to the caller's
 * console socket, exactly as runc sends it (one message, the name
 * "/dev/ptmx" as data, the descriptor as SCM_RIGHTS), or to runt itself
 * when it runs the container in the foreground and relays the terminal.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM } from "../../ffi/constants.ts";
import { SyscallError } from "../../ffi/errors.ts";
import { clearOnlcr } from "../terminal/pty.ts";
import { ContainerSetupError } from "./errors.ts";

export interface ConsoleOptions {
  /** Path of a unix socket listening for the terminal's master (runc's --console-socket). */
  consoleSocket?: string;
  /** Takes the master when runt relays the terminal itself (a foreground run or exec). */
  onConsole?: (master: number) => void;
}

/** runc's rules: a terminal needs somewhere to go, and a console socket needs a terminal to carry. */
export function checkConsoleUse(terminal: boolean | undefined, opts: ConsoleOptions): void {
  if (opts.consoleSocket !== undefined && opts.onConsole) {
    throw new ContainerSetupError("--console-socket: only for a detached container; in the foreground runt relays the terminal itself");
  }
  if (terminal && opts.consoleSocket === undefined && !opts.onConsole) {
    throw new ContainerSetupError("process.terminal: without --console-socket there is nowhere to send the terminal of a detached process");
  }
  if (!terminal && opts.consoleSocket !== undefined) {
    throw new ContainerSetupError("--console-socket: process.terminal is false, so there is no terminal to hand over");
  }
}

/** Connected before the container is built, so a wrong path fails early and leaves nothing. */
export function connectConsoleSocket(sys: Syscalls, path: string): number {
  const fd = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  try {
    sys.connect(fd, path);
    return fd;
  } catch (e) {
    sys.close(fd);
    throw new ContainerSetupError(`--console-socket ${path}: cannot connect: ${reason(e)}`);
  }
}

/** Hands `master` on; runt keeps no copy unless it relays the terminal itself. */
export function handOverConsole(sys: Syscalls, master: number, socket: number | undefined, opts: ConsoleOptions): void {
  if (opts.onConsole) {
    clearOnlcr(sys, master);
    return opts.onConsole(master);
  }
  try {
    if (socket !== undefined) sys.sendmsg(socket, new TextEncoder().encode("/dev/ptmx"), [master]);
  } catch (e) {
    throw new ContainerSetupError(`--console-socket ${opts.consoleSocket}: cannot send the terminal: ${reason(e)}`);
  } finally {
    sys.close(master);
  }
}

function reason(e: unknown): string {
  return e instanceof SyscallError ? e.reason : (e as Error).message;
}
