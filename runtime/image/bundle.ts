/**
 * A bundle from a stored image, as `umoci unpack` makes one: DIR/rootfs with
 * the image's layers applied in order, and DIR/config.json from
 * `defaultSpec` with the image config and the caller's options applied; or,
 * from a plain root directory, a config.json that points at it.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { defaultSpec } from "../spec/defaults.ts";
import type { Spec } from "../spec/schema.ts";
import { IMAGE_DEFAULT_CAPABILITIES, withCapabilities } from "../specopts/capabilities.ts";
import { withImageConfig } from "../specopts/image_config.ts";
import { startsSpec } from "../specopts/spec_file.ts";
import { applySpecOpts, type SpecOpt } from "../specopts/types.ts";
import { ImageError } from "./errors.ts";
import type { ImageConfig, Manifest } from "./oci.ts";
import { extractLayerFile } from "./extract.ts";
import { needsRemap, remapOwnership } from "./remap.ts";
import type { ImageStore } from "./store.ts";

/** Where a container's root comes from: a stored image, or a directory used as it is (ctr's --rootfs). */
export interface RootSource {
  image?: string;
  rootfs?: string;
}

/** The stored image `source` names, or undefined for a plain directory; one of the two is required. */
export function sourceManifest(store: ImageStore, source: RootSource): Manifest | undefined {
  if (source.rootfs !== undefined) {
    if (source.image !== undefined) throw new ImageError("--image and --rootfs: give one of them, not both");
    if (!isAbsolute(source.rootfs) || !existsSync(source.rootfs)) throw new ImageError(`--rootfs: ${source.rootfs} must be an existing absolute directory`);
    return undefined;
  }
  if (source.image === undefined) throw new ImageError("--image REF (or --rootfs DIR) is required");
  const found = store.resolve(source.image);
  if (!found) throw new ImageError(`--image: no image ${source.image} in ${store.root} (runt image load it first)`);
  return store.manifest(found.digest);
}

export async function writeImageBundle(sys: Syscalls, store: ImageStore, source: RootSource, dir: string, opts: SpecOpt[]): Promise<Spec> {
  const manifest = sourceManifest(store, source);
  const rootfs = join(dir, "rootfs");
  if (existsSync(join(dir, "config.json"))) throw new ImageError(`bundle: ${join(dir, "config.json")} already exists`);
  if (manifest && existsSync(rootfs) && readdirSync(rootfs).length > 0) throw new ImageError(`bundle: ${rootfs} already exists and is not empty`);
  const made = !existsSync(dir) ? dir : manifest && !existsSync(rootfs) ? rootfs : undefined;
  mkdirSync(manifest ? rootfs : dir, { recursive: true, mode: 0o755 });
  try {
    if (!manifest) return writeImageSpec(sys, dir, undefined, opts, source.rootfs);
    await copyLayers(sys, store, manifest, rootfs);
    const spec = writeImageSpec(sys, dir, store.config(manifest), opts);
    if (needsRemap(spec)) remapOwnership(rootfs, spec);
    return spec;
  } catch (e) {
    // A refused option leaves no half-made bundle behind.
    if (made) rmSync(made, { recursive: true, force: true });
    throw e;
  }
}

/** The image's layers applied in order onto `rootfs`, a tree of its own. */
export async function copyLayers(sys: Syscalls, store: ImageStore, manifest: Manifest, rootfs: string): Promise<void> {
  for (const layer of manifest.layers) await extractLayerFile(sys, rootfs, store.blobPath(layer.digest), "apply");
}

/**
 * DIR/config.json for the image: runc's starting point with ctr's choices
 * for images (no terminal, a writable root, containerd's default
 * capabilities), the image config (none for a plain root directory), then
 * `opts`. The root is DIR/rootfs unless `rootfs` names another directory.
 */
export function writeImageSpec(sys: Syscalls, dir: string, config: ImageConfig | undefined, opts: SpecOpt[], rootfs?: string): Spec {
  const spec = defaultSpec();
  spec.process!.terminal = false;
  spec.root = { path: rootfs ?? "rootfs", readonly: false };
  const base = [withCapabilities(IMAGE_DEFAULT_CAPABILITIES), ...(config ? [withImageConfig(sys, config)] : [])];
  // A spec from a file (--config) replaces runt's default before the image config goes on.
  const ordered = [...opts.filter(startsSpec), ...base, ...opts.filter((o) => !startsSpec(o))];
  applySpecOpts(spec, { rootfs: rootfs ?? join(dir, "rootfs"), bundle: dir }, ordered);
  writeFileSync(join(dir, "config.json"), JSON.stringify(spec, null, "\t") + "\n");
  return spec;
}
