/**
 * CPU time and page faults of the bench's children, from getrusage(2)'s
 * RUSAGE_CHILDREN: what every child the bench has waited for used, with
 * what their own waited-for children used (a runtime's container process
 * and helpers among them). The difference across one synchronous spawn is
 * what that command cost the machine, split into time in user space (the
 * runtime's own code) and in the kernel (the container's system calls, its
 * page faults), the split `run`'s wall time alone does not show.
 */
const RUSAGE_CHILDREN = -1;
/** struct rusage on x86_64 and aarch64 Linux: two timevals, then fourteen longs (ru_minflt the fifth). */
const RUSAGE_SIZE = 144;
const MINFLT_OFFSET = 32 + 4 * 8;

export interface Usage {
  /** User and kernel time together: exact (the scheduler's own count of the time run). */
  cpuMs: number;
  /**
   * The split of cpuMs: where the kernel counts CPU time by its ticks
   * (CONFIG_TICK_CPU_ACCOUNTING, every 4 ms at HZ=250), it divides the
   * exact total in the ratio of the ticks that found the process in user
   * space and in the kernel, so one short process's split is coarse and only
   * a mean over many is worth reading.
   */
  userMs: number;
  kernelMs: number;
  minorFaults: number;
}

type GetRusage = (who: number, buffer: Uint8Array) => number;

let getrusage: GetRusage | undefined;

/** Bound once: the bench runs under Deno (`make bench`). */
function bind(): GetRusage {
  if (getrusage) return getrusage;
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (!deno) throw new Error("bench/rusage.ts: needs Deno's FFI (run the bench with `make bench`)");
  const lib = deno.dlopen("libc.so.6", { getrusage: { parameters: ["i32", "buffer"], result: "i32" } } as const);
  getrusage = (who, buffer) => lib.symbols.getrusage(who, buffer);
  return getrusage;
}

function childrenUsage(): Omit<Usage, "cpuMs"> {
  const buffer = new Uint8Array(RUSAGE_SIZE);
  if (bind()(RUSAGE_CHILDREN, buffer) !== 0) throw new Error("getrusage(RUSAGE_CHILDREN) failed");
  const v = new DataView(buffer.buffer);
  const ms = (at: number) => Number(v.getBigInt64(at, true)) * 1000 + Number(v.getBigInt64(at + 8, true)) / 1000;
  return { userMs: ms(0), kernelMs: ms(16), minorFaults: Number(v.getBigInt64(MINFLT_OFFSET, true)) };
}

/** What `spawnAndWait` (which must reap every child it starts before returning) used, with its result. */
export function usageOf<T>(spawnAndWait: () => T): { result: T; usage: Usage } {
  const before = childrenUsage();
  const result = spawnAndWait();
  const after = childrenUsage();
  const userMs = after.userMs - before.userMs, kernelMs = after.kernelMs - before.kernelMs;
  return { result, usage: { cpuMs: userMs + kernelMs, userMs, kernelMs, minorFaults: after.minorFaults - before.minorFaults } };
}
