/**
 * The `cgroup` mount type, as runc does it. On a cgroup v2 host the cgroup2
 * filesystem is mounted directly. On a v1 (or hybrid) host /sys/fs/cgroup
 * becomes a tmpfs with one entry per v1 hierarchy: with a cgroup namespace a
 * fresh cgroup mount of it, without one a read-only bind of the container's
 * own cgroup directory, so the container cannot see or touch its siblings.
 */
import { symlinkSync } from "../host_fs.ts";
import { basename, join } from "../path.ts";
import { MOUNT_ATTR, mountAttrsOf, MS } from "../mount/options.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { attempt, errorCode, failure, q } from "./errors.ts";
import { mountNewOrBind } from "./fallback.ts";
import { findMount, type MountInfo, parseMountinfo } from "../mount/mountinfo.ts";
import { openDestination } from "./destination.ts";
import { makeChild, procFd } from "../mount/inroot.ts";
import { mountOnto, openTarget, type Target } from "./target.ts";
import { applyPropagation, bindMount } from "./bind.ts";
import { attach } from "../mount/attach.ts";
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_RECURSIVE,
  MOUNT_ATTR__ATIME,
  OPEN_TREE_CLOEXEC,
  OPEN_TREE_CLONE,
} from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { MOUNTINFO, SELF_CGROUP } from "./proc.ts";

const HOST_CGROUP_ROOT = "/sys/fs/cgroup";
/** statfs(2) f_type of cgroup2 (linux/magic.h). */
const CGROUP2_SUPER_MAGIC = 0x63677270n;
const TMPFS_FLAGS = MS.NOEXEC | MS.NOSUID | MS.NODEV;
/** What a bind remount sets or clears: a flag the entry does not name is cleared, as mount(2) with MS_REMOUNT does. */
const PER_MOUNT_ATTRS = MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC | MOUNT_ATTR.NODIRATIME;

export function mountCgroup(ctx: MountContext, p: PlannedMount): void {
  // One statfs tells a cgroup v2 host, as runc tells it; only v1's hierarchies need the mount table.
  if (onCgroup2(ctx)) return mountCgroup2(ctx, p);
  const table = parseMountinfo(attempt(`${p.subject}: read ${MOUNTINFO}`, () => ctx.proc.read(MOUNTINFO)));
  if (findMount(table, HOST_CGROUP_ROOT)?.fsType === "cgroup2") return mountCgroup2(ctx, p);
  return mountCgroup1(ctx, p, table);
}

