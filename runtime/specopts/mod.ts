/** The spec options, one import for scripts (mod.ts) and the CLI alike. */
export { applySpecOpts, type SpecContext, type SpecOpt } from "./types.ts";
export { mergeEnv, withAnnotations, withCwd, withEnv, withHostname, withProcessArgs, withReadonlyRootfs, withRootfsPath, withTty } from "./process.ts";
export { withImageConfig } from "./image_config.ts";
export { withUser } from "./user.ts";
export { type Mount, parseMountFlag, parseVolume, withMounts } from "./mounts.ts";
export { withHostNamespace, withHostNetwork, withLinuxNamespace } from "./namespaces.ts";
export {
  capabilityNames,
  currentCapabilities,
  IMAGE_DEFAULT_CAPABILITIES,
  withAddedCapabilities,
  withCapabilities,
  withDroppedCapabilities,
} from "./capabilities.ts";
export { hostDevices, withPrivileged } from "./privileged.ts";
export { withCPUs, withMemoryLimit, withPidsLimit } from "./resources.ts";
