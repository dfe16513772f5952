/**
 * The compiled filter on its way to the init (the channel carries JSON) and
 * its installation by the start-up program, the process that then calls execve.
 */
import { SECCOMP_SET_MODE_FILTER } from "../../ffi/constants.ts";
import { slot, type StubProgram } from "../stub/program.ts";
import { LISTENER_REPORT_MAGIC } from "../startup/report.ts";
import { type CompiledSeccomp, SECCOMP_FILTER_FLAG_NEW_LISTENER } from "./compile.ts";

export interface SeccompFilter {
  /** The BPF instructions, base64. */
  program: string;
  flags: number;
}

export function filterMessage(compiled: CompiledSeccomp): SeccompFilter {
  return { program: (compiled.program as Uint8Array & { toBase64(): string }).toBase64(), flags: compiled.flags };
}

/** The slot the filter's listener descriptor is kept in while the runtime takes a copy. */
const LISTENER = 3;

/**
 * seccomp(SECCOMP_SET_MODE_FILTER) as a step of the start-up program, with
 * its struct sock_fprog in the program's data. A filter with SCMP_ACT_NOTIFY
 * rules returns a listener: the program reports its number on the channel,
 * waits while the runtime takes a copy (pidfd_getfd) for the seccomp agent,
 * and closes its own, so the user's program never holds it.
 */
export function planFilter(prog: StubProgram, filter: SeccompFilter, channelFd: number): void {
  const code = (Uint8Array as unknown as { fromBase64(text: string): Uint8Array }).fromBase64(filter.program);
  // struct sock_fprog: a u16 instruction count, padding, then the pointer.
  const fprog = prog.u64s([code.length / 8, prog.bytes(code)]);
  const listener = (filter.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) !== 0;
  prog.call("seccomp", [SECCOMP_SET_MODE_FILTER, filter.flags, fprog], {
    what: "linux.seccomp: installing the filter",
    ...(listener ? { result: LISTENER } : {}),
  });
  if (!listener) return;
  const iov = prog.u64s([prog.u64s([LISTENER_REPORT_MAGIC]), 8, prog.slotAddr(LISTENER), 8]);
  prog.call("writev", [channelFd, iov, 2], { what: "linux.seccomp.listenerPath: report the listener" });
  prog.call("read", [channelFd, prog.reserve(1), 1], { what: "linux.seccomp.listenerPath: wait for the agent to have it" });
  prog.call("close", [slot(LISTENER)], { what: "linux.seccomp.listenerPath: close the listener" });
}