/** Whether the container's mount namespace (runt's thread is in it, its root not yet changed) has cgroup2 at /sys/fs/cgroup. */
function onCgroup2(ctx: MountContext): boolean {
  try {
    return ctx.sys.statfs(HOST_CGROUP_ROOT).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

function mountCgroup2(ctx: MountContext, p: PlannedMount): void {
  // Without a cgroup namespace of its own a process may be refused a new cgroup2 mount; the host's will do.
  const fallback = { refusals: ["EPERM", "EBUSY"], host: HOST_CGROUP_ROOT, flags: p.options.flags | MS.BIND };
  mountNewOrBind(ctx, p, openDestination(ctx, p, "directory"), "cgroup2", fallback);
}

function mountCgroup1(ctx: MountContext, p: PlannedMount, table: MountInfo[]): void {
  const { sys } = ctx;
  const own = attempt(`${p.subject}: read ${SELF_CGROUP}`, () => ctx.proc.read(SELF_CGROUP));
  const hierarchies = cgroupHierarchies(table, own, ctx.rootfs, ctx.cgroupns, ctx.cgroupDirOf);
  const target = openDestination(ctx, p, "directory");
  mountOnto(
    ctx,
    target,
    p.subject,
    (dest) => attempt(p.subject, () => sys.mount("tmpfs", dest, "tmpfs", TMPFS_FLAGS, "mode=755")),
    (tmpfs) => {
      applyPropagation(ctx, p, tmpfs);
      for (const h of hierarchies) mountHierarchy(ctx, p, h, tmpfs);
      linkControllers(hierarchies, procFd(tmpfs.fd), p.subject);
    },
  );
  // runc 1.1 leaves the tmpfs itself writable: only the hierarchies in it are read-only.
}

/** One v1 hierarchy in the container's /sys/fs/cgroup tmpfs: a fresh mount with a cgroup namespace, else a bind. */
function mountHierarchy(ctx: MountContext, p: PlannedMount, h: CgroupHierarchy, tmpfs: Target): void {
  const name = basename(h.mountPoint);
  const dest = join(p.dest, name);
  const subject = `mount ${q("cgroup")} on ${q(join(p.mount.destination, name))}`;
  if (!ctx.cgroupns) {
    if (bindHierarchy(ctx, p.options.flags, h.source, tmpfs, name, subject)) return;
    // A kernel without mount_setattr (before 5.12): a bind by mount(2), then its remount, as runc makes it.
    const options = { ...p.options, flags: MS.BIND | MS.REC | p.options.flags, recursive: { set: 0, clear: 0 } };
    return bindMount(ctx, h.source, { mount: p.mount, kind: "bind", options, dest, subject });
  }
  const source = h.subsystems.includes("name=systemd") ? "systemd" : "cgroup";
  const flags = TMPFS_FLAGS | (p.options.flags & MS.RDONLY);
  const target = openTarget(ctx, subject, dest, { create: "directory" });
  mountOnto(ctx, target, subject, (path) => attempt(subject, () => ctx.sys.mount(source, path, "cgroup", flags, h.subsystems.join(","))));
}

/**
 * The container's own directory of a v1 hierarchy, bound into the tmpfs
 * from descriptor to descriptor: the host's tree is cloned (open_tree),
 * given the entry's flags while still detached (mount_setattr, on the top
 * mount as runc's remount is), and attached to the directory made for it
 * in the tmpfs runt mounted a moment ago and holds open. Nothing is looked
 * up by name inside the container afterwards, so there is no new mount to
 * find again and check, as a bind by mount(2) needs for its remount.
 * False, with nothing made, where the kernel lacks open_tree or
 * mount_setattr (ENOSYS).
 */
function bindHierarchy(ctx: MountContext, flags: number, source: string, tmpfs: Target, name: string, subject: string): boolean {
  const { sys } = ctx;
  const atime = flags & (MS.NOATIME | MS.STRICTATIME | MS.RELATIME) ? MOUNT_ATTR__ATIME : 0;
  const attrs = { attrSet: mountAttrsOf(flags), attrClr: PER_MOUNT_ATTRS | atime };
  let tree: number;
  try {
    tree = sys.openTree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  } catch (e) {
    if (isErrno(e, "ENOSYS")) return false;
    throw failure(`${subject}: source ${q(source)}`, e);
  }
  try {
    // As with a bind by mount(2): an entry with no flags keeps the host's, as no remount follows then.
    if (flags & ~(MS.BIND | MS.REC)) {
      try {
        sys.mountSetattr(tree, "", AT_EMPTY_PATH, attrs);
      } catch (e) {
        if (isErrno(e, "ENOSYS")) return false;
        throw failure(subject, e);
      }
    }
    const dir = attempt(`${subject}: create mount point`, () => makeChild(sys, tmpfs.fd, name, "directory"));
    try {
      attempt(subject, () => attach(sys, tree, dir));
    } finally {
      sys.close(dir);
    }
  } finally {
    sys.close(tree);
  }
  return true;
}

/** A hierarchy of several controllers ("cpu,cpuacct") is also reachable under each controller's name. */
function linkControllers(hierarchies: CgroupHierarchy[], dir: string, subject: string): void {
  for (const h of hierarchies) {
    const name = basename(h.mountPoint);
    if (!name.includes(",")) continue;
    for (const controller of name.split(",")) {
      attempt(`${subject}: symlink ${q(controller)}`, () => {
        try {
          symlinkSync(name, join(dir, controller));
        } catch (e) {
          if (errorCode(e) !== "EEXIST") throw e;
        }
      });
    }
  }
}

export interface CgroupHierarchy {
  /** Where the host mounts it ("/sys/fs/cgroup/cpu,cpuacct"). */
  mountPoint: string;
  /** Its controllers as mount data ("cpu", "cpuacct", "name=systemd"). */
  subsystems: string[];
  /** The host directory of the calling process's own cgroup in it. */
  source: string;
}

/**
 * The v1 hierarchies the host mounts (the first mount of each), with the
 * directory of the calling process's cgroup in each, from the mount table
 * and /proc/self/cgroup. Mounts inside the rootfs are not the host's.
 * `joining` names the directory a process on its way into its cgroup is
 * being moved to in a hierarchy; that one is taken over /proc/self/cgroup's.
 *
 * In a cgroup namespace of its own the process's cgroup is its namespace's
 * root, and the kernel shows the host mounts' roots relative to it ("/.."):
 * no host directory is needed then, since each hierarchy is mounted afresh.
 */
export function cgroupHierarchies(
  table: readonly MountInfo[],
  selfCgroup: string,
  rootfs: string,
  namespaced = false,
  joining: (controller: string) => string | undefined = () => undefined,
): CgroupHierarchy[] {
  const paths = new Map<string, string>();
  for (const line of selfCgroup.split("\n")) {
    const [, controllers, ...rest] = line.split(":");
    if (!controllers) continue;
    for (const c of controllers.split(",")) paths.set(c, rest.join(":"));
  }
  const seen = new Set<string>();
  const hierarchies: CgroupHierarchy[] = [];
  for (const m of table) {
    if (m.fsType !== "cgroup" || m.mountPoint === rootfs || m.mountPoint.startsWith(`${rootfs}/`)) continue;
    const subsystems = m.superOptions.filter((o) => paths.has(o));
    if (subsystems.length === 0) continue;
    const key = [...subsystems].sort().join(",");
    if (seen.has(key)) continue;
    const own = paths.get(subsystems[0])!;
    const target = namespaced ? undefined : joining(subsystems[0]);
    const inside = namespaced ? "/" : relativeCgroup(m.root, own);
    if (inside === undefined && target === undefined) continue;
    seen.add(key);
    hierarchies.push({
      mountPoint: m.mountPoint,
      subsystems,
      source: target ?? (inside === "/" ? m.mountPoint : m.mountPoint + inside),
    });
  }
  return hierarchies;
}

/** `own` as seen below a mount of `root`, or undefined when that mount does not show it. */
function relativeCgroup(root: string, own: string): string | undefined {
  if (root === "/") return own;
  if (own === root) return "/";
  return own.startsWith(`${root}/`) ? own.slice(root.length) : undefined;
}
