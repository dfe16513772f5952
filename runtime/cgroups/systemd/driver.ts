/**
 * The systemd cgroup driver's part of the container's cgroup: the
 * transient unit that owns it. systemd makes the cgroup when the unit
 * starts (with the container's first process in it), takes resources as
 * unit properties, and removes it when the unit stops; everything else
 * (files systemd has no property for, freezing, signals, statistics) is
 * done on the unit's cgroup directory as the cgroupfs driver does it.
 */
import { lstatSync } from "../../host_fs.ts";
import type { Syscalls } from "../../../ffi/syscalls.ts";
import type { LinuxResources } from "../../spec/schema.ts";
import type { DeviceRule } from "../devices.ts";
import { CgroupError } from "../errors.ts";
import type { CgroupVersion } from "../layout.ts";
import { type SystemdBusOptions, SystemdBus } from "./manager_bus.ts";
import { resourceProperties, startProperties } from "./properties.ts";
import type { SystemdUnitRef } from "./unit_name.ts";

export const SYSTEMD_RUNTIME_DIR = "/run/systemd/system";

/** Booted with systemd as init, as sd_booted(3) and runc decide it. */
export function isRunningSystemd(dir = SYSTEMD_RUNTIME_DIR): boolean {
  try {
    return lstatSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export function checkSystemdRunning(dir = SYSTEMD_RUNTIME_DIR): void {
  if (!isRunningSystemd(dir)) {
    throw new CgroupError(`--systemd-cgroup: systemd is not running on this host (no ${dir}), so it cannot manage the container's cgroup: drop the flag to use cgroupfs`);
  }
}

export function startUnit(sys: Syscalls, ref: SystemdUnitRef, pid: number, version: CgroupVersion, options: SystemdBusOptions = {}): void {
  SystemdBus.with(sys, options, (bus) => bus.startTransientUnit(ref.unit, startProperties(ref, pid, version)));
}

export function setUnitResources(
  sys: Syscalls,
  ref: SystemdUnitRef,
  resources: LinuxResources | undefined,
  devices: readonly DeviceRule[] | undefined,
  version: CgroupVersion,
  options: SystemdBusOptions = {},
): void {
  SystemdBus.with(sys, options, (bus) => {
    const props = resourceProperties(resources, devices, { systemdVersion: bus.version(), cgroupVersion: version });
    bus.setUnitProperties(ref.unit, props);
  });
}

export function stopUnit(sys: Syscalls, ref: SystemdUnitRef, options: SystemdBusOptions = {}): void {
  SystemdBus.with(sys, options, (bus) => bus.stopUnit(ref.unit));
}
