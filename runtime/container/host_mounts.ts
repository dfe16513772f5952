/**
 * A container without a mount namespace makes its mounts in the host's, on a
 * bind of the rootfs onto itself (runtime/rootfs/prepare.ts). runc leaves
 * them all behind; runt records, before the init makes any of them, where
 * they will be and what was there before, and delete (or a failed create)
 * detaches everything stacked on top of that.
 */
import { readFileSync } from "../host_fs.ts";
import { MNT_DETACH } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { type MountInfo, parseMountinfo } from "../mount/mountinfo.ts";
import { canonicalRootfs, hasMountNamespace } from "../rootfs/prepare.ts";
import type { Spec } from "../spec/schema.ts";
import { ContainerSetupError } from "./errors.ts";

export interface HostMounts {
  /** The rootfs, symlinks resolved, as the init mounts on it. */
  rootfs: string;
  /** The mount ID that was topmost at the rootfs before create (another runtime's overlay), 0 for none. */
  below: number;
}

const MOUNTINFO = "/proc/self/mountinfo";
/** More than a container stacks at its rootfs; a bound on the loop should the table not change. */
const MAX_DETACH = 16;

/** What create records for a container whose mounts land in the host's namespace; undefined for others. */
export function hostMountsOf(spec: Spec, rootfs: string): HostMounts | undefined {
  if (hasMountNamespace(spec)) return undefined;
  const path = canonicalRootfs(rootfs);
  return { rootfs: path, below: topmostAt(readTable(), path)?.id ?? 0 };
}

/** Detaches the container's bind of the rootfs, and every mount on it, from the host. */
export function removeHostMounts(sys: Syscalls, m: HostMounts): void {
  for (let i = 0; i < MAX_DETACH; i++) {
    const top = topmostAt(readTable(), m.rootfs);
    if (!top || top.id === m.below) return;
    try {
      sys.umount2(m.rootfs, MNT_DETACH);
    } catch (e) {
      // Gone meanwhile (another delete), or the rootfs itself is gone: nothing of ours is left.
      if (isErrno(e, "EINVAL") || isErrno(e, "ENOENT")) return;
      throw new ContainerSetupError(`unmounting the container's mounts on ${m.rootfs}: ${(e as Error).message}`);
    }
  }
}

function readTable(): MountInfo[] {
  return parseMountinfo(readFileSync(MOUNTINFO, "utf8"));
}

/** The mount visible at `path`: of those mounted there, the one no other is stacked on. */
function topmostAt(table: readonly MountInfo[], path: string): MountInfo | undefined {
  const at = table.filter((m) => m.mountPoint === path);
  return at.find((m) => !at.some((other) => other.parentId === m.id));
}
