/**
 * The container's root filesystem, built by the container init inside its
 * new mount namespace, in three calls:
 *
 *   prepareRootfs  — mounts and /dev, still seeing the host (createContainer hooks run after it)
 *   enterRootfs    — pivot_root (or MS_MOVE + chroot) into it
 *   finalizeRootfs — read-only and masked paths, sysctls, hostname
 *
 * Every step goes through the Syscalls interface and synchronous node:fs
 * calls, which run on the calling thread, the only one in the namespace.
 */
export { prepareRootfs } from "./prepare.ts";
export { enterRootfs } from "./enter.ts";
export { finalizeRootfs } from "./finalize.ts";
export { RootfsError } from "./errors.ts";
export { liveProc, type ProcAccess } from "./proc.ts";
export { findMount, type MountInfo, parseMountinfo } from "../mount/mountinfo.ts";
