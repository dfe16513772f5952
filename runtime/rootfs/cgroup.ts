/**
 * The `cgroup` mount type, as runc does it. On a cgroup v2 host the cgroup2
 * filesystem is mounted directly. On a v1 (or hybrid) host /sys/fs/cgroup
 * becomes a tmpfs with one entry per v1 hierarchy: with a cgroup namespace a
 * fresh cgroup mount of it, without one a read-only bind of the container's
 * own cgroup directory, so the container cannot see or touch its siblings.
 */
import { mkdirSync, symlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { isErrno } from "../../ffi/errors.ts";
import { MS } from "../mount/options.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { attempt, errorCode, failure, q } from "./errors.ts";
import { findMount, type MountInfo, parseMountinfo } from "../mount/mountinfo.ts";
import { createMountpoint } from "./mountpoint.ts";
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
  attempt(`${p.subject}: create mount point`, () => createMountpoint(p.dest, true));
  try {
    ctx.sys.mount(p.mount.source ?? null, p.dest, "cgroup2", p.options.flags, p.options.data || null);
  } catch (e) {
    // Without a cgroup namespace of its own a process may be refused a new cgroup2 mount; the host's will do.
    if (isErrno(e, "EPERM") || isErrno(e, "EBUSY")) {
      const options = { ...p.options, flags: p.options.flags | MS.BIND, recursive: { set: 0, clear: 0 } };
      return bindMount(ctx, HOST_CGROUP_ROOT, { ...p, kind: "bind", options });
    }
    throw failure(p.subject, e);
  }
  applyPropagation(ctx, p);
}

function mountCgroup1(ctx: MountContext, p: PlannedMount, table: MountInfo[]): void {
  const { sys } = ctx;
  const own = attempt(`${p.subject}: read ${SELF_CGROUP}`, () => ctx.proc.read(SELF_CGROUP));
  const hierarchies = cgroupHierarchies(table, own, ctx.rootfs);
  attempt(`${p.subject}: create mount point`, () => createMountpoint(p.dest, true));
  attempt(p.subject, () => sys.mount("tmpfs", p.dest, "tmpfs", TMPFS_FLAGS, "mode=755"));
  applyPropagation(ctx, p);
  const readonly = p.options.flags & MS.RDONLY;
  for (const h of hierarchies) {
    const name = basename(h.mountPoint);
    const dest = join(p.dest, name);
    const subject = `mount ${q("cgroup")} on ${q(join(p.mount.destination, name))}`;
    if (ctx.cgroupns) {
      attempt(`${subject}: create mount point`, () => mkdirSync(dest, { recursive: true, mode: 0o755 }));
      const source = h.subsystems.includes("name=systemd") ? "systemd" : "cgroup";
      attempt(subject, () => sys.mount(source, dest, "cgroup", TMPFS_FLAGS | readonly, h.subsystems.join(",")));
    } else {
      const options = { ...p.options, flags: MS.BIND | MS.REC | p.options.flags, recursive: { set: 0, clear: 0 } };
      bindMount(ctx, h.source, { mount: p.mount, kind: "bind", options, dest, subject });
    }
  }
  // A hierarchy of several controllers ("cpu,cpuacct") is also reachable under each controller's name.
  for (const h of hierarchies) {
    const name = basename(h.mountPoint);
    if (!name.includes(",")) continue;
    for (const controller of name.split(",")) {
      attempt(`${p.subject}: symlink ${q(controller)}`, () => {
        try {
          symlinkSync(name, join(p.dest, controller));
        } catch (e) {
          if (errorCode(e) !== "EEXIST") throw e;
        }
      });
    }
  }
  // runc 1.1 leaves the tmpfs itself writable: only the hierarchies in it are read-only.
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
 */
export function cgroupHierarchies(table: readonly MountInfo[], selfCgroup: string, rootfs: string): CgroupHierarchy[] {
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
    const inside = relativeCgroup(m.root, own);
    if (inside === undefined) continue;
    seen.add(key);
    hierarchies.push({
      mountPoint: m.mountPoint,
      subsystems,
      source: inside === "/" ? m.mountPoint : m.mountPoint + inside,
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
