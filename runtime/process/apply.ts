/**
 * Everything between "the root filesystem is ready" and execve, in runc's
 * order: limits first (raising a hard limit needs capabilities dropped
 * later), the bounding set before the user switch, KEEPCAPS across
 * setresuid so the switch does not wipe the permitted set, then the final
 * capability sets. Credentials set through glibc apply to every thread;
 * capabilities and no_new_privs apply to the calling thread, which is the
 * one that calls execve.
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
import { bitsOf, capabilityMasks } from "./capabilities.ts";
import { ProcessError } from "./errors.ts";
import { type ProcessHost, systemHost } from "./host.ts";
import { quote } from "../quote.ts";

export interface ApplyProcessOptions {
  /** Answers about the running system (cap_last_cap, setgroups, stdio owners). */
  host?: ProcessHost;
  /** Receives one line per thing skipped rather than failed. */
  warn?: (line: string) => void;
}

/** runc's default when process.user.umask is not given. */
export const DEFAULT_UMASK = 0o022;

const CAP_NAMES = new Map(Object.entries(CAPABILITIES).map(([name, bit]) => [bit, name]));

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

export function applyProcess(sys: Syscalls, spec: Spec, options: ApplyProcessOptions = {}): void {
  const host = options.host ?? systemHost;
  const warn = options.warn ?? (() => {});
  const proc = spec.process;
  if (!proc) throw new ProcessError("process: required to start a container");
  const uid = proc.user?.uid ?? 0;
  const gid = proc.user?.gid ?? 0;

  for (const rl of proc.rlimits ?? []) {
    const resource = (RLIMITS as Record<string, number>)[rl.type];
    if (resource === undefined) throw new ProcessError(`process.rlimits: unknown limit ${quote(rl.type)}`);
    step(`set ${rl.type}`, () => sys.prlimit(0, resource, { soft: rlimitValue(rl.soft), hard: rlimitValue(rl.hard) }));
  }

  if (proc.oomScoreAdj !== undefined) {
    step("set process.oomScoreAdj", () => {
      const fd = sys.open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
      try {
        sys.write(fd, String(proc.oomScoreAdj));
      } finally {
        sys.close(fd);
      }
    });
  }

  sys.umask(proc.user?.umask ?? DEFAULT_UMASK);

  // As root first: the directory may be reachable only by the runtime's user.
  // Only a permission error is retried, as the container user: it may be
  // the only one allowed in (a volume chowned to it, root squashed).
  const chdirStep = `chdir to process.cwd ${quote(proc.cwd)}`;
  let chdirLater = false;
  try {
    sys.chdir(proc.cwd);
  } catch (e) {
    if (!isErrno(e, "EACCES") && !isErrno(e, "EPERM")) failed(chdirStep, e);
    chdirLater = true;
  }

  const lastCap = host.lastCap();
  const caps = capabilityMasks(proc.capabilities, lastCap);
  if (caps.unavailable.length) {
    warn(`ignoring capabilities this kernel does not support: ${caps.unavailable.join(", ")}`);
  }
  for (let cap = 0; cap <= lastCap; cap++) {
    if (caps.bounding & (1n << BigInt(cap))) continue;
    try {
      sys.prctl(PR_CAPBSET_DROP, cap);
    } catch (e) {
      if (isErrno(e, "EINVAL")) continue;
      failed(`drop ${CAP_NAMES.get(cap) ?? `capability ${cap}`} from the bounding set`, e);
    }
  }

  step("set keep-capabilities", () => sys.prctl(PR_SET_KEEPCAPS, 1));
  giveStdioTo(sys, host, uid);

  const groups = proc.user?.additionalGids ?? [];
  if (host.setgroupsAllowed()) {
    step("set process.user.additionalGids", () => sys.setgroups(groups));
  } else if (groups.length) {
    throw new ProcessError("process.user.additionalGids: this user namespace denies setgroups");
  }
  step(`set gid ${gid}`, () => sys.setresgid(gid, gid, gid));
  step(`set uid ${uid}`, () => sys.setresuid(uid, uid, uid));
  if (chdirLater) step(chdirStep, () => sys.chdir(proc.cwd));
  step("clear keep-capabilities", () => sys.prctl(PR_SET_KEEPCAPS, 0));

  step("apply process.capabilities", () =>
    sys.capset({ effective: caps.effective, permitted: caps.permitted, inheritable: caps.inheritable }));
  step("clear ambient capabilities", () => sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL));
  for (const cap of bitsOf(caps.ambient)) {
    step(`raise ambient ${CAP_NAMES.get(cap)}`, () => sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap));
  }

  if (proc.noNewPrivileges) step("set process.noNewPrivileges", () => sys.prctl(PR_SET_NO_NEW_PRIVS, 1));
}

/**
 * A non-root container user must be able to reopen its own stdio (a
 * terminal, /dev/stdout): hand the descriptors to it, as runc does. Not
 * being allowed to (an unmapped owner, a read-only /dev) is no reason to fail.
 */
function giveStdioTo(sys: Syscalls, host: ProcessHost, uid: number): void {
  for (const fd of [0, 1, 2]) {
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
