import { errnoDescription, errnoNumber } from "../../ffi/errno.ts";
import { SyscallError } from "../../ffi/errors.ts";
import { RuntError } from "../errors.ts";
import { quote } from "../quote.ts";

/** A step of building the container's root filesystem failed; the one line names the mount, device or path. */
export class RootfsError extends RuntError {}

/** Runs `step`, turning any failure into a RootfsError that reads `<what>: <why>`. */
export function attempt<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    throw failure(what, e);
  }
}

/** The RootfsError for `e` happening while doing `what` (a RootfsError already says what it was). */
export function failure(what: string, e: unknown): RootfsError {
  return e instanceof RootfsError ? e : new RootfsError(`${what}: ${reason(e)}`);
}

/** "EPERM (Operation not permitted)" for kernel and node:fs errors alike. */
export function reason(e: unknown): string {
  if (e instanceof SyscallError) return `${e.code} (${errnoDescription(e.errno)})`;
  const code = errorCode(e);
  const errno = code === undefined ? undefined : errnoNumber(code);
  if (code !== undefined && errno !== undefined) return `${code} (${errnoDescription(errno)})`;
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}

/** The errno name of a SyscallError or a node:fs error ("ENOENT"), if it has one. */
export function errorCode(e: unknown): string | undefined {
  if (e instanceof SyscallError) return e.code;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Quotes a path or name for a message the way the rest of runt does (see quote.ts). */
export const q = quote;
