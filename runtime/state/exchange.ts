/**
 * How the state store swaps a new record in for the last one where it has
 * system calls: renameat2(RENAME_EXCHANGE). Apart from the store so that
 * `state` and `list`, which only read, load nothing of ffi/.
 */
import { AT_FDCWD, RENAME_EXCHANGE } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

/** Swaps `tmp` and `file`; false, with nothing changed, when there is no `file` yet or the filesystem cannot exchange. */
export type Exchange = (tmp: string, file: string) => boolean;

export function renameExchange(sys: Pick<Syscalls, "renameat2">): Exchange {
  return (tmp, file) => {
    try {
      sys.renameat2(AT_FDCWD, tmp, AT_FDCWD, file, RENAME_EXCHANGE);
      return true;
    } catch (e) {
      if (isErrno(e, "ENOENT") || isErrno(e, "EINVAL") || isErrno(e, "ENOSYS")) return false;
      throw e;
    }
  };
}
