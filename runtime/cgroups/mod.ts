/**
 * The cgroup library: layout detection, path resolution, resource plans, the
 * manager and v2 device filters. Imported as a whole, the manager has the
 * systemd driver at hand (the CLI loads it only for a cgroup systemd owns).
 */
import * as systemdDriver from "./systemd/driver.ts";
import { useSystemdDriver } from "./manager.ts";

useSystemdDriver(systemdDriver);

export { CgroupError } from "./errors.ts";
export {
  type CgroupLayout,
  type CgroupMount,
  type CgroupVersion,
  ownPathOf,
  parseMountinfo,
  parseProcCgroup,
  type ProcCgroupEntry,
  readLayout,
  readProcCgroup,
  v1Hierarchies,
} from "./layout.ts";
export { cgroupDir, cgroupPathIn, type CgroupPathSpec, DEFAULT_CGROUP_PARENT, resolveCgroupsPath } from "./path.ts";
export {
  containerDeviceRules,
  DEFAULT_ALLOWED_DEVICES,
  DeviceEmulator,
  type DeviceRule,
  deviceRuleString,
  ruleFromSpec,
  WILDCARD,
} from "./devices.ts";
export type { CgroupWrite } from "./write.ts";
export { parseSubCgroupArgs, type SubCgroupPaths } from "./sub.ts";
export { planV1, type V1PlanOptions } from "./v1.ts";
export { checkUnifiedKey, planUnified, planV2 } from "./v2.ts";
export { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2 } from "./convert.ts";
export { attachDeviceFilter, deviceFilterProgram } from "./devices_bpf.ts";
export { type BpfInsn, encode as encodeBpf, listing as bpfListing } from "./bpf_asm.ts";
export type { FreezerState } from "./freezer.ts";
export type { WriteRecord } from "./files.ts";
export { type Stats, statsEventJson } from "./stats.ts";
export { CgroupManager, type CgroupManagerOptions, loadSystemdDriver, type SavedCgroup, type SetOptions } from "./manager.ts";
export { type ContainerCgroupConfig, createContainerCgroup } from "./container.ts";
