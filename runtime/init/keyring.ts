/**
 * A fresh session keyring per container, as runc gives one: otherwise the
 * container would share the session keyring of whoever ran `runt create`,
 * and with it any keys that session holds.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import { isErrno } from "../../ffi/errors.ts";
import { RuntError } from "../errors.ts";

/** KEY_POS_SETATTR … possessor may search: what runc adds so the container can use its own keyring. */
const POSSESSOR_SEARCH = 0x080000;

export function joinNewSessionKeyring(sys: Syscalls, containerId: string): void {
  let serial: number;
  try {
    serial = sys.joinSessionKeyring(`_ses.${containerId}`);
  } catch (e) {
    // Kernels without keyrings: nothing to isolate.
    if (isErrno(e, "ENOSYS")) return;
    throw new RuntError(`joining a new session keyring: ${(e as Error).message} (--no-new-keyring skips it)`);
  }
  const perm = parseInt(sys.describeKey(serial).split(";")[3], 16);
  sys.setKeyPerm(serial, (perm | POSSESSOR_SEARCH) >>> 0);
}
