/** OCI hooks: running them with the container state, and their failure policy. */
export { HookError } from "./errors.ts";
export { OUTPUT_TAIL_BYTES, OutputTail } from "./output.ts";
export { hookFailureIsFatal, type HookSpawner, posixSpawner, runHook, runHooks, runHooksWarnOnly } from "./run.ts";
