/**
 * Ownership for a container in a user namespace (--uidmap/--gidmap): the
 * shared layers belong to the host's IDs, which the container cannot
 * write as its own, so such a container gets a copy of the layers whose
 * owners are shifted through its maps (containerd's remapped snapshot).
 * A copy costs disk, but leaves the shared layers untouched and needs no
 * idmapped-mount support from the filesystem under the store.
 */
import { chmodSync, lchownSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Spec } from "../spec/schema.ts";
import { type IDMapping, mapToHost } from "../specopts/userns.ts";
import { ImageError } from "./errors.ts";

/** True when `spec` asks for a user namespace with maps (its root then needs remapping). */
export function needsRemap(spec: Spec): boolean {
  return (spec.linux?.uidMappings?.length ?? 0) > 0;
}

/** Shifts the owner of every entry under `root` (itself included) through the spec's maps. */
export function remapOwnership(root: string, spec: Spec): void {
  const uids = spec.linux?.uidMappings ?? [], gids = spec.linux?.gidMappings ?? [];
  walk(root, uids, gids);
}

function walk(path: string, uids: IDMapping[], gids: IDMapping[]): void {
  const st = lstatSync(path);
  const uid = mapToHost(uids, st.uid), gid = mapToHost(gids, st.gid);
  if (uid === undefined || gid === undefined) {
    throw new ImageError(`--uidmap/--gidmap: ${path} belongs to ${st.uid}:${st.gid}, outside the container's maps`);
  }
  lchownSync(path, uid, gid);
  // chown clears set-user-ID and set-group-ID bits; the image's modes are kept.
  if (!st.isSymbolicLink() && st.mode & 0o6000) chmodSync(path, st.mode & 0o7777);
  if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name), uids, gids);
}
