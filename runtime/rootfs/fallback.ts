/**
 * A new filesystem where the kernel allows one, else the host's own mount
 * bound in its place: what runc does for sysfs in a user namespace without
 * a network namespace, and for cgroup2 without a cgroup namespace.
 */
import { isErrno } from "../../ffi/errors.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { applyPropagation, bindMount } from "./bind.ts";
import { failure } from "./errors.ts";
import { holding, mountAt, type Target } from "./target.ts";

export interface Fallback {
  /** Errno names with which the kernel refuses the new filesystem. */
  refusals: string[];
  /** The host's mount to bind instead. */
  host: string;
  /** The bind's mount flags, from the entry's. */
  flags: number;
}

export function mountNewOrBind(ctx: MountContext, p: PlannedMount, target: Target, fsType: string, fallback: Fallback): void {
  const mounted = holding(ctx, target, () => {
    try {
      mountAt(
        ctx,
        target,
        p.subject,
        (dest) => ctx.sys.mount(p.mount.source ?? null, dest, fsType, p.options.flags, p.options.data || null),
        (mounted) => applyPropagation(ctx, p, mounted),
      );
      return true;
    } catch (e) {
      if (fallback.refusals.some((name) => isErrno(e, name))) return false;
      throw failure(p.subject, e);
    }
  });
  if (mounted) return;
  const options = { ...p.options, flags: fallback.flags, recursive: { set: 0, clear: 0 } };
  bindMount(ctx, fallback.host, { ...p, kind: "bind", options });
}
