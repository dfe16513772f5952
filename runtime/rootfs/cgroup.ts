/**
 * The `cgroup` mount type, as runc does it. On a cgroup v2 host the cgroup2
 * filesystem is mounted directly. On a v1 (or hybrid) host /sys/fs/cgroup
 * becomes a tmpfs with one entry per v1 hierarchy: with a cgroup namespace a
 * fresh cgroup mount of it, without one a read-only bind of the container's
 * own cgroup directory, so the container cannot see or touch its siblings.
 */
import { symlinkSync } from "../host_fs.ts";
import { basename, join } from "../path.ts";
import { MS } from "../mount/options.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { attempt, errorCode, q } from "./errors.ts";
import { mountNewOrBind } from "./fallback.ts";
import { findMount, type MountInfo, parseMountinfo } from "../mount/mountinfo.ts";
import { openDestination } from "./destination.ts";
import { procFd } from "../mount/inroot.ts";
import { mountOnto, openTarget } from "./target.ts";
import { applyPropagation, bindMount } from "./bind.ts";
import { MOUNTINFO, SELF_CGROUP } from "./proc.ts";

const HOST_CGROUP_ROOT = "/sys/fs/cgroup";
const TMPFS_FLAGS = MS.NOEXEC | MS.NOSUID | MS.NODEV;

export function mountCgroup(ctx: MountContext, p: PlannedMount): void {
  const table = parseMountinfo(attempt(`${p.subject}: read ${MOUNTINFO}`, () => ctx.proc.read(MOUNTINFO)));
  if (findMount(table, HOST_CGROUP_ROOT)?.fsType === "cgroup2") return mountCgroup2(ctx, p);
  return mountCgroup1(ctx, p, table);
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
      for (const h of hierarchies) mountHierarchy(ctx, p, h);
      linkControllers(hierarchies, procFd(tmpfs.fd), p.subject);
    },
  );
  // runc 1.1 leaves the tmpfs itself writable: only the hierarchies in it are read-only.
}

/** One v1 hierarchy in the container's /sys/fs/cgroup tmpfs: a fresh mount with a cgroup namespace, else a bind. */
function mountHierarchy(ctx: MountContext, p: PlannedMount, h: CgroupHierarchy): void {
  const name = basename(h.mountPoint);
  const dest = join(p.dest, name);
  const subject = `mount ${q("cgroup")} on ${q(join(p.mount.destination, name))}`;
  if (!ctx.cgroupns) {
    const options = { ...p.options, flags: MS.BIND | MS.REC | p.options.flags, recursive: { set: 0, clear: 0 } };
    return bindMount(ctx, h.source, { mount: p.mount, kind: "bind", options, dest, subject });
  }
  const source = h.subsystems.includes("name=systemd") ? "systemd" : "cgroup";
  const flags = TMPFS_FLAGS | (p.options.flags & MS.RDONLY);
  const target = openTarget(ctx, subject, dest, { create: "directory" });
  mountOnto(ctx, target, subject, (path) => attempt(subject, () => ctx.sys.mount(source, path, "cgroup", flags, h.subsystems.join(","))));
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
