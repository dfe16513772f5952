import type { Syscalls } from "../../ffi/syscalls.ts";
import type { ParsedMountOptions } from "../mount/options.ts";
import type { Mount } from "../spec/schema.ts";
import type { ProcAccess } from "./proc.ts";

/** What every mount step needs to know about the container being built. */
export interface MountContext {
  sys: Syscalls;
  /** Absolute host path of the root filesystem, symlinks resolved. */
  rootfs: string;
  /** The rootfs opened (O_PATH) after its bind mount: every destination is resolved from it. */
  rootfd: number;
  /** Relative bind-mount sources are taken from here. */
  bundle?: string;
  proc: ProcAccess;
  /** The container has a cgroup namespace of its own. */
  cgroupns: boolean;
  /** The PID namespace a proc mount is for, when it is not the mounting process's own (procfs `pidns=`). */
  procPidNamespace?: string;
  /** Idmapped mounts' detached trees, made by runt (runtime/container/idmapped_mounts.ts), by mounts[] entry. */
  idmapped?: Map<Mount, number>;
  /** Bind sources runt opened for an init in a user namespace (runtime/container/bind_sources.ts), by mounts[] entry. */
  bindSources?: Map<Mount, number>;
  /**
   * The directory of the container's cgroup in a v1 hierarchy, by controller
   * ("cpu", "name=systemd"), when the container's process may still be on its
   * way there: a cgroup mount binds these, not the ones its /proc/PID/cgroup
   * names yet (runtime/container/build.ts).
   */
  cgroupDirOf?: (controller: string) => string | undefined;
  /** proc mounts made for the container's PID namespace by its own process, detached, by mounts[] entry (runtime/container/build.ts). */
  procTrees?: Map<Mount, number>;
}

/** A mount after option parsing. */
export interface PlannedMount {
  mount: Mount;
  /** "bind" for any bind mount, else the filesystem type. */
  kind: string;
  options: ParsedMountOptions;
  /** The destination as the container sees it, resolved inside the rootfs when opened. */
  dest: string;
  /** How errors name this mount: `mount "proc" on "/proc"`. */
  subject: string;
}
