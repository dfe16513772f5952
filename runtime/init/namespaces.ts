/**
 * Which namespaces the parent enters around the spawn of the init, and which
 * the init enters itself. A PID namespace only takes effect for children, so
 * the parent arranges it for the instant of the spawn. The others are
 * entered by the init's main thread, which alone then lives in them — the
 * thread that later sets up the rootfs and calls execve. A new time
 * namespace, too, is only for children, but execve moves the process into
 * it, and leaving one again needs a single-threaded process: so the init,
 * which never needs to leave, unshares it.
 */
import { writeFileSync } from "../host_fs.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { CLONE_FS, CLONE_NEWTIME, NAMESPACE_FLAGS, O_CLOEXEC, O_RDONLY } from "../../ffi/constants.ts";
import type { Spec } from "../spec/schema.ts";
import { RuntError } from "../errors.ts";

type Namespace = NonNullable<NonNullable<Spec["linux"]>["namespaces"]>[number];

export class NamespaceError extends RuntError {}

/** Namespaces that must exist before the init is spawned. */
export const PARENT_SIDE = new Set(["pid"]);

export function namespacesOf(spec: Spec): Namespace[] {
  return spec.linux?.namespaces ?? [];
}

export function flagOf(type: string): number {
  const flag = (NAMESPACE_FLAGS as Record<string, number>)[type];
  if (flag === undefined) throw new NamespaceError(`linux.namespaces: unknown namespace type "${type}"`);
  return flag;
}

/** Opens the namespace file at `path`, naming it when that fails. */
export function openNamespace(sys: Syscalls, ns: { type: string; path?: string }): number {
  try {
    return sys.open(ns.path!, O_RDONLY | O_CLOEXEC);
  } catch (e) {
    throw new NamespaceError(`${ns.type} namespace ${ns.path}: ${(e as Error).message}`);
  }
}

function setnsNamed(sys: Syscalls, fd: number, ns: { type: string; path?: string }): void {
  try {
    sys.setns(fd, flagOf(ns.type));
  } catch (e) {
    throw new NamespaceError(`joining ${ns.type} namespace ${ns.path}: ${(e as Error).message}`);
  }
}

export interface EnterOptions {
  /**
   * `exec`: the PID namespace given by path is opened with the others but
   * not joined; the start-up program enters it, for its children only.
   */
  pidForChildren?: boolean;
  /**
   * `exec`: the user namespace given by path is opened, not joined (a
   * multithreaded process cannot); the start-up program joins it first.
   * In `create` the init was started inside it (runtime/container/user_namespace.ts).
   */
  userForProgram?: boolean;
  /** Types of namespaces a start-up program has joined or made already. */
  enteredAlready?: string[];
}

/**
 * Namespaces given by path that this process opens but cannot enter: the
 * start-up program, single-threaded, enters them.
 */
export interface LeftToProgram {
  /** `exec`: the container's PID namespace. */
  pid?: number;
  /** A time namespace given by path (setns needs a single-threaded process). */
  time?: number;
  /** `exec`: the container's user namespace (setns needs a single-threaded process). */
  user?: number;
}

/**
 * In the init: joins the namespaces given by path, then unshares the new
 * ones (runc's order). Every namespace file is opened before the first
 * setns: once the mount namespace is joined, /proc/PID/ns of the host is
 * out of sight.
 */
export function enterInitNamespaces(sys: Syscalls, spec: Spec, options: EnterOptions = {}): LeftToProgram {
  // Never the user namespace: a single-threaded program enters it, before any other (see EnterOptions).
  const own = namespacesOf(spec).filter((ns) => !PARENT_SIDE.has(ns.type) && ns.type !== "user" && !options.enteredAlready?.includes(ns.type));
  const user = options.userForProgram ? namespacesOf(spec).find((ns) => ns.type === "user" && ns.path !== undefined) : undefined;
  const joined = own.filter((ns) => ns.path !== undefined && ns.type !== "time");
  const pid = options.pidForChildren ? namespacesOf(spec).find((ns) => ns.type === "pid" && ns.path !== undefined) : undefined;
  const time = own.find((ns) => ns.type === "time" && ns.path !== undefined);
  const opened: { ns: Namespace; fd: number }[] = [];
  const left: LeftToProgram = {};
  try {
    for (const ns of joined) opened.push({ ns, fd: openNamespace(sys, ns) });
    if (pid) left.pid = openNamespace(sys, pid);
    if (time) left.time = openNamespace(sys, time);
    if (user) left.user = openNamespace(sys, user);
    // setns into a mount namespace refuses a thread sharing its fs_struct with others.
    if (joined.some((ns) => ns.type === "mount")) sys.unshare(CLONE_FS);
    for (const { ns, fd } of opened) setnsNamed(sys, fd, ns);
  } catch (e) {
    for (const fd of Object.values(left)) sys.close(fd);
    throw e;
  } finally {
    for (const { fd } of opened) sys.close(fd);
  }
  const fresh = own.filter((ns) => ns.path === undefined).reduce((flags, ns) => flags | flagOf(ns.type), 0);
  if (fresh !== 0) {
    try {
      sys.unshare(fresh);
    } catch (e) {
      const names = own.filter((ns) => ns.path === undefined).map((ns) => ns.type).join(", ");
      throw new NamespaceError(`creating namespaces (${names}): ${(e as Error).message}`);
    }
    if (fresh & CLONE_NEWTIME) writeTimeOffsets(spec);
  }
  return left;
}

/** Offsets can only be written while no process lives in the new time namespace: before execve. */
function writeTimeOffsets(spec: Spec): void {
  const offsets = spec.linux?.timeOffsets ?? {};
  const lines = (["monotonic", "boottime"] as const).filter((clock) => offsets[clock])
    .map((clock) => `${clock} ${offsets[clock]!.secs ?? 0} ${offsets[clock]!.nanosecs ?? 0}\n`);
  if (lines.length === 0) return;
  try {
    writeFileSync("/proc/self/timens_offsets", lines.join(""));
  } catch (e) {
    throw new NamespaceError(`linux.timeOffsets: ${(e as Error).message}`);
  }
}

export function createsNetworkNamespace(spec: Spec): boolean {
  return namespacesOf(spec).some((ns) => ns.type === "network" && ns.path === undefined);
}
