/**
 * The one call the container lifecycle needs: the container's cgroup,
 * created and configured from its spec, ready for apply(initPid).
 */
import type { Linux } from "../spec/schema.ts";
import { containerDeviceRules } from "./devices.ts";
import { CgroupManager, type CgroupManagerOptions } from "./manager.ts";
import { resolveCgroupsPath } from "./path.ts";
import { readLayout } from "./layout.ts";

export interface ContainerCgroupConfig {
  id: string;
  linux?: Pick<Linux, "cgroupsPath" | "resources" | "devices">;
}

/**
 * Resolves linux.cgroupsPath (default: see resolveCgroupsPath), creates the cgroup,
 * applies linux.resources and the device rules runc would (the spec's, then
 * its default allowed devices). Removes the cgroup again if any of it fails.
 */
export function createContainerCgroup(config: ContainerCgroupConfig, options: CgroupManagerOptions = {}): CgroupManager {
  const linux = config.linux ?? {};
  const layout = options.layout ?? readLayout();
  const path = resolveCgroupsPath(linux.cgroupsPath, config.id, layout.version);
  const devices = containerDeviceRules(linux.resources?.devices, (linux.devices ?? []).map((d) => d.path));
  const manager = CgroupManager.create(path, { ...options, layout });
  try {
    manager.set(linux.resources, { devices });
  } catch (e) {
    try {
      manager.destroy();
    } catch {
      // The configuration error is the one to report.
    }
    throw e;
  }
  return manager;
}
