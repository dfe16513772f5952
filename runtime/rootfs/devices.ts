/**
 * /dev inside the container, after the mounts: the device nodes every
 * container gets plus `linux.devices`, then the /dev/ptmx and /proc/self/fd
 * symlinks, in runc's order (createDevices, setupPtmx, setupDevSymlinks).
 */
import { symlinkSync, unlinkSync } from "../host_fs.ts";
import { basename, dirname, join } from "../path.ts";
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW, S_IFBLK, S_IFCHR, S_IFIFO } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { makedev } from "../../ffi/syscalls.ts";
import { type OpenInRootOptions, procFd } from "../mount/inroot.ts";
import { MS } from "../mount/options.ts";
import type { LinuxDevice, Spec } from "../spec/schema.ts";
import { attempt, errorCode, failure, q } from "./errors.ts";
import type { MountContext } from "./context.ts";
import { cleanPath, mountKind } from "./mounts.ts";
import { mountOnto, openTarget, type Target } from "./target.ts";

/** runc's default devices, in runc's order; the runtime spec requires them in every container. */
export const DEFAULT_DEVICES: readonly LinuxDevice[] = [
  { path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/random", type: "c", major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/full", type: "c", major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/tty", type: "c", major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/zero", type: "c", major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: "/dev/urandom", type: "c", major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
];

const TYPE_BITS: Record<string, number> = { c: S_IFCHR, u: S_IFCHR, b: S_IFBLK, p: S_IFIFO };
// What mknod takes beside the type: the permissions, setuid, setgid and sticky.
const PERMISSION_BITS = 0o7777;

/**
 * Whether runt populates /dev. As runc: always, unless /dev is bound from
 * the host, in which case it already has what it should have.
 */
export function needsDevSetup(spec: Spec): boolean {
  return !(spec.mounts ?? []).some((m) => mountKind(m) === "bind" && cleanPath(m.destination) === "/dev");
}

/**
 * The defaults (minus those the spec lists itself: the spec's entry wins)
 * followed by the spec's devices. /dev/ptmx is always the symlink into the
 * container's devpts, so no node is made for it.
 */
export function devicesToCreate(spec: Spec): LinuxDevice[] {
  const listed = spec.linux?.devices ?? [];
  const paths = new Set(listed.map((d) => cleanPath(d.path)));
  return [...DEFAULT_DEVICES.filter((d) => !paths.has(d.path)), ...listed]
    .filter((d) => cleanPath(d.path) !== "/dev/ptmx");
}

/**
 * The nodes (with umask 0, so each gets exactly its fileMode), then the
 * /dev/ptmx link and the others, in runc's order (createDevices, setupPtmx,
 * setupDevSymlinks). Each directory a node or link goes in is opened once,
 * as a descriptor, and everything in it is made by name in that descriptor.
 */
export function populateDev(ctx: MountContext, devices: readonly LinuxDevice[], hasKcore: boolean): void {
  const dirs = new Map<string, Target>();
  try {
    const oldMask = ctx.sys.umask(0);
    try {
      for (const device of devices) createDevice(ctx, device, dirs);
    } finally {
      ctx.sys.umask(oldMask);
    }
    const dev = dirOf(ctx, dirs, "/dev", `symlink ${q("/dev/ptmx")}`, {});
    setupPtmx(procFd(dev.fd));
    setupDevSymlinks(procFd(dev.fd), hasKcore);
  } finally {
    for (const dir of dirs.values()) ctx.sys.close(dir.fd);
  }
}

/** The directory `path` of the container, opened the first time it is asked for and kept in `dirs`. */
function dirOf(ctx: MountContext, dirs: Map<string, Target>, path: string, subject: string, options: OpenInRootOptions): Target {
  let dir = dirs.get(path);
  if (dir === undefined) {
    dir = openTarget(ctx, subject, path, options);
    dirs.set(path, dir);
  }
  return dir;
}

/** The node is made by name in its directory's descriptor, so a link swapped into the path cannot redirect it. */
function createDevice(ctx: MountContext, device: LinuxDevice, dirs: Map<string, Target>): void {
  const { sys } = ctx;
  const subject = `device ${q(device.path)}`;
  const path = cleanPath(device.path);
  const dir = dirOf(ctx, dirs, dirname(path), subject, { create: "directory" });
  const node = `${procFd(dir.fd)}/${basename(path)}`;
  // The type comes from `type` alone, whatever file type bits fileMode carries (podman sends the host node's st_mode).
  const mode = ((device.fileMode ?? 0o666) & PERMISSION_BITS) | TYPE_BITS[device.type];
  try {
    sys.mknod(node, mode, makedev(device.major ?? 0, device.minor ?? 0));
  } catch (e) {
    // Already there (a /dev that is not a fresh tmpfs): kept as it is, as runc does.
    if (isErrno(e, "EEXIST")) return;
    if (!isErrno(e, "EPERM")) throw failure(subject, e);
    // Not allowed to make device nodes: the host's own node, bound in, is the same device.
    const target = openTarget(ctx, subject, path, { create: "file" });
    mountOnto(ctx, target, subject, (dest) => attempt(subject, () => sys.mount(device.path, dest, null, MS.BIND, null)));
    return;
  }
  attempt(`${subject}: chown`, () => sys.fchownat(AT_FDCWD, node, device.uid ?? 0, device.gid ?? 0, AT_SYMLINK_NOFOLLOW));
}

/** /dev/ptmx must be the container's own devpts multiplexer, not the host's; `dev` names the container's /dev by descriptor. */
function setupPtmx(dev: string): void {
  attempt(`symlink ${q("/dev/ptmx")}`, () => {
    const ptmx = join(dev, "ptmx");
    try {
      unlinkSync(ptmx);
    } catch (e) {
      if (errorCode(e) !== "ENOENT") throw e;
    }
    symlinkSync("pts/ptmx", ptmx);
  });
}

/** The /dev/fd, /dev/std* links programs expect; /dev/core only where the kernel has /proc/kcore. */
function setupDevSymlinks(dev: string, hasKcore: boolean): void {
  const links: [target: string, name: string][] = [
    ["/proc/self/fd", "fd"],
    ["/proc/self/fd/0", "stdin"],
    ["/proc/self/fd/1", "stdout"],
    ["/proc/self/fd/2", "stderr"],
  ];
  if (hasKcore) links.push(["/proc/kcore", "core"]);
  for (const [target, name] of links) {
    attempt(`symlink ${q(`/dev/${name}`)}`, () => {
      try {
        symlinkSync(target, join(dev, name));
      } catch (e) {
        if (errorCode(e) !== "EEXIST") throw e;
      }
    });
  }
}
