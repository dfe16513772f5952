/**
 * System call numbers for the start-up program, per architecture. The
 * numbers come from the seccomp tables, so both agree on what a name means.
 */
import { X86_64_SYSCALLS } from "../seccomp/syscalls_x86_64.ts";

/** Architectures the start-up program is built for (arm64 needs its own interpreter and table). */
export type StubArch = "x86_64";

const TABLES: Readonly<Record<StubArch, Readonly<Record<string, number>>>> = {
  x86_64: X86_64_SYSCALLS,
};

/** The number of `name` on `arch`; throws on a name the architecture lacks. */
export function syscallNumber(arch: StubArch, name: string): number {
  const table = TABLES[arch];
  if (!table) throw new Error(`start-up program: unsupported architecture ${JSON.stringify(arch)}`);
  const nr = Object.hasOwn(table, name) ? table[name] : undefined;
  if (nr === undefined) throw new Error(`start-up program: unknown system call ${JSON.stringify(name)} on ${arch}`);
  return nr;
}
