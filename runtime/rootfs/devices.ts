/**
 * /dev inside the container, after the mounts: the device nodes every
 * container gets plus `linux.devices`, then the /dev/ptmx and /proc/self/fd
 * symlinks, in runc's order (createDevices, setupPtmx, setupDevSymlinks).
 */
import { lchownSync, mkdirSync, symlinkSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { S_IFBLK, S_IFCHR, S_IFIFO, S_IFMT } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { makedev, type Syscalls } from "../../ffi/syscalls.ts";
import { MS } from "../mount/options.ts";
import { secureJoin } from "../mount/securejoin.ts";
import type { LinuxDevice, Spec } from "../spec/schema.ts";
import { attempt, errorCode, failure, q } from "./errors.ts";
import { cleanPath, mountKind } from "./mounts.ts";
import { createMountpoint } from "./mountpoint.ts";

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

/** Makes the nodes with umask 0, so each gets exactly its fileMode. */
export function createDevices(sys: Syscalls, rootfs: string, devices: readonly LinuxDevice[]): void {
  const oldMask = sys.umask(0);
  try {
    for (const device of devices) createDevice(sys, rootfs, device);
  } finally {
    sys.umask(oldMask);
  }
}

function createDevice(sys: Syscalls, rootfs: string, device: LinuxDevice): void {
  const subject = `device ${q(device.path)}`;
  const dest = attempt(subject, () => secureJoin(rootfs, device.path));
  attempt(subject, () => mkdirSync(dirname(dest), { recursive: true, mode: 0o755 }));
  // The type comes from `type` alone, whatever file type bits fileMode carries.
  const mode = ((device.fileMode ?? 0o666) & ~S_IFMT) | TYPE_BITS[device.type];
  try {
    sys.mknod(dest, mode, makedev(device.major ?? 0, device.minor ?? 0));
  } catch (e) {
    // Already there (a /dev that is not a fresh tmpfs): kept as it is, as runc does.
    if (isErrno(e, "EEXIST")) return;
    if (!isErrno(e, "EPERM")) throw failure(subject, e);
    // Not allowed to make device nodes: the host's own node, bound in, is the same device.
    attempt(`${subject}: create mount point`, () => createMountpoint(dest, false));
    attempt(subject, () => sys.mount(device.path, dest, null, MS.BIND, null));
    return;
  }
  attempt(`${subject}: chown`, () => lchownSync(dest, device.uid ?? 0, device.gid ?? 0));
}

/** /dev/ptmx must be the container's own devpts multiplexer, not the host's. */
export function setupPtmx(rootfs: string): void {
  const ptmx = join(devDir(rootfs), "ptmx");
  attempt(`symlink ${q("/dev/ptmx")}`, () => {
    try {
      unlinkSync(ptmx);
    } catch (e) {
      if (errorCode(e) !== "ENOENT") throw e;
    }
    symlinkSync("pts/ptmx", ptmx);
  });
}

/** The /dev/fd, /dev/std* links programs expect; /dev/core only where the kernel has /proc/kcore. */
export function setupDevSymlinks(rootfs: string, hasKcore: boolean): void {
  const links: [target: string, name: string][] = [
    ["/proc/self/fd", "fd"],
    ["/proc/self/fd/0", "stdin"],
    ["/proc/self/fd/1", "stdout"],
    ["/proc/self/fd/2", "stderr"],
  ];
  if (hasKcore) links.push(["/proc/kcore", "core"]);
  const dir = devDir(rootfs);
  for (const [target, name] of links) {
    attempt(`symlink ${q(`/dev/${name}`)}`, () => {
      try {
        symlinkSync(target, join(dir, name));
      } catch (e) {
        if (errorCode(e) !== "EEXIST") throw e;
      }
    });
  }
}

function devDir(rootfs: string): string {
  return attempt(`symlink ${q("/dev")}`, () => secureJoin(rootfs, "/dev"));
}
