/**
 * One `mounts[]` entry onto the rootfs, by kind, the way runc's
 * mountToRootfs does it: the destination is opened inside the rootfs
 * (created when missing), mounted on through that descriptor, then the new
 * mount is given its propagation.
 */
import { statSync } from "../host_fs.ts";
import * as posix from "../path.ts";
import { procFd } from "../mount/inroot.ts";
import { attach, bindOnto } from "../mount/attach.ts";
import { isErrno } from "../../ffi/errors.ts";
import { isBind, MS, parseMountOptions } from "../mount/options.ts";
import type { Mount } from "../spec/schema.ts";
import { mountCgroup } from "./cgroup.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { applyPropagation, bindMount, bindSource } from "./bind.ts";
import { copyUpTmpfs } from "./copyup.ts";
import { attachIdmapped } from "./idmapped.ts";
import { openDestination, openProcOrSysDestination } from "./destination.ts";
import { attempt, q, RootfsError } from "./errors.ts";
import { mountNewOrBind } from "./fallback.ts";
import { holding, mountAt, mountOnto, type Target } from "./target.ts";

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
  if (cleanPath(m.destination) === "/") throw new RootfsError(`${subject}: cannot mount over the container's root`);
  const planned = { mount: m, kind, options: parseMountOptions(m.options), subject, dest: m.destination };
  switch (kind) {
    case "proc":
      if (ctx.procTrees?.has(m)) return attachTree(ctx, ctx.procTrees.get(m)!, planned);
      return mountFilesystem(ctx, planned, openProcOrSysDestination(ctx, planned));
    case "sysfs":
      return mountSysfs(ctx, planned);
    case "bind":
      if (!m.source) throw new RootfsError(`${subject}: a bind mount needs a source`);
      if (ctx.idmapped?.has(m)) return attachIdmapped(ctx, ctx.idmapped.get(m)!, planned);
      return bindMount(ctx, bindSource(m.source, ctx.bundle), planned, ctx.bindSources?.get(m));
    case "tmpfs":
      return mountTmpfs(ctx, planned);
    case "cgroup":
      return mountCgroup(ctx, planned);
    default:
      return mountFilesystem(ctx, planned, openDestination(ctx, planned, "directory"));
  }
}

/**
 * A tmpfs keeps the mode of the directory it covers unless the options say
 * otherwise, and is mounted writable even when it is to be read-only:
 * /dev is filled with devices first, and finalizeRootfs makes it read-only.
 */
function mountTmpfs(ctx: MountContext, p: PlannedMount): void {
  const target = openDestination(ctx, p, "directory");
  holding(ctx, target, () => {
    // A directory made just now has no mode of its own to pass on, as with runc.
    const stat = target.created ? undefined : attempt(p.subject, () => statSync(procFd(target.fd)));
    const existingMode = stat?.isDirectory() ? stat.mode & 0o7777 : undefined;
    const data = [
      ...(existingMode === undefined ? [] : [`mode=${existingMode.toString(8).padStart(4, "0")}`]),
      ...(p.options.data ? [p.options.data] : []),
    ].join(",");
    const flags = p.options.flags & ~MS.RDONLY;
    mountAt(ctx, target, p.subject, (dest) => {
      if (p.options.tmpcopyup) copyUpTmpfs(ctx, p, target.fd, dest, flags, data);
      else attempt(p.subject, () => ctx.sys.mount(p.mount.source ?? null, dest, "tmpfs", flags, data || null));
    }, (mounted) => applyPropagation(ctx, p, mounted));
  });
}

/**
 * In a user namespace without a network namespace of its own the kernel
 * refuses a new sysfs (EPERM): the host's /sys, bound recursively with the
 * entry's flags, is what runc (1.2 on) mounts instead.
 */
function mountSysfs(ctx: MountContext, p: PlannedMount): void {
  const flags = p.options.flags | MS.BIND | MS.REC;
  mountNewOrBind(ctx, p, openProcOrSysDestination(ctx, p), "sysfs", { refusals: ["EPERM"], host: "/sys", flags });
}

/** proc, sysfs, devpts, mqueue and any other filesystem: a mount on the opened directory, its propagation. */
function mountFilesystem(ctx: MountContext, p: PlannedMount, target: Target): void {
  let flags = p.options.flags;
  // As with tmpfs: a read-only /dev is made so only after the devices are in it.
  if (cleanPath(p.mount.destination) === "/dev" && p.kind !== "proc" && p.kind !== "sysfs") flags &= ~MS.RDONLY;
  const options = [p.options.data, p.kind === "proc" && ctx.procPidNamespace ? `pidns=${ctx.procPidNamespace}` : ""];
  const data = options.filter((o) => o).join(",");
  mountOnto(
    ctx,
    target,
    p.subject,
    (dest) => attempt(p.subject, () => ctx.sys.mount(p.mount.source ?? null, dest, p.mount.type ?? null, flags, data || null)),
    (mounted) => applyPropagation(ctx, p, mounted),
  );
}

/**
 * A filesystem mounted already, detached (its options and flags set), onto
 * the opened destination: a copy made now, so its mount ID, and its place
 * in the mount table (ordered by ID since Linux 6.8), come after the mounts
 * before it, as runc's do. Kernels before 6.15 or so cannot copy a detached
 * mount (EINVAL); there it is attached itself, and their table keeps the
 * order mounts were attached in.
 */
function attachTree(ctx: MountContext, tree: number, p: PlannedMount): void {
  const target = openProcOrSysDestination(ctx, p);
  const place = () => {
    try {
      bindOnto(ctx.sys, tree, target.fd);
    } catch (e) {
      if (!isErrno(e, "EINVAL")) throw e;
      attach(ctx.sys, tree, target.fd);
    }
  };
  mountOnto(ctx, target, p.subject, () => attempt(p.subject, place), (mounted) => applyPropagation(ctx, p, mounted));
}

/** Whether finalizeRootfs must make this mount read-only (it was mounted writable above). */
export function needsReadonlyRemount(m: Mount): boolean {
  const kind = mountKind(m);
  if (kind === "bind" || kind === "proc" || kind === "sysfs" || kind === "cgroup") return false;
  if ((parseMountOptions(m.options).flags & MS.RDONLY) === 0) return false;
  return kind === "tmpfs" || cleanPath(m.destination) === "/dev";
}
