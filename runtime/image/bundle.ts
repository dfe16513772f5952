/**
 * A bundle from a stored image, as `umoci unpack` makes one: DIR/rootfs with
 * the image's layers applied in order, and DIR/config.json from
 * `defaultSpec` with the image config and the caller's options applied.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { defaultSpec } from "../spec/defaults.ts";
import type { Spec } from "../spec/schema.ts";
import { withImageConfig } from "../specopts/image_config.ts";
import { applySpecOpts, type SpecOpt } from "../specopts/types.ts";
import { ImageError } from "./errors.ts";
import { extractLayerFile } from "./extract.ts";
import type { ImageStore } from "./store.ts";

export async function writeImageBundle(sys: Syscalls, store: ImageStore, ref: string, dir: string, opts: SpecOpt[]): Promise<Spec> {
  const found = store.resolve(ref);
  if (!found) throw new ImageError(`--image: no image ${ref} in ${store.root} (runt image load it first)`);
  const rootfs = join(dir, "rootfs");
  if (existsSync(join(dir, "config.json"))) throw new ImageError(`bundle: ${join(dir, "config.json")} already exists`);
  if (existsSync(rootfs) && readdirSync(rootfs).length > 0) throw new ImageError(`bundle: ${rootfs} already exists and is not empty`);
  const made = !existsSync(dir) ? dir : !existsSync(rootfs) ? rootfs : undefined;
  mkdirSync(rootfs, { recursive: true, mode: 0o755 });
  try {
    const manifest = store.manifest(found.digest);
    for (const layer of manifest.layers) await extractLayerFile(sys, rootfs, store.blobPath(layer.digest), "apply");
    const spec = imageSpec();
    applySpecOpts(spec, { rootfs }, [withImageConfig(sys, store.config(manifest)), ...opts]);
    writeFileSync(join(dir, "config.json"), JSON.stringify(spec, null, "\t") + "\n");
    return spec;
  } catch (e) {
    // A refused option leaves no half-made bundle behind.
    if (made) rmSync(made, { recursive: true, force: true });
    else rmSync(rootfs, { recursive: true, force: true });
    throw e;
  }
}

/** runc's starting point, with ctr's choices for images: no terminal, a writable root. */
export function imageSpec(): Spec {
  const spec = defaultSpec();
  spec.process!.terminal = false;
  spec.root = { path: "rootfs", readonly: false };
  return spec;
}
