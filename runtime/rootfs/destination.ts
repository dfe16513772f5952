/**
 * Opening a `mounts[]` destination inside the rootfs and deciding whether
 * it may be mounted on, from what the descriptor points at rather than from
 * the spec's string: a link swapped in between could otherwise pass the
 * check and then lead somewhere the check never saw.
 */
import { statSync } from "../host_fs.ts";
import { isErrno } from "../../ffi/errors.ts";
import { type Create, openInRoot, procFd } from "../mount/inroot.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { failure, RootfsError } from "./errors.ts";
import { holding, openTarget, type Target, targetOf } from "./target.ts";

/** Files under /proc that may be mounted over (what lxcfs provides), as runc allows. */
const PROC_MOUNT_EXCEPTIONS = [
  "/proc/cpuinfo",
  "/proc/diskstats",
  "/proc/meminfo",
  "/proc/stat",
  "/proc/swaps",
  "/proc/uptime",
  "/proc/loadavg",
  "/proc/slabinfo",
  "/proc/sys/kernel/ns_last_pid",
  "/proc/sys/crypto/fips_enabled",
];

/** The destination of `p`, created as `create` when missing, symlinks inside the rootfs followed. */
export function openDestination(ctx: MountContext, p: PlannedMount, create: Create): Target {
  const target = openTarget(ctx, p.subject, p.dest, { create });
  return checked(ctx, target, () => checkProcMount(target.inside, p.kind, p.subject));
}

/**
 * proc and sysfs go exactly where the spec says, without following
 * symlinks: a rootfs whose /proc is a link must not get the kernel's
 * files mounted somewhere else.
 */
export function openProcOrSysDestination(ctx: MountContext, p: PlannedMount): Target {
  const refused = new RootfsError(`${p.subject}: ${p.kind} must be mounted on an ordinary directory, reached without symlinks`);
  let fd: number;
  try {
    fd = openInRoot(ctx.sys, ctx.rootfd, p.dest, { create: "directory", noSymlinks: true });
  } catch (e) {
    throw isErrno(e, "ELOOP") ? refused : failure(`${p.subject}: create mount point`, e);
  }
  const target = targetOf(ctx, fd, p.subject);
  return checked(ctx, target, () => {
    if (!statSync(procFd(target.fd)).isDirectory()) throw refused;
    checkProcMount(target.inside, p.kind, p.subject);
  });
}

/** Runs `check`, closing the target when it throws. */
function checked(ctx: MountContext, target: Target, check: () => void): Target {
  try {
    check();
  } catch (e) {
    holding(ctx, target, () => {});
    throw e;
  }
  return target;
}

/**
 * Nothing but a fresh proc goes onto /proc, and nothing inside it except the
 * files lxcfs emulates: covering /proc/self/attr and the like would defeat
 * the protections they carry.
 */
function checkProcMount(inside: string, kind: string, subject: string): void {
  if (inside === "/proc") {
    if (kind === "proc" || kind === "bind") return;
    throw new RootfsError(`${subject}: only a proc filesystem can be mounted on /proc`);
  }
  if (!inside.startsWith("/proc/")) return;
  if (PROC_MOUNT_EXCEPTIONS.includes(inside)) return;
  throw new RootfsError(`${subject}: mounts inside /proc are not allowed`);
}
