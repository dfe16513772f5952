/**
 * Seccomp agents (config-linux.md, listenerPath): the listener of a filter
 * with SCMP_ACT_NOTIFY rules goes, once per container process, to the unix
 * socket the config names, with the container process state (runtime.md):
 * one SCM_RIGHTS message on a fresh connection, closed at once.
 */
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import type { LinuxSeccomp } from "../spec/schema.ts";
import type { OciState } from "../state/record.ts";
import { ContainerSetupError } from "./errors.ts";
import { quote } from "../quote.ts";

/**
 * Copies descriptor `fd` of process `pid` (the start-up program, waiting)
 * and sends it to the agent. Any failure is the operation's: runtime.md
 * says a runtime MUST generate an error when sending fails.
 */
export function sendListenerToAgent(sys: Syscalls, seccomp: LinuxSeccomp, pid: number, fd: number, state: OciState): void {
  const field = `linux.seccomp.listenerPath ${quote(seccomp.listenerPath ?? "")}`;
  const listener = takeListener(sys, pid, fd, field);
  try {
    const socket = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    try {
      attempt(`${field}: cannot connect`, () => sys.connect(socket, seccomp.listenerPath!));
      const message = {
        ociVersion: state.ociVersion,
        fds: ["seccompFd"],
        pid,
        ...(seccomp.listenerMetadata !== undefined ? { metadata: seccomp.listenerMetadata } : {}),
        state,
      };
      const data = new TextEncoder().encode(JSON.stringify(message));
      attempt(`${field}: cannot send the listener`, () => {
        let sent = sys.sendmsg(socket, data, [listener]);
        while (sent < data.length) sent += sys.write(socket, data.subarray(sent));
      });
    } finally {
      sys.close(socket);
    }
  } finally {
    sys.close(listener);
  }
}

function takeListener(sys: Syscalls, pid: number, fd: number, field: string): number {
  return attempt(`${field}: taking the listener from the container's process`, () => {
    const pidfd = sys.pidfdOpen(pid);
    try {
      return sys.pidfdGetfd(pidfd, fd);
    } finally {
      sys.close(pidfd);
    }
  });
}

function attempt<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new ContainerSetupError(`${what}: ${(e as { reason?: string }).reason ?? (e as Error).message}`);
  }
}
