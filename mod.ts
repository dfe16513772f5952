/**
 * runt as a library, for scripts: build and check OCI configs the same way
 * the `runt` command does.
 *
 * ```ts
 * import { defaultSpec, validateConfig } from "./mod.ts";
 * const spec = defaultSpec();
 * spec.process!.args = ["/bin/echo", "hello"];
 * const result = validateConfig(spec);
 * ```
 */
export { defaultSpec, type DefaultSpecOptions } from "./runtime/spec/defaults.ts";
export { parseConfig, validateConfig } from "./runtime/spec/validate.ts";
export { ConfigValidationError } from "./runtime/spec/errors.ts";
export type { Spec } from "./runtime/spec/schema.ts";
export { features } from "./runtime/features.ts";
export { readConfigFile } from "./runtime/bundle.ts";
export { RuntError } from "./runtime/errors.ts";
export { OCI_VERSION, RUNT_VERSION } from "./runtime/version.ts";
