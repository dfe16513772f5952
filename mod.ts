/**
 * runt as a library, for scripts: build and check OCI configs and run
 * containers the same way the `runt` command does.
 *
 * ```ts
 * import { Runt } from "./mod.ts";
 * const runt = await Runt.open();            // state under /run/runt
 * const status = await runt.run("hello", { bundle: "/path/to/bundle" });
 * const { stdout } = await runt.run({ image: "alpine", args: ["uname", "-a"], readOnly: true });
 * ```
 */
export { defaultSpec, type DefaultSpecOptions } from "./runtime/spec/defaults.ts";
export { parseConfig, validateConfig } from "./runtime/spec/validate.ts";
export { ConfigValidationError } from "./runtime/spec/errors.ts";
export type { Spec } from "./runtime/spec/schema.ts";
export { features } from "./runtime/features.ts";
export { readConfigFile } from "./runtime/config_file.ts";
export { RuntError } from "./runtime/errors.ts";
export { OCI_VERSION, RUNT_VERSION } from "./runtime/version.ts";
export { DEFAULT_STATE_ROOT, Runt, type RuntOptions } from "./runtime/runt.ts";
export type { ImageRunOptions, RunResult } from "./runtime/library/run_image.ts";
export type { Container } from "./runtime/library/container.ts";
export type { PullOptions, RuntImages } from "./runtime/library/images.ts";
export type { ImageOptions } from "./runtime/library/image_options.ts";
export type { CreateOptions } from "./runtime/container/create.ts";
export type { RunOptions } from "./runtime/container/run.ts";
export type { ExecOptions } from "./runtime/container/exec.ts";
export type { OciState, Status } from "./runtime/state/record.ts";
export { ContainerSetupError, ContainerStateError } from "./runtime/container/errors.ts";
// Images: the store, bundles from images, and the spec options they are made of.
export * from "./runtime/specopts/mod.ts";
export { defaultStoreRoot, ImageStore, type ImageRecord } from "./runtime/image/store.ts";
export { type RootSource, writeImageBundle, writeImageSpec } from "./runtime/image/bundle.ts";
export { extractLayerFile, type LayerMode } from "./runtime/image/extract.ts";
export { normalizeReference } from "./runtime/image/reference.ts";
export type { ImageConfig } from "./runtime/image/oci.ts";
