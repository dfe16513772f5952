/** The container process: finding its executable, applying process.* and becoming it. */
export { applyProcessLimits, type ApplyProcessOptions, DEFAULT_UMASK, planCredentials, type ProcessLimitsApplied } from "./apply.ts";
export { bitsOf, capabilityMasks, type CapabilityMasks } from "./capabilities.ts";
export { homeOf, processEnv } from "./environment.ts";
export { ProcessError } from "./errors.ts";
export { closeOnExecFrom, inheritPreserved, resetSignals, RESETTABLE_SIGNALS } from "./exec.ts";
export { envValue, resolveExecutable } from "./executable.ts";
export { type ProcessHost, systemHost } from "./host.ts";
export { checkLsmSupport, type LsmHost, planLsmLabels, systemLsm } from "./lsm.ts";
