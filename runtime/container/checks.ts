/**
 * What create refuses before anything is made: configurations that pass the
 * spec's rules but that runt cannot build (yet), and a missing rootfs.
 */
import { statSync } from "../host_fs.ts";
import { resolve } from "../path.ts";
import type { Spec } from "../spec/schema.ts";
import { ContainerSetupError } from "./errors.ts";
import { checkLsmSupport } from "../process/lsm.ts";
import { checkIdmappedMounts } from "./idmapped_mounts.ts";

export function checkBuildable(spec: Spec, bundle: string): string {
  if (!spec.process) throw new ContainerSetupError("process: required to create a container");
  if (!spec.process.args?.length) throw new ContainerSetupError("process.args: required, expected at least the executable");
  checkLsmSupport(spec.process);
  const namespaces = spec.linux?.namespaces ?? [];
  checkIdmappedMounts(spec);
  if (!namespaces.some((ns) => ns.type === "mount")) {
    // runc refuses these ("unable to restrict sys entries without a private MNT namespace"); the spec is silent.
    for (const key of ["maskedPaths", "readonlyPaths"] as const) {
      if (spec.linux?.[key]?.length) {
        throw new ContainerSetupError(`linux.${key}: needs a mount namespace of the container's own (linux.namespaces has no "mount")`);
      }
    }
  }
  if (!spec.root) throw new ContainerSetupError("root: required to create a container");
  const rootfs = resolve(bundle, spec.root.path);
  let isDir = false;
  try {
    isDir = statSync(rootfs).isDirectory();
  } catch {
    throw new ContainerSetupError(`root.path: rootfs ${rootfs} does not exist`);
  }
  if (!isDir) throw new ContainerSetupError(`root.path: rootfs ${rootfs} is not a directory`);
  return rootfs;
}
