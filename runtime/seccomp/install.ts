/**
 * The compiled filter on its way to the init (the channel carries JSON) and
 * its installation by the start-up program, the process that then calls execve.
 */
import { Buffer } from "node:buffer";
import { SECCOMP_SET_MODE_FILTER } from "../../ffi/constants.ts";
import type { StubProgram } from "../stub/program.ts";
import type { CompiledSeccomp } from "./compile.ts";

export interface SeccompFilter {
  /** The BPF instructions, base64. */
  program: string;
  flags: number;
}

export function filterMessage(compiled: CompiledSeccomp): SeccompFilter {
  return { program: Buffer.from(compiled.program).toString("base64"), flags: compiled.flags };
}

/** seccomp(SECCOMP_SET_MODE_FILTER) as a step of the start-up program, with its struct sock_fprog in the program's data. */
export function planFilter(prog: StubProgram, filter: SeccompFilter): void {
  const code = new Uint8Array(Buffer.from(filter.program, "base64"));
  // struct sock_fprog: a u16 instruction count, padding, then the pointer.
  const fprog = prog.u64s([code.length / 8, prog.bytes(code)]);
  prog.call("seccomp", [SECCOMP_SET_MODE_FILTER, filter.flags, fprog], { what: "linux.seccomp: installing the filter" });
}
