import type { Syscalls } from "../../ffi/syscalls.ts";
import type { ParsedMountOptions } from "../mount/options.ts";
import type { Mount } from "../spec/schema.ts";
import type { ProcAccess } from "./proc.ts";

/** What every mount step needs to know about the container being built. */
export interface MountContext {
  sys: Syscalls;
  /** Absolute host path of the root filesystem, symlinks resolved. */
  rootfs: string;
  /** Relative bind-mount sources are taken from here. */
  bundle?: string;
  proc: ProcAccess;
  /** The container has a cgroup namespace of its own. */
  cgroupns: boolean;
}

/** A mount after option parsing, with its destination as a host path. */
export interface PlannedMount {
  mount: Mount;
  /** "bind" for any bind mount, else the filesystem type. */
  kind: string;
  options: ParsedMountOptions;
  /** The destination inside the rootfs, as a host path. */
  dest: string;
  /** How errors name this mount: `mount "proc" on "/proc"`. */
  subject: string;
}
