/**
 * One `mounts[]` entry onto the rootfs, by kind, the way runc's
 * mountToRootfs does it: the destination is resolved inside the rootfs,
 * created when missing, mounted, then given its propagation.
 */
import { lstatSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { isBind, MS, parseMountOptions } from "../mount/options.ts";
import { secureJoin } from "../mount/securejoin.ts";
import type { Mount } from "../spec/schema.ts";
import { mountCgroup } from "./cgroup.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { applyPropagation, bindMount, bindSource } from "./bind.ts";
import { copyUpTmpfs } from "./copyup.ts";
import { attempt, q, RootfsError } from "./errors.ts";
import { createMountpoint } from "./mountpoint.ts";

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

export function mountKind(m: Mount): string {
  return isBind(m.options, m.type) ? "bind" : m.type ?? "";
}

/** "/dev/" and "dev" are both "/dev". */
export function cleanPath(path: string): string {
  return posix.normalize("/" + path).replace(/\/+$/, "") || "/";
}

export function mountToRootfs(ctx: MountContext, m: Mount): void {
  const kind = mountKind(m);
  const subject = `mount ${q(kind || "none")} on ${q(m.destination)}`;
  const options = parseMountOptions(m.options);
  if (kind === "proc" || kind === "sysfs") {
    return mountProcOrSys(ctx, { mount: m, kind, options, subject, dest: procOrSysDest(ctx, m, kind, subject) });
  }
  const dest = attempt(subject, () => secureJoin(ctx.rootfs, m.destination));
  if (dest === ctx.rootfs) throw new RootfsError(`${subject}: cannot mount over the container's root`);
  checkProcMount(ctx.rootfs, dest, kind, subject);
  const planned = { mount: m, kind, options, subject, dest };
  switch (kind) {
    case "bind":
      if (!m.source) throw new RootfsError(`${subject}: a bind mount needs a source`);
      return bindMount(ctx, bindSource(m.source, ctx.bundle), planned);
    case "tmpfs":
      return mountTmpfs(ctx, planned);
    case "cgroup":
      return mountCgroup(ctx, planned);
    default:
      return mountFilesystem(ctx, planned);
  }
}

/**
 * proc and sysfs go exactly where the spec says, without following
 * symlinks: a rootfs whose /proc is a link must not get the kernel's
 * files mounted somewhere else.
 */
function procOrSysDest(ctx: MountContext, m: Mount, kind: string, subject: string): string {
  const clean = cleanPath(m.destination);
  if (clean === "/") throw new RootfsError(`${subject}: cannot mount over the container's root`);
  const plain = join(ctx.rootfs, clean);
  const resolved = attempt(subject, () => secureJoin(ctx.rootfs, m.destination));
  let isDirectory = true;
  try {
    isDirectory = lstatSync(plain).isDirectory();
  } catch { /* created below */ }
  if (plain !== resolved || !isDirectory) {
    throw new RootfsError(`${subject}: ${kind} must be mounted on an ordinary directory, reached without symlinks`);
  }
  return plain;
}

function mountProcOrSys(ctx: MountContext, p: PlannedMount): void {
  checkProcMount(ctx.rootfs, p.dest, p.kind, p.subject);
  attempt(`${p.subject}: create mount point`, () => createMountpoint(p.dest, true));
  attempt(
    p.subject,
    () => ctx.sys.mount(p.mount.source ?? null, p.dest, p.kind, p.options.flags, p.options.data || null),
  );
  applyPropagation(ctx, p);
}

/**
 * Nothing but a fresh proc goes onto /proc, and nothing inside it except the
 * files lxcfs emulates: covering /proc/self/attr and the like would defeat
 * the protections they carry.
 */
function checkProcMount(rootfs: string, dest: string, kind: string, subject: string): void {
  const proc = `${rootfs}/proc`;
  if (dest === proc) {
    if (kind === "proc" || kind === "bind") return;
    throw new RootfsError(`${subject}: only a proc filesystem can be mounted on /proc`);
  }
  if (!dest.startsWith(`${proc}/`)) return;
  if (PROC_MOUNT_EXCEPTIONS.includes(dest.slice(rootfs.length))) return;
  throw new RootfsError(`${subject}: mounts inside /proc are not allowed`);
}

/**
 * A tmpfs keeps the mode of the directory it covers unless the options say
 * otherwise, and is mounted writable even when it is to be read-only:
 * /dev is filled with devices first, and finalizeRootfs makes it read-only.
 */
function mountTmpfs(ctx: MountContext, p: PlannedMount): void {
  let existingMode: number | undefined;
  try {
    const stat = statSync(p.dest);
    if (stat.isDirectory()) existingMode = stat.mode & 0o7777;
  } catch { /* created below */ }
  attempt(`${p.subject}: create mount point`, () => createMountpoint(p.dest, true));
  const data = [
    ...(existingMode === undefined ? [] : [`mode=${existingMode.toString(8).padStart(4, "0")}`]),
    ...(p.options.data ? [p.options.data] : []),
  ].join(",");
  const flags = p.options.flags & ~MS.RDONLY;
  if (p.options.tmpcopyup) {
    copyUpTmpfs(ctx, p, flags, data);
  } else {
    attempt(p.subject, () => ctx.sys.mount(p.mount.source ?? null, p.dest, "tmpfs", flags, data || null));
  }
  applyPropagation(ctx, p);
}

/** devpts, mqueue and any other filesystem: a directory, a mount, its propagation. */
function mountFilesystem(ctx: MountContext, p: PlannedMount): void {
  attempt(`${p.subject}: create mount point`, () => createMountpoint(p.dest, true));
  let flags = p.options.flags;
  // As with tmpfs: a read-only /dev is made so only after the devices are in it.
  if (cleanPath(p.mount.destination) === "/dev") flags &= ~MS.RDONLY;
  attempt(
    p.subject,
    () => ctx.sys.mount(p.mount.source ?? null, p.dest, p.mount.type ?? null, flags, p.options.data || null),
  );
  applyPropagation(ctx, p);
}

/** Whether finalizeRootfs must make this mount read-only (it was mounted writable above). */
export function needsReadonlyRemount(m: Mount): boolean {
  const kind = mountKind(m);
  if (kind === "bind" || kind === "proc" || kind === "sysfs" || kind === "cgroup") return false;
  if ((parseMountOptions(m.options).flags & MS.RDONLY) === 0) return false;
  return kind === "tmpfs" || cleanPath(m.destination) === "/dev";
}
