/**
 * The compiled filter on its way to the init (the channel carries JSON) and
 * its installation there, on the thread that then calls execve.
 */
import { Buffer } from "node:buffer";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { RuntError } from "../errors.ts";
import type { CompiledSeccomp } from "./compile.ts";

export interface SeccompFilter {
  /** The BPF instructions, base64. */
  program: string;
  flags: number;
}

export function filterMessage(compiled: CompiledSeccomp): SeccompFilter {
  return { program: Buffer.from(compiled.program).toString("base64"), flags: compiled.flags };
}

export function installFilter(sys: Syscalls, filter: SeccompFilter): void {
  try {
    sys.seccompSetFilter(filter.flags, new Uint8Array(Buffer.from(filter.program, "base64")));
  } catch (e) {
    throw new RuntError(`linux.seccomp: installing the filter: ${(e as Error).message}`);
  }
}
