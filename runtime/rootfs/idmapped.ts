/**
 * An idmapped mount's last step, in the init: the detached tree runt made
 * and idmapped (runtime/container/idmapped_mounts.ts) is moved onto the
 * destination, from descriptor to descriptor, then given the entry's
 * flags and propagation as any bind is.
 */
import { statSync } from "../host_fs.ts";
import { attach } from "../mount/attach.ts";
import { procFd } from "../mount/inroot.ts";
import { finishBind } from "./bind.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { openDestination } from "./destination.ts";
import { attempt } from "./errors.ts";
import { mountOnto } from "./target.ts";

export function attachIdmapped(ctx: MountContext, tree: number, p: PlannedMount): void {
  const stat = attempt(`${p.subject}: idmapped source`, () => statSync(procFd(tree)));
  const target = openDestination(ctx, p, stat.isDirectory() ? "directory" : "file");
  mountOnto(ctx, target, p.subject, () => attempt(p.subject, () => attach(ctx.sys, tree, target.fd)), (mounted) => finishBind(ctx, p, mounted));
}
