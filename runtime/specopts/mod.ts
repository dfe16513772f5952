/** The spec options, one import for scripts (mod.ts) and the CLI alike. */
export { applySpecOpts, type SpecContext, type SpecOpt } from "./types.ts";
export { mergeEnv, withAnnotations, withCwd, withEnv, withHostname, withProcessArgs, withReadonlyRootfs, withRootfsPath, withStopSignal, withTty } from "./process.ts";
export { withImageConfig } from "./image_config.ts";
export { withUser } from "./user.ts";
export { type Mount, parseMountFlag, parseVolume, withCgroupsMount, withMounts } from "./mounts.ts";
export { parseWithNamespace, withHostNamespace, withHostNetwork, withLinuxNamespace, withNetwork } from "./namespaces.ts";
export {
  capabilityNames,
  currentCapabilities,
  IMAGE_DEFAULT_CAPABILITIES,
  withAddedCapabilities,
  withCapabilities,
  withDroppedCapabilities,
} from "./capabilities.ts";
export { hostDevices, withPrivileged } from "./privileged.ts";
export { withCgroup, withCPUs, withCPUShares, withMemoryLimit, withPidsLimit } from "./resources.ts";
export { defaultSeccompProfile, withNoSeccomp, withSeccompDefault, withSeccompProfile } from "./seccomp.ts";
export { withLinuxDevice } from "./devices.ts";
export { type IDMapping, parseIDMapping, withUserNamespace } from "./userns.ts";
export { withApparmorProfile, withNewPrivileges } from "./security.ts";
export { type NameResolution, withNameResolution } from "./etc_files.ts";
export { withSpecFromFile } from "./spec_file.ts";
