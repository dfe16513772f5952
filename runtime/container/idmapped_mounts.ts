/**
 * Idmapped mounts (mounts[].uidMappings/gidMappings, options idmap and
 * ridmap; runtime spec 1.1), made here by runt in the host's user
 * namespace: mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN in the
 * user namespace of the source's filesystem, which an init inside the
 * container's user namespace lacks (runc 1.2 prepares them in its parent
 * too). Each source is cloned detached (open_tree), given a user namespace
 * carrying the mount's maps, and handed to the init with its config; the
 * init moves it onto the destination (runtime/rootfs/idmapped.ts).
 */
import { AT_EMPTY_PATH, AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_IDMAP, OPEN_TREE_CLOEXEC, OPEN_TREE_CLONE } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { isBind } from "../mount/options.ts";
import { bindSource } from "../rootfs/bind.ts";
import { IDMAP_MOUNT_OPTIONS } from "../spec/constants.ts";
import type { LinuxIDMapping, Mount, Spec } from "../spec/schema.ts";
import { mappedUserNamespace } from "../userns/mapped_namespace.ts";
import { ContainerSetupError } from "./errors.ts";

export interface IdmappedTrees {
  /** Indexes into spec.mounts, in the order of `fds`. */
  indices: number[];
  /** The detached, idmapped trees; the caller closes them once they are sent. */
  fds: number[];
}

/** Whether mounts[] entry `m` asks for an idmapped mount. */
export function isIdmapped(m: Mount): boolean {
  return m.uidMappings !== undefined || m.gidMappings !== undefined || (m.options ?? []).some((o) => (IDMAP_MOUNT_OPTIONS as readonly string[]).includes(o));
}

/** Refuses, before anything is made, an idmapped mount runt cannot make: not a bind, or no maps to make it with. */
export function checkIdmappedMounts(spec: Spec): void {
  (spec.mounts ?? []).forEach((m, i) => {
    if (isIdmapped(m)) mountMaps(spec, m, `mounts[${i}]`);
  });
}

/** Every idmapped mount of `spec`, made ready to attach; nothing is left open when one fails. */
export function idmappedTrees(sys: Syscalls, spec: Spec, bundle: string): IdmappedTrees {
  const trees: IdmappedTrees = { indices: [], fds: [] };
  // One namespace per distinct pair of maps: the kernel copies the maps into each mount.
  const namespaces = new Map<string, number>();
  try {
    (spec.mounts ?? []).forEach((m, i) => {
      if (!isIdmapped(m)) return;
      const field = `mounts[${i}]`;
      const maps = mountMaps(spec, m, field);
      const key = JSON.stringify(maps);
      let userns = namespaces.get(key);
      if (userns === undefined) namespaces.set(key, userns = mappedUserNamespace(sys, maps.uid, maps.gid, field));
      trees.fds.push(idmappedTree(sys, bindSource(m.source!, bundle), m, userns, field));
      trees.indices.push(i);
    });
    return trees;
  } catch (e) {
    for (const fd of trees.fds) sys.close(fd);
    throw e;
  } finally {
    for (const fd of namespaces.values()) sys.close(fd);
  }
}

/**
 * The mount's own maps, else (options idmap/ridmap alone) the container's
 * new user namespace's, as the spec allows; with neither there is nothing
 * to map with, which the spec makes an error.
 */
function mountMaps(spec: Spec, m: Mount, field: string): { uid: LinuxIDMapping[]; gid: LinuxIDMapping[] } {
  if (!isBind(m.options, m.type) || !m.source) {
    throw new ContainerSetupError(`${field}.uidMappings: idmapped mounts are made of bind mounts only (this is type ${JSON.stringify(m.type ?? "")})`);
  }
  if (m.uidMappings && m.gidMappings) return { uid: m.uidMappings, gid: m.gidMappings };
  const uid = spec.linux?.uidMappings, gid = spec.linux?.gidMappings;
  if (uid?.length && gid?.length) return { uid, gid };
  throw new ContainerSetupError(`${field}.options: idmap needs uidMappings and gidMappings, on the mount or in linux (a user namespace given by path has none)`);
}

/** open_tree's clone of `source` (recursive for rbind), idmapped (recursively for ridmap). */
function idmappedTree(sys: Syscalls, source: string, m: Mount, userns: number, field: string): number {
  const options = m.options ?? [];
  const tree = attempt(`${field}.source ${JSON.stringify(source)}`, () => sys.openTree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (options.includes("rbind") ? AT_RECURSIVE : 0)));
  try {
    const recursive = options.includes("ridmap") ? AT_RECURSIVE : 0;
    attempt(`${field}.uidMappings: idmapping ${JSON.stringify(source)}`, () => sys.mountSetattr(tree, "", AT_EMPTY_PATH | recursive, { attrSet: MOUNT_ATTR_IDMAP, usernsFd: userns }));
    return tree;
  } catch (e) {
    sys.close(tree);
    throw e;
  }
}

/** Why the kernel refuses, in words: EINVAL is a filesystem without idmapping, EPERM a caller without root. */
function attempt<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "EINVAL" && what.includes("idmapping")
      ? "its filesystem cannot be idmapped, or the maps are refused (EINVAL)"
      : code === "EPERM"
      ? "only root may idmap a mount of the host's filesystems (EPERM)"
      : (e as Error).message;
    throw new ContainerSetupError(`${what}: ${why}`);
  }
}
