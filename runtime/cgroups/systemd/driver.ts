/**
 * The systemd cgroup driver's part of the container's cgroup: the
 * transient unit that owns it. systemd makes the cgroup when the unit
 * starts (with the container's first process in it), takes resources as
 * unit properties, and removes it when the unit stops; everything else
 * (files systemd has no property for, freezing, signals, statistics) is
 * done on the unit's cgroup directory as the cgroupfs driver does it.
 */
import type { Syscalls } from "../../../ffi/syscalls.ts";
import type { LinuxResources } from "../../spec/schema.ts";
import type { DeviceRule } from "../devices.ts";
import type { CgroupVersion } from "../layout.ts";
import { type SystemdBusOptions, SystemdBus } from "./manager_bus.ts";
import { resourceProperties, startProperties } from "./properties.ts";
import type { SystemdUnitRef } from "./unit_name.ts";

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
