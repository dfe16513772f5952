/** Bind mounts: a host path onto a destination inside the rootfs, then its flags. */
import { statSync } from "../host_fs.ts";
import { resolve } from "../path.ts";
import { AT_EMPTY_PATH, AT_RECURSIVE } from "../../ffi/constants.ts";
import { procFd } from "../mount/inroot.ts";
import { MS } from "../mount/options.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { openDestination } from "./destination.ts";
import { attempt, q } from "./errors.ts";
import { mountOnto, type Target } from "./target.ts";

/** Host paths for bind sources: relative ones are relative to the bundle, as runc reads them. */
export function bindSource(source: string, bundle?: string): string {
  return bundle === undefined ? resolve(source) : resolve(bundle, source);
}

/**
 * Binds `source` (a host path) onto the planned destination; through
 * `opened`, its descriptor, when runt opened it for an init that may not
 * reach it by path (runtime/container/bind_sources.ts). The first mount(2)
 * only creates the bind; the flags (ro, nosuid …) need a second,
 * remounting call on the new mount.
 */
export function bindMount(ctx: MountContext, source: string, p: PlannedMount, opened?: number): void {
  const { sys } = ctx;
  const { options, subject } = p;
  const from = opened === undefined ? source : procFd(opened);
  const stat = attempt(`${subject}: source ${q(source)}`, () => statSync(from));
  const target = openDestination(ctx, p, stat.isDirectory() ? "directory" : "file");
  mountOnto(
    ctx,
    target,
    subject,
    (dest) => attempt(subject, () => sys.mount(from, dest, null, MS.BIND | (options.flags & MS.REC), null)),
    (mounted) => finishBind(ctx, p, mounted),
  );
}

/** A bind's flags (ro, nosuid …, by remount), propagation and recursive attributes, once it is in place. */
export function finishBind(ctx: MountContext, p: PlannedMount, mounted: Target): void {
  const { sys } = ctx;
  const { options, subject } = p;
  if ((options.flags & ~(MS.BIND | MS.REC | MS.REMOUNT)) !== 0) {
    attempt(
      `${subject}: remount`,
      () => sys.mount(null, procFd(mounted.fd), null, options.flags | MS.BIND | MS.REMOUNT, null),
    );
  }
  applyPropagation(ctx, p, mounted);
  const { set, clear } = options.recursive;
  if (set !== 0 || clear !== 0) {
    attempt(
      `${subject}: recursive attributes`,
      () => sys.mountSetattr(mounted.fd, "", AT_EMPTY_PATH | AT_RECURSIVE, { attrSet: set, attrClr: clear }),
    );
  }
}

/** Each propagation change is a mount(2) call of its own; the kernel takes one type per call. */
export function applyPropagation(ctx: MountContext, p: PlannedMount, mounted: Target): void {
  for (const flags of p.options.propagation) {
    attempt(`${p.subject}: propagation`, () => ctx.sys.mount(null, procFd(mounted.fd), null, flags, null));
  }
}
