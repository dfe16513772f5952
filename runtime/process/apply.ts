/**
 * Everything between "the root filesystem is ready" and execve, in runc's
 * order: limits first (raising a hard limit needs capabilities dropped
 * later), the bounding set before the user switch, KEEPCAPS across
 * setresuid so the switch does not wipe the permitted set, then the final
 * capability sets. The first half runs in the runtime's process; the
 * credential switch is left to the container's start-up program (see
 * runtime/startup/), the single-threaded process that then calls execve.
 */
import type { Syscalls } from "../../ffi/syscalls.ts";
import {
  CAPABILITIES,
  O_CLOEXEC,
  O_WRONLY,
  PR_CAP_AMBIENT,
  PR_CAP_AMBIENT_CLEAR_ALL,
  PR_CAP_AMBIENT_RAISE,
  PR_CAPBSET_DROP,
  PR_SET_KEEPCAPS,
  PR_SET_NO_NEW_PRIVS,
  RLIM_INFINITY,
  RLIMITS,
} from "../../ffi/constants.ts";
import { isErrno, SyscallError } from "../../ffi/errors.ts";
import type { Spec } from "../spec/schema.ts";
import { bitsOf, type CapabilityMasks, capabilityMasks } from "./capabilities.ts";
import { encodeCapData, encodeCapHeader } from "../../ffi/structs.ts";
import type { StubProgram } from "../stub/program.ts";
import { ProcessError } from "./errors.ts";
import { type ProcessHost, systemHost } from "./host.ts";
import { quote } from "../quote.ts";
import { enterCwd, planEnterCwd } from "./container_paths.ts";

export interface ApplyProcessOptions {
  /** Answers about the running system (cap_last_cap, setgroups, stdio owners). */
  host?: ProcessHost;
  /** Receives one line per thing skipped rather than failed. */
  warn?: (line: string) => void;
  /**
   * The process's uid as this process's user namespace numbers it, when
   * the process will live in another (exec into a user namespace).
   */
  stdioUid?: number;
}

/** runc's default when process.user.umask is not given. */
export const DEFAULT_UMASK = 0o022;

const CAP_NAMES = new Map<number, string>();
// A loop: entries, map and destructuring would each pay their first call at load (see ffi/constants.ts).
for (const name in CAPABILITIES) CAP_NAMES.set(CAPABILITIES[name], name);

/** A failed system call becomes an error naming the step it belonged to. */
function failed(what: string, e: unknown): never {
  if (e instanceof SyscallError) throw new ProcessError(`${what}: ${e.message}`);
  throw e;
}

function step<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    failed(what, e);
  }
}

/** JSON numbers cannot hold 2^64-1 exactly; anything that large means unlimited. */
function rlimitValue(n: number | bigint): bigint {
  const v = BigInt(n);
  return v >= RLIM_INFINITY ? RLIM_INFINITY : v;
}

/** What the process settings leave to the start-up program, which runs them with the container's credentials. */
export interface ProcessLimitsApplied {
  /** The bounding, effective, permitted, inheritable and ambient masks to set. */
  caps: CapabilityMasks;
  lastCap: number;
  /** False when the cwd was refused to root: the start-up program enters it as the container's user. */
  cwdReached: boolean;
}

/**
 * The part of process.* that gives the same result in this process as in
 * the start-up program it becomes (per-process limits, the umask, the cwd
 * as root, the bounding set, stdio ownership) — done here, for real, while
 * the runtime still has every privilege. The capabilities and credentials
 * follow in planCredentials, in runc's order: the program starts as root
 * with the full bounding set, which it needs for the switch.
 */
export function applyProcessLimits(sys: Syscalls, spec: Spec, options: ApplyProcessOptions = {}): ProcessLimitsApplied {
  const proc = processOf(spec);
  setLimits(sys, spec, 0, (value) => {
    const fd = sys.open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    try {
      sys.write(fd, value);
    } finally {
      sys.close(fd);
    }
  });

  sys.umask(proc.user?.umask ?? DEFAULT_UMASK);

  return finishLimits(sys, proc, options, [0, 1, 2], cwdReachable(sys, proc.cwd));
}

export interface FromOutside extends ApplyProcessOptions {
  /**
   * The container's process, for its rlimits (prlimit) and oomScoreAdj;
   * absent for a process not started yet, whose program sets them (programLimits).
   */
  limits?: { pid: number; writeOomScoreAdj(value: string): void };
  /** The descriptors that are the process's 0, 1 and 2, as the runtime holds them. */
  stdio: readonly number[];
  /** Whether root could enter process.cwd (tried by the runtime in the container's root). */
  cwdReached: boolean;
}

/**
 * The same limits applied from outside, for a process the runtime starts
 * without a JavaScript helper: prlimit and oom_score_adj reach another
 * process; the umask and the cwd are left to its start-up program.
 */
export function applyProcessLimitsTo(sys: Syscalls, spec: Spec, options: FromOutside): ProcessLimitsApplied {
  const proc = processOf(spec);
  if (options.limits) setLimits(sys, spec, options.limits.pid, options.limits.writeOomScoreAdj);
  return finishLimits(sys, proc, options, options.stdio, options.cwdReached);
}

/** process.rlimits and oomScoreAdj for a start-up program to set on itself (a process not started yet). */
export function programLimits(spec: Spec): { oomScoreAdj?: number; rlimits: { type: string; resource: number; soft: bigint; hard: bigint }[] } {
  const proc = processOf(spec);
  const rlimits = (proc.rlimits ?? []).map((rl) => {
    const resource = (RLIMITS as Record<string, number>)[rl.type];
    if (resource === undefined) throw new ProcessError(`process.rlimits: unknown limit ${quote(rl.type)}`);
    return { type: rl.type, resource, soft: rlimitValue(rl.soft), hard: rlimitValue(rl.hard) };
  });
  return { oomScoreAdj: proc.oomScoreAdj, rlimits };
}

