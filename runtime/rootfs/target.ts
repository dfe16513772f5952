/**
 * A mount destination held open inside the rootfs, and mounting onto it
 * through its descriptor. The kernel reaches `/proc/thread-self/fd/N` as the
 * very object N holds, so nothing swapped in after the open is followed. The
 * descriptor still names what was there before the mount (a magic link does
 * not cross onto mounts), so the new mount is opened afresh, by name in the
 * target's parent, for the calls that must name its root (remount,
 * propagation); that fresh open is also the check that the mount is where it
 * was meant to be.
 */
import { basename, dirname } from "../path.ts";
import { O_CLOEXEC, O_DIRECTORY, O_PATH, RESOLVE_IN_ROOT, RESOLVE_NO_SYMLINKS } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { fdPath, openInRoot, type OpenInRootOptions, procFd } from "../mount/inroot.ts";
import type { MountContext } from "./context.ts";
import { attempt, failure, q, RootfsError } from "./errors.ts";

export interface Target {
  /** O_PATH descriptor; whoever opened the Target closes it. */
  fd: number;
  /** Where it is in the init's mount namespace (under the rootfs). */
  path: string;
  /** Where it is inside the container ("/a/b"), symlinks resolved. */
  inside: string;
  /** It (or a directory above it) was made just now. */
  created?: boolean;
}

/** Opens (and with `create`, makes) `dest` inside the rootfs; the error names `subject`. */
export function openTarget(ctx: MountContext, subject: string, dest: string, options: OpenInRootOptions): Target {
  const what = options.create ? `${subject}: create mount point` : subject;
  let created = false;
  const fd = attempt(what, () => openInRoot(ctx.sys, ctx.rootfd, dest, { ...options, onCreate: () => created = true }));
  return { ...targetOf(ctx, fd, subject), created };
}

/** Runs `step` with the target, closing its descriptor afterwards whatever happens. */
export function holding<T>(ctx: MountContext, target: Target, step: (t: Target) => T): T {
  try {
    return step(target);
  } finally {
    ctx.sys.close(target.fd);
  }
}

/**
 * `mount` makes the mount on the path it is given (the target's descriptor);
 * `then` gets the new mount, opened afresh and checked, for what follows.
 */
export function mountAt(
  ctx: MountContext,
  target: Target,
  subject: string,
  mount: (path: string) => void,
  then: (mounted: Target) => void = () => {},
): void {
  mount(procFd(target.fd));
  holding(ctx, landed(ctx, target, subject), then);
}

/** mountAt, then the target's descriptor closed whatever happened: what most mounts want. */
export function mountOnto(
  ctx: MountContext,
  target: Target,
  subject: string,
  mount: (path: string) => void,
  then?: (mounted: Target) => void,
): void {
  holding(ctx, target, () => mountAt(ctx, target, subject, mount, then));
}

/**
 * The mount that now covers the target. It must sit exactly where the target
 * was (same path) and be a different mount from the target's own; else the
 * rootfs changed under us and the container is not started.
 */
function landed(ctx: MountContext, target: Target, subject: string): Target {
  const fd = attempt(`${subject}: reopen`, () => reopen(ctx, target));
  try {
    const path = fdPath(fd);
    if (path !== target.path || mountId(ctx, fd) === mountId(ctx, target.fd)) {
      throw new RootfsError(`${subject}: the mount did not land on ${q(target.inside)} (found ${q(path)})`);
    }
    return { fd, path, inside: target.inside };
  } catch (e) {
    ctx.sys.close(fd);
    throw failure(subject, e);
  }
}

/**
 * The name looked up again in the target's own parent directory, which a
 * lookup does cross onto the mount on top. A directory's parent is reached
 * from its descriptor; a file's (which has no "..") from the rootfs.
 */
function reopen(ctx: MountContext, target: Target): number {
  const { sys } = ctx;
  let parent: number;
  try {
    parent = sys.openat(target.fd, "..", O_PATH | O_CLOEXEC | O_DIRECTORY);
  } catch (e) {
    if (!isErrno(e, "ENOTDIR")) throw e;
    parent = sys.openat2(ctx.rootfd, dirname(target.inside), O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
  }
  try {
    return sys.openat2(parent, basename(target.path), O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
  } finally {
    sys.close(parent);
  }
}

/** A Target for a descriptor just opened under the rootfs; closes it when that is not where it is. */
export function targetOf(ctx: MountContext, fd: number, subject: string): Target {
  try {
    const path = fdPath(fd);
    const inside = path === ctx.rootfs ? "/" : path.startsWith(`${ctx.rootfs}/`) ? path.slice(ctx.rootfs.length) : null;
    if (inside === null) throw new RootfsError(`${subject}: resolved to ${q(path)}, outside the rootfs`);
    return { fd, path, inside };
  } catch (e) {
    ctx.sys.close(fd);
    throw failure(subject, e);
  }
}

/** The id of the mount a descriptor's object is on (mountinfo's first field): statx's, else fdinfo's. */
function mountId(ctx: MountContext, fd: number): string {
  const fromStatx = ctx.sys.mountIdOf(fd);
  if (fromStatx !== undefined) return String(fromStatx);
  const info = ctx.proc.read(`/proc/thread-self/fdinfo/${fd}`);
  const id = /^mnt_id:\s*(\d+)/m.exec(info)?.[1];
  if (id === undefined) throw new RootfsError(`no mnt_id in /proc/thread-self/fdinfo/${fd}`);
  return id;
}
