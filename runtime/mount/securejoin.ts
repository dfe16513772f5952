/**
 * Resolving a path from the spec inside the container's root filesystem the
 * way the container will see it: symlinks are followed, but an absolute link
 * or a `..` can never climb above the root (like filepath-securejoin, which
 * runc uses). Without this, a rootfs with `/proc -> /etc` on the host would
 * get the host's /etc mounted over.
 */
import { lstatSync, readlinkSync } from "../host_fs.ts";
import { RuntError } from "../errors.ts";

const MAX_SYMLINKS = 255;

export class PathResolutionError extends RuntError {}

/** Returns `root` + the resolved `unsafePath`; components that do not exist yet are kept as given. */
export function secureJoin(root: string, unsafePath: string): string {
  const base = root.replace(/\/+$/, "") || "/";
  const resolved: string[] = [];
  let pending = unsafePath.split("/").filter((c) => c !== "" && c !== ".");
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const candidate = join(base, [...resolved, part]);
    let target: string | null = null;
    try {
      if (lstatSync(candidate).isSymbolicLink()) target = readlinkSync(candidate);
    } catch {
      // Missing components are created later by whoever mounts there.
    }
    if (target === null) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) {
      throw new PathResolutionError(`${unsafePath}: too many levels of symbolic links inside ${root}`);
    }
    if (target.startsWith("/")) resolved.length = 0;
    pending = [...target.split("/").filter((c) => c !== "" && c !== "."), ...pending];
  }
  return join(base, resolved);
}

function join(base: string, parts: string[]): string {
  if (parts.length === 0) return base;
  return (base === "/" ? "" : base) + "/" + parts.join("/");
}
