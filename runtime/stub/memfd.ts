/**
 * Puts an executable image into a sealed memfd, so a process started from
 * it has `/proc/<pid>/exe` pointing at memory nobody can modify, not at a
 * file on the host.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import {
  F_ADD_SEALS,
  F_SEAL_GROW,
  F_SEAL_SEAL,
  F_SEAL_SHRINK,
  F_SEAL_WRITE,
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  MFD_EXEC,
} from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";

/** A new sealed memfd holding `image`; the caller owns (and closes) the descriptor. */
export function sealedExecutable(sys: Syscalls, image: Uint8Array, name: string): number {
  const fd = create(sys, name);
  try {
    for (let done = 0; done < image.length;) done += sys.write(fd, image.subarray(done));
    sys.fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
    return fd;
  } catch (e) {
    sys.close(fd);
    throw e;
  }
}

/**
 * Linux 6.3+ may create memfds non-executable (vm.memfd_noexec) unless
 * MFD_EXEC is passed; older kernels refuse that flag with EINVAL.
 */
function create(sys: Syscalls, name: string): number {
  const flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
  try {
    return sys.memfdCreate(name, flags | MFD_EXEC);
  } catch (e) {
    if (!isErrno(e, "EINVAL")) throw e;
    return sys.memfdCreate(name, flags);
  }
}
