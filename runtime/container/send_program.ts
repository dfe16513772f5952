/**
 * Handing a start-up program to a waiting init over its channel: used by
 * create's build and by exec, which must not load the build (rootfs, mounts,
 * hooks) to start a process in a running container.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import type { Channel } from "../init/channel.ts";
import { sealedExecutable } from "../stub/memfd.ts";
import type { StubProgram } from "../stub/program.ts";

/** The program as a sealed memfd, one byte and the descriptor: what the waiting program's recvmsg takes. */
export function sendProgram(sys: Syscalls, channel: Channel, program: StubProgram): void {
  const image = sealedExecutable(sys, program.image(), "runt");
  try {
    sys.sendmsg(channel.fd, new Uint8Array([0x0a]), [image]);
  } finally {
    sys.close(image);
  }
}
