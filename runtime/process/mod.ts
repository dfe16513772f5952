/** The container process: finding its executable, applying process.* and becoming it. */
export { applyProcess, type ApplyProcessOptions, DEFAULT_UMASK } from "./apply.ts";
export { bitsOf, capabilityMasks, type CapabilityMasks } from "./capabilities.ts";
export { homeOf, processEnv } from "./environment.ts";
export { ProcessError } from "./errors.ts";
export { closeOnExecFrom, execProcess, inheritPreserved, resetSignals, RESETTABLE_SIGNALS } from "./exec.ts";
export { envValue, resolveExecutable } from "./executable.ts";
export { type ProcessHost, systemHost } from "./host.ts";
export { applyLsmLabels, checkLsmSupport, type LsmHost, systemLsm } from "./lsm.ts";