/**
 * Whether root may enter `cwd`, entering it. As root first: the directory
 * may be reachable only by the runtime's user. Only a permission error is
 * retried, as the container user: it may be the only one allowed in (a
 * volume chowned to it, root squashed). Other failures name the cwd.
 */
export function cwdReachable(sys: Syscalls, cwd: string): boolean {
  try {
    enterCwd(sys, cwd);
    return true;
  } catch (e) {
    if (!isErrno(e, "EACCES") && !isErrno(e, "EPERM")) failed(chdirStep(cwd), e);
    return false;
  }
}

type Process = NonNullable<Spec["process"]>;

function processOf(spec: Spec): Process {
  const proc = spec.process;
  if (!proc) throw new ProcessError("process: required to start a container");
  return proc;
}

function setLimits(sys: Syscalls, spec: Spec, pid: number, writeOomScoreAdj: (value: string) => void): void {
  const { oomScoreAdj, rlimits } = programLimits(spec);
  for (const { type, resource, soft, hard } of rlimits) step(`set ${type}`, () => sys.prlimit(pid, resource, { soft, hard }));
  if (oomScoreAdj !== undefined) step("set process.oomScoreAdj", () => writeOomScoreAdj(String(oomScoreAdj)));
}

function finishLimits(sys: Syscalls, proc: Process, options: ApplyProcessOptions, stdio: readonly number[], cwdReached: boolean): ProcessLimitsApplied {
  const host = options.host ?? systemHost;
  const warn = options.warn ?? (() => {});
  const caps = capabilityMasks(proc.capabilities, host.lastCap());
  if (caps.unavailable.length) {
    warn(`ignoring capabilities this kernel does not support: ${caps.unavailable.join(", ")}`);
  }
  giveStdioTo(sys, host, options.stdioUid ?? proc.user?.uid ?? 0, stdio);
  if (!host.setgroupsAllowed() && (proc.user?.additionalGids ?? []).length) {
    throw new ProcessError("process.user.additionalGids: this user namespace denies setgroups");
  }
  return { caps, lastCap: host.lastCap(), cwdReached };
}

function chdirStep(cwd: string): string {
  return `chdir to process.cwd ${quote(cwd)}`;
}

/**
 * The credential switch as operations of the start-up program: the bounding
 * set first (a capability above the kernel's last is EINVAL, skipped), KEEPCAPS
 * across setresuid so the switch does not wipe the permitted set, the user
 * and groups, the cwd when only the user may enter it, then the final
 * capability sets and no_new_privs.
 */
export function planCredentials(prog: StubProgram, spec: Spec, applied: ProcessLimitsApplied, host: ProcessHost = systemHost): void {
  const proc = spec.process!;
  const uid = proc.user?.uid ?? 0;
  const gid = proc.user?.gid ?? 0;
  const { caps } = applied;
  for (let cap = 0; cap <= applied.lastCap; cap++) {
    if (caps.bounding & (1n << BigInt(cap))) continue;
    const what = `drop ${CAP_NAMES.get(cap) ?? `capability ${cap}`} from the bounding set`;
    prog.call("prctl", [PR_CAPBSET_DROP, cap, 0, 0, 0], { what, ok: "EINVAL" });
  }
  prog.call("prctl", [PR_SET_KEEPCAPS, 1, 0, 0, 0], { what: "set keep-capabilities" });
  if (host.setgroupsAllowed()) {
    const groups = proc.user?.additionalGids ?? [];
    const list = groups.length ? prog.bytes(new Uint8Array(new Uint32Array(groups).buffer)) : 0;
    prog.call("setgroups", [groups.length, list], { what: "set process.user.additionalGids" });
  }
  prog.call("setresgid", [gid, gid, gid], { what: `set gid ${gid}` });
  prog.call("setresuid", [uid, uid, uid], { what: `set uid ${uid}` });
  if (!applied.cwdReached) planEnterCwd(prog, proc.cwd, chdirStep(proc.cwd));
  prog.call("prctl", [PR_SET_KEEPCAPS, 0, 0, 0, 0], { what: "clear keep-capabilities" });
  const sets = { effective: caps.effective, permitted: caps.permitted, inheritable: caps.inheritable };
  prog.call("capset", [prog.bytes(encodeCapHeader(0)), prog.bytes(encodeCapData(sets))], { what: "apply process.capabilities" });
  prog.call("prctl", [PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0], { what: "clear ambient capabilities" });
  for (const cap of bitsOf(caps.ambient)) {
    prog.call("prctl", [PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0], { what: `raise ambient ${CAP_NAMES.get(cap)}` });
  }
  if (proc.noNewPrivileges) prog.call("prctl", [PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0], { what: "set process.noNewPrivileges" });
}

/**
 * A non-root container user must be able to reopen its own stdio (a
 * terminal, /dev/stdout): hand the descriptors to it, as runc does. Not
 * being allowed to (an unmapped owner, a read-only /dev) is no reason to fail.
 */
function giveStdioTo(sys: Syscalls, host: ProcessHost, uid: number, stdio: readonly number[]): void {
  for (const fd of stdio) {
    const owner = host.stdioOwner(fd);
    if (owner === undefined || owner === uid) continue;
    try {
      sys.fchown(fd, uid, -1);
    } catch (e) {
      if (isErrno(e, "EINVAL") || isErrno(e, "EPERM") || isErrno(e, "EROFS")) continue;
      failed(`give stdio descriptor ${fd} to uid ${uid}`, e);
    }
  }
}
