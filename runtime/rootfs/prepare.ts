/**
 * Everything runc's prepareRootfs does before the root is switched, run by
 * the container init inside its new mount namespace: mount propagation that
 * keeps the container's mounts from reaching the host, the rootfs as a mount
 * of its own, `mounts[]` in order, then /dev.
 */
import { realpathSync } from "../host_fs.ts";
import { dirname } from "../path.ts";
import { O_CLOEXEC, O_DIRECTORY, O_PATH } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { MS, parseMountOptions } from "../mount/options.ts";
import type { Spec } from "../spec/schema.ts";
import type { MountContext } from "./context.ts";
import { procFd } from "../mount/inroot.ts";
import { devicesToCreate, needsDevSetup, populateDev } from "./devices.ts";
import { attempt, failure, q } from "./errors.ts";
import { mountToRootfs } from "./mounts.ts";
import { KCORE, liveProc, type ProcAccess } from "./proc.ts";

const DIRECTORY = O_PATH | O_DIRECTORY | O_CLOEXEC;

export function prepareRootfs(
  sys: Syscalls,
  spec: Spec,
  rootfs: string,
  bundle?: string,
  proc: ProcAccess = liveProc,
  /** How the mounts whose kind needs the container's own process or cgroup are made (see MountContext). */
  made: Pick<MountContext, "procPidNamespace" | "idmapped" | "bindSources" | "cgroupDirOf" | "procTrees"> = {},
): void {
  const root = canonicalRootfs(rootfs);
  const propagation = rootPropagationFlags(spec);
  const own = hasMountNamespace(spec);
  if (own) {
    // Nothing mounted from here on may propagate back to the host.
    const rootFlags = propagation || MS.SLAVE | MS.REC;
    attempt(`mount propagation of ${q("/")}`, () => sys.mount(null, "/", null, rootFlags, null));
    makeParentMountUnshared(sys, root, rootFlags);
  }
  attempt(`bind mount of the rootfs ${q(root)}`, () => sys.mount(root, root, null, MS.BIND | MS.REC, null));
  if (!own) {
    // In the host's namespace only the container's own bind is changed: private, so what is mounted
    // on it reaches no peer and goes with it at delete (runc makes the host's "/" a slave instead).
    attempt(`mount propagation of ${q(root)}`, () => sys.mount(null, root, null, MS.PRIVATE | MS.REC, null));
  }

  // Opened after the bind, so every destination is reached on the container's own mount of the rootfs.
  const rootfd = attempt(`open the rootfs ${q(root)}`, () => sys.open(root, DIRECTORY));
  try {
    const ctx: MountContext = {
      sys,
      rootfs: root,
      rootfd,
      bundle,
      proc,
      cgroupns: (spec.linux?.namespaces ?? []).some((ns) => ns.type === "cgroup"),
      ...made,
    };
    for (const m of spec.mounts ?? []) mountToRootfs(ctx, m);

    if (needsDevSetup(spec)) {
      populateDev(ctx, devicesToCreate(spec), proc.exists(KCORE));
    }
  } finally {
    sys.close(rootfd);
  }
}

/**
 * Whether the container has a mount namespace of its own. Without one (the
 * spec lets it share the runtime's), its mounts are made in the host's
 * namespace, on a bind of the rootfs that delete removes.
 */
export function hasMountNamespace(spec: Spec): boolean {
  return (spec.linux?.namespaces ?? []).some((ns) => ns.type === "mount");
}

/** mount(2) flags for `linux.rootfsPropagation` ("slave" → MS_SLAVE), 0 when unset. */
export function rootPropagationFlags(spec: Spec): number {
  const value = spec.linux?.rootfsPropagation;
  return value ? parseMountOptions([value]).propagation[0] ?? 0 : 0;
}

/**
 * The absolute rootfs path with symlinks resolved, so it compares equal to
 * the mount points the kernel reports.
 */
export function canonicalRootfs(rootfs: string): string {
  try {
    return realpathSync(rootfs);
  } catch {
    return rootfs;
  }
}

/**
 * pivot_root(2) refuses a new root whose parent mount is shared, and a bind
 * under a shared parent would show up in the host's namespace. The parent is
 * the nearest mount point at or above the rootfs; mount(2) says EINVAL for a
 * directory that is not one, so walk up until it accepts. The walk goes by
 * descriptor (each step the ".." of the one before, changed through
 * /proc/thread-self/fd), so the rootfs is looked up once and no path is
 * walked again by name. After a slave propagation of "/" (the default
 * rslave) it stays a slave, so the rootfs still receives the host's later
 * mounts beneath it, as under runc, which makes the parent private only
 * where it is still shared.
 */
function makeParentMountUnshared(sys: Syscalls, rootfs: string, propagation: number): void {
  const flags = propagation & MS.SLAVE ? MS.SLAVE : MS.PRIVATE;
  let path = rootfs;
  let fd = attempt(`mount propagation of ${q(path)}`, () => sys.open(path, DIRECTORY));
  try {
    for (;;) {
      try {
        sys.mount(null, procFd(fd), null, flags, null);
        return;
      } catch (e) {
        if (!isErrno(e, "EINVAL") || path === "/") throw failure(`mount propagation of ${q(path)}`, e);
      }
      const parent = dirname(path);
      const up = attempt(`mount propagation of ${q(parent)}`, () => sys.openat(fd, "..", DIRECTORY));
      sys.close(fd);
      fd = up;
      path = parent;
    }
  } finally {
    sys.close(fd);
  }
}
