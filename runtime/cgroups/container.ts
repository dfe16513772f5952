/**
 * The one call the container lifecycle needs: the container's cgroup,
 * created and configured from its spec, ready for apply(initPid).
 */
import type { Linux } from "../spec/schema.ts";
import { containerDeviceRules } from "./devices.ts";
import { CgroupManager, type CgroupManagerOptions } from "./manager.ts";
import { resolveCgroupsPath } from "./path.ts";
import { readLayout } from "./layout.ts";
import { checkSystemdRunning } from "./systemd/running.ts";
import { systemdUnitOf, unitCgroupPath } from "./systemd/unit_name.ts";

/** Who makes and owns the container's cgroup: runt on cgroupfs, or systemd (--systemd-cgroup). */
export type CgroupDriver = "cgroupfs" | "systemd";

export interface ContainerCgroupConfig {
  id: string;
  linux?: Pick<Linux, "cgroupsPath" | "resources" | "devices">;
}

/**
 * Resolves linux.cgroupsPath (default: see resolveCgroupsPath), creates the cgroup,
 * applies linux.resources and the device rules runc would (the spec's, then
 * its default allowed devices). Removes the cgroup again if any of it fails.
 */
export function createContainerCgroup(config: ContainerCgroupConfig, options: CgroupManagerOptions = {}, pid?: number): CgroupManager {
  const manager = locateContainerCgroup(config.id, config.linux?.cgroupsPath, options, options.systemd ? "systemd" : "cgroupfs");
  manager.make(pid);
  try {
    configureContainerCgroup(manager, config.linux);
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

/**
 * The container's cgroup directories, not made yet: only the path is needed,
 * so they are known (and recorded) before the config is validated. Under
 * the systemd driver, the unit cgroupsPath names (runc's
 * "slice:prefix:name", system.slice:runt:<id> by default) and its cgroup;
 * a host without systemd is refused here, before anything is made.
 */
export function locateContainerCgroup(
  id: string,
  cgroupsPath: string | undefined,
  options: CgroupManagerOptions = {},
  driver: CgroupDriver = "cgroupfs",
): CgroupManager {
  const layout = options.layout ?? readLayout();
  if (driver === "cgroupfs") return CgroupManager.locate(resolveCgroupsPath(cgroupsPath, id, layout.version), { ...options, layout });
  const unit = options.systemd ?? systemdUnitOf(cgroupsPath, id);
  checkSystemdRunning();
  return CgroupManager.locate({ absolute: true, path: unitCgroupPath(unit) }, { ...options, layout, systemd: unit });
}

/** linux.resources and the device rules runc would apply (the spec's, then its default allowed devices). */
export function configureContainerCgroup(manager: CgroupManager, linux: ContainerCgroupConfig["linux"] = {}): void {
  const devices = containerDeviceRules(linux.resources?.devices, (linux.devices ?? []).map((d) => d.path));
  manager.set(linux.resources, { devices });
}
