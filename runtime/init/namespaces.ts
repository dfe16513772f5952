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
import { writeFileSync } from "node:fs";
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

/** setns into the namespace at `path`, naming it when that fails. */
export function joinNamespace(sys: Syscalls, ns: { type: string; path?: string }): void {
  let fd: number;
  try {
    fd = sys.open(ns.path!, O_RDONLY | O_CLOEXEC);
  } catch (e) {
    throw new NamespaceError(`${ns.type} namespace ${ns.path}: ${(e as Error).message}`);
  }
  try {
    sys.setns(fd, flagOf(ns.type));
  } catch (e) {
    throw new NamespaceError(`joining ${ns.type} namespace ${ns.path}: ${(e as Error).message}`);
  } finally {
    sys.close(fd);
  }
}

/** In the init: joins the namespaces given by path, then unshares the new ones (runc's order). */
export function enterInitNamespaces(sys: Syscalls, spec: Spec): void {
  const own = namespacesOf(spec).filter((ns) => !PARENT_SIDE.has(ns.type));
  const joined = own.filter((ns) => ns.path !== undefined);
  // setns into a mount namespace refuses a thread sharing its fs_struct with others.
  if (joined.some((ns) => ns.type === "mount")) sys.unshare(CLONE_FS);
  for (const ns of joined) joinNamespace(sys, ns);
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
