/**
 * The runtime's process turning into the start-up program: the program's
 * image goes into a sealed memfd (nothing on the host to overwrite, nothing
 * the container could reopen for writing) and replaces this process with
 * execveat — every runtime thread ends there. Only the descriptors the
 * container gets and those the program uses survive it.
 */
import { AT_EMPTY_PATH, F_SETFD } from "../../ffi/constants.ts";
import { SyscallError } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { closeOnExecFrom, inheritPreserved, resetSignals } from "../process/exec.ts";
import { ProcessError } from "../process/errors.ts";
import { sealedExecutable } from "../stub/memfd.ts";
import type { StubProgram } from "../stub/program.ts";

export interface Becoming {
  /** What `ps` shows; the container ID among it lets tools find the process. */
  argv: string[];
  /** Descriptors 0 … keepFds-1 pass to the user's program. */
  keepFds: number;
  /** Descriptors the program itself uses and closes. */
  programFds: number[];
}

export function becomeStartup(sys: Syscalls, prog: StubProgram, how: Becoming): never {
  let image: number;
  const argv = how.argv.map(String);
  try {
    image = sealedExecutable(sys, prog.image(), "runt");
    closeOnExecFrom(sys, how.keepFds);
    inheritPreserved(sys, how.keepFds);
    for (const fd of how.programFds) sys.fcntl(fd, F_SETFD, 0);
    resetSignals(sys);
  } catch (e) {
    if (e instanceof SyscallError) throw new ProcessError(`preparing the container's start-up program: ${e.message}`);
    throw e;
  }
  try {
    return sys.execveat(image, "", argv, [], AT_EMPTY_PATH);
  } catch (e) {
    if (e instanceof SyscallError) throw new ProcessError(`starting the container's start-up program: ${e.message}`);
    throw e;
  }
}
